/*
 * test_video_reader_ts_damage.c — MPEG-TS as broadcast captures come:
 * with continuity breaks (188-byte packets missing mid-stream) and with the
 * picture size changing mid-stream (two captures joined). The reader decodes
 * them as FFmpeg does — every frame FFmpeg's own decode loop gets, no error
 * — and hands every frame out at the stream's first size.
 */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>

#include "media/video_reader.h"
#include "testlib.h"
#include "video_testutil.h"

/* Frames FFmpeg's plain decode loop gets out of path (nothing discarded). */
static int ffmpeg_frames(const char *path)
{
    AVFormatContext *fmt = NULL;
    int frames = 0;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return -1;
    avformat_find_stream_info(fmt, NULL);
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *codec = avcodec_find_decoder(fmt->streams[si]->codecpar->codec_id);
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(dec, fmt->streams[si]->codecpar);
    avcodec_open2(dec, codec, NULL);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    for (int eof = 0; !eof;) {
        eof = av_read_frame(fmt, pkt) < 0;
        if (!eof && pkt->stream_index != si) {
            av_packet_unref(pkt);
            continue;
        }
        avcodec_send_packet(dec, eof ? NULL : pkt);
        av_packet_unref(pkt);
        while (avcodec_receive_frame(dec, f) == 0)
            frames++;
    }
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return frames;
}

/* Frames the reader gives; -1 on an error. All must be w × h. */
static int reader_frames(const char *path, int w, int h)
{
    fu_video_reader *r = NULL;
    fu_err err;
    int frames = 0, got = 1;
    facefuse_image im = {0};
    int64_t pts;
    if (fu_video_reader_open(&r, path, 2, &err) != FACEFUSE_OK) {
        fprintf(stderr, "    %s\n", err.msg);
        return -1;
    }
    while (got) {
        if (fu_video_reader_next(r, &im, &pts, &got, &err) != FACEFUSE_OK) {
            fprintf(stderr, "    %s\n", err.msg);
            frames = -1;
            break;
        }
        if (got) {
            CHECK(im.width == w && im.height == h, "frame %d is %dx%d", frames, im.width, im.height);
            frames++;
        }
    }
    facefuse_image_free(&im);
    fu_video_reader_close(r);
    return frames;
}

static long file_bytes(const char *path, unsigned char **data)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)n);
    n = (long)fread(*data, 1, (size_t)n, f);
    fclose(f);
    return n;
}

static const char *make_ts(const char *name, int w, int h)
{
    const char *path = tl_tmp(name);
    vt_clip c = vt_clip_default();
    c.width = w;
    c.height = h;
    c.frames = 30;
    c.audio_tracks = 0;
    return vt_make_clip(path, &c) == 0 ? path : NULL;
}

static void continuity_breaks_decode_as_ffmpeg_does(void)
{
    char a[1024], holed[1024];
    const char *made = make_ts("a.ts", 160, 120);
    REQUIRE(made, "make ts");
    snprintf(a, sizeof a, "%s", made);
    snprintf(holed, sizeof holed, "%s", tl_tmp("holed.ts"));
    unsigned char *data = NULL;
    long n = file_bytes(a, &data);
    REQUIRE(n > 188 * 60, "ts of %ld bytes", n);
    FILE *f = fopen(holed, "wb");
    long packets = n / 188, dropped = 0;
    for (long i = 0; i < packets; i++) {
        if (i >= packets / 2 && i < packets / 2 + 6) { /* six packets lost mid-stream */
            dropped++;
            continue;
        }
        fwrite(data + i * 188, 1, 188, f);
    }
    fclose(f);
    free(data);
    int want = ffmpeg_frames(holed), got = reader_frames(holed, 160, 120);
    CHECK(want > 0 && got == want, "reader %d frames, FFmpeg %d (%ld packets dropped)", got, want, dropped);
}

static void a_size_change_is_scaled_to_the_first_size(void)
{
    char a[1024], b[1024], joined[1024];
    const char *made = make_ts("small.ts", 160, 120);
    REQUIRE(made, "make ts");
    snprintf(a, sizeof a, "%s", made);
    made = make_ts("large.ts", 192, 144);
    REQUIRE(made, "make ts");
    snprintf(b, sizeof b, "%s", made);
    snprintf(joined, sizeof joined, "%s", tl_tmp("joined.ts"));
    unsigned char *da = NULL, *db = NULL;
    long na = file_bytes(a, &da), nb = file_bytes(b, &db);
    FILE *f = fopen(joined, "wb");
    fwrite(da, 1, (size_t)na, f);
    fwrite(db, 1, (size_t)nb, f);
    fclose(f);
    free(da);
    free(db);
    int want = ffmpeg_frames(joined), got = reader_frames(joined, 160, 120);
    CHECK(want >= 55 && got == want, "reader %d frames, FFmpeg %d", got, want);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    RUN(continuity_breaks_decode_as_ffmpeg_does);
    RUN(a_size_change_is_scaled_to_the_first_size);
    return tl_finish();
}
