/*
 * test_image_io_roundtrip.c — what fu_image_write writes, fu_image_read reads
 * back: PNG exactly (RGB and RGBA), JPEG within an error bound that shrinks
 * as quality grows (and in full range), WebP with its alpha; and files made
 * by FFmpeg's own encoders in other layouts (16-bit, grey, palette, BMP,
 * TIFF) read as the pixels that went in. Also the shared samples' sizes and
 * that a successful write leaves no partial file behind.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>

#include "core/image.h"
#include "media/image_io.h"
#include "testlib.h"

/* A deterministic, smooth-ish but asymmetric test picture. */
static facefuse_image make_pattern(int w, int h, int channels)
{
    facefuse_image im;
    if (facefuse_image_alloc(&im, w, h, channels) != FACEFUSE_OK)
        abort();
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)(x * 255 / (w - 1));
            p[1] = (uint8_t)(y * 255 / (h - 1));
            p[2] = (uint8_t)(128 + 100 * sin(x * 0.1) * cos(y * 0.07));
            if (channels == 4)
                p[3] = (uint8_t)((x + 2 * y) % 256);
        }
    return im;
}

static int images_equal(const facefuse_image *a, const facefuse_image *b)
{
    if (a->width != b->width || a->height != b->height || a->channels != b->channels)
        return 0;
    for (int y = 0; y < a->height; y++)
        if (memcmp(fu_pixel(a, 0, y), fu_pixel(b, 0, y), (size_t)a->width * a->channels) != 0)
            return 0;
    return 1;
}

/* Mean absolute difference over the first `channels` channels. */
static double mean_abs_error(const facefuse_image *a, const facefuse_image *b, int channels)
{
    double sum = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++)
            for (int c = 0; c < channels; c++)
                sum += abs((int)fu_pixel(a, x, y)[c] - (int)fu_pixel(b, x, y)[c]);
    return sum / ((double)a->width * a->height * channels);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Encodes one frame with FFmpeg's encoder `codec_id` in `fmt`, filled by
 * `fill`, into path: our way of making files in layouts we do not write. */
typedef void (*fill_fn)(AVFrame *frame);

static int ffmpeg_encode_file(enum AVCodecID codec_id, enum AVPixelFormat fmt, int w, int h,
                              fill_fn fill, const char *path)
{
    const AVCodec *codec = avcodec_find_encoder(codec_id);
    AVCodecContext *cc = codec ? avcodec_alloc_context3(codec) : NULL;
    AVFrame *frame = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    int ok = 0;
    if (!cc || !frame || !pkt)
        goto done;
    cc->width = w;
    cc->height = h;
    cc->pix_fmt = fmt;
    cc->time_base = (AVRational){1, 25};
    frame->format = fmt;
    frame->width = w;
    frame->height = h;
    if (avcodec_open2(cc, codec, NULL) < 0 || av_frame_get_buffer(frame, 0) < 0)
        goto done;
    fill(frame);
    if (avcodec_send_frame(cc, frame) < 0 || avcodec_send_frame(cc, NULL) < 0 ||
        avcodec_receive_packet(cc, pkt) < 0)
        goto done;
    FILE *f = fopen(path, "wb");
    if (!f)
        goto done;
    ok = fwrite(pkt->data, 1, (size_t)pkt->size, f) == (size_t)pkt->size;
    ok = fclose(f) == 0 && ok;
done:
    av_packet_free(&pkt);
    av_frame_free(&frame);
    avcodec_free_context(&cc);
    return ok;
}

/* 16-bit big-endian sample for pixel (x, y), channel c. */
static unsigned sample16(int x, int y, int c)
{
    return (unsigned)((x * 1031 + y * 517 + c * 20011) % 65536);
}

static void fill_rgb48be(AVFrame *f)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            for (int c = 0; c < 3; c++) {
                uint8_t *p = f->data[0] + (size_t)y * f->linesize[0] + (size_t)x * 6 + c * 2;
                unsigned v = sample16(x, y, c);
                p[0] = (uint8_t)(v >> 8);
                p[1] = (uint8_t)v;
            }
}

static void fill_rgba64be(AVFrame *f)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            for (int c = 0; c < 4; c++) {
                uint8_t *p = f->data[0] + (size_t)y * f->linesize[0] + (size_t)x * 8 + c * 2;
                unsigned v = sample16(x, y, c);
                p[0] = (uint8_t)(v >> 8);
                p[1] = (uint8_t)v;
            }
}

/* 16 to 8 bits must round: v / 257 to nearest (no dither, no YUV detour). */
static int rounds_from_16(uint8_t got, unsigned v16)
{
    return got == lround(v16 / 257.0);
}

static void test_png_rgb_roundtrip_is_exact(void)
{
    facefuse_image src = make_pattern(67, 45, 3), back = {0};
    fu_err err = {0};
    const char *path = tl_tmp("rgb.png");
    REQUIRE(fu_image_write(path, &src, 0, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(back.channels == 3, "channels %d", back.channels);
    CHECK(images_equal(&src, &back), "PNG RGB round trip differs");
    facefuse_image_free(&src);
    facefuse_image_free(&back);
}

static void test_png_rgba_roundtrip_is_exact(void)
{
    facefuse_image src = make_pattern(64, 33, 4), back = {0};
    fu_err err = {0};
    const char *path = tl_tmp("rgba.PNG");
    REQUIRE(fu_image_write(path, &src, 100, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(back.channels == 4, "channels %d", back.channels);
    CHECK(images_equal(&src, &back), "PNG RGBA round trip differs");
    facefuse_image_free(&src);
    facefuse_image_free(&back);
}

static void test_png_16bit_reads_as_8bit(void)
{
    const char *path = tl_tmp("rgb48.png");
    facefuse_image im = {0};
    fu_err err = {0};
    REQUIRE(ffmpeg_encode_file(AV_CODEC_ID_PNG, AV_PIX_FMT_RGB48BE, 40, 30, fill_rgb48be, path),
            "could not make a 16-bit PNG");
    REQUIRE(fu_image_read(path, &im, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(im.width == 40 && im.height == 30 && im.channels == 3, "%dx%dx%d", im.width, im.height,
            im.channels);
    int bad = 0;
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
            for (int c = 0; c < 3; c++)
                bad += !rounds_from_16(fu_pixel(&im, x, y)[c], sample16(x, y, c));
    CHECK(bad == 0, "%d samples not the 16-bit value / 257 rounded", bad);
    facefuse_image_free(&im);

    path = tl_tmp("rgba64.png");
    REQUIRE(ffmpeg_encode_file(AV_CODEC_ID_PNG, AV_PIX_FMT_RGBA64BE, 20, 10, fill_rgba64be, path),
            "could not make a 16-bit RGBA PNG");
    REQUIRE(fu_image_read(path, &im, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(im.channels == 4, "16-bit RGBA read with %d channels", im.channels);
    bad = 0;
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 20; x++)
            for (int c = 0; c < 4; c++)
                bad += !rounds_from_16(fu_pixel(&im, x, y)[c], sample16(x, y, c));
    CHECK(bad == 0, "%d RGBA samples not rounded from 16 bits", bad);
    facefuse_image_free(&im);
}

static void fill_gray(AVFrame *f)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            f->data[0][(size_t)y * f->linesize[0] + x] = (uint8_t)(x * 9 + y * 5);
}

/* Palette entries i: colour (i*40, 255-i*40, i*17); entry 3 half transparent
 * when `palette_alpha` is set. Pixels use entries (x + y) % 6. */
static int palette_alpha;

static void fill_pal8(AVFrame *f)
{
    uint32_t *pal = (uint32_t *)f->data[1];
    memset(pal, 0, 256 * 4);
    for (int i = 0; i < 6; i++) {
        uint32_t a = (palette_alpha && i == 3) ? 128u : 255u;
        pal[i] = a << 24 | (uint32_t)(i * 40) << 16 | (uint32_t)(255 - i * 40) << 8 | (uint32_t)(i * 17);
    }
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            f->data[0][(size_t)y * f->linesize[0] + x] = (uint8_t)((x + y) % 6);
}

static void test_png_grey_and_palette_read_as_rgb(void)
{
    facefuse_image im = {0};
    fu_err err = {0};
    const char *path = tl_tmp("grey.png");
    REQUIRE(ffmpeg_encode_file(AV_CODEC_ID_PNG, AV_PIX_FMT_GRAY8, 25, 20, fill_gray, path), "grey PNG");
    REQUIRE(fu_image_read(path, &im, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(im.channels == 3, "grey read with %d channels", im.channels);
    int bad = 0;
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 25; x++) {
            const uint8_t *p = fu_pixel(&im, x, y);
            uint8_t v = (uint8_t)(x * 9 + y * 5);
            bad += p[0] != v || p[1] != v || p[2] != v;
        }
    CHECK(bad == 0, "%d grey pixels not expanded exactly", bad);
    facefuse_image_free(&im);

    for (palette_alpha = 0; palette_alpha <= 1; palette_alpha++) {
        path = tl_tmp(palette_alpha ? "pal-alpha.png" : "pal.png");
        REQUIRE(ffmpeg_encode_file(AV_CODEC_ID_PNG, AV_PIX_FMT_PAL8, 12, 7, fill_pal8, path), "pal PNG");
        REQUIRE(fu_image_read(path, &im, &err) == FACEFUSE_OK, "%s", err.msg);
        CHECK(im.channels == (palette_alpha ? 4 : 3), "palette (alpha %d) read with %d channels",
              palette_alpha, im.channels);
        bad = 0;
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 12; x++) {
                const uint8_t *p = fu_pixel(&im, x, y);
                int i = (x + y) % 6;
                bad += p[0] != i * 40 || p[1] != 255 - i * 40 || p[2] != i * 17;
                if (im.channels == 4)
                    bad += p[3] != ((i == 3) ? 128 : 255);
            }
        CHECK(bad == 0, "%d palette pixels wrong (alpha %d)", bad, palette_alpha);
        facefuse_image_free(&im);
    }
}

static void fill_bgr24(AVFrame *f)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            uint8_t *p = f->data[0] + (size_t)y * f->linesize[0] + (size_t)x * 3;
            p[0] = (uint8_t)(x * 3);       /* blue */
            p[1] = (uint8_t)(y * 7);       /* green */
            p[2] = (uint8_t)(x ^ y);       /* red */
        }
}

static void fill_rgb24(AVFrame *f)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            uint8_t *p = f->data[0] + (size_t)y * f->linesize[0] + (size_t)x * 3;
            p[0] = (uint8_t)(x ^ y);
            p[1] = (uint8_t)(y * 7);
            p[2] = (uint8_t)(x * 3);
        }
}

static void test_bmp_and_tiff_read_exactly(void)
{
    const struct { enum AVCodecID id; enum AVPixelFormat fmt; fill_fn fill; const char *name; } cases[] = {
        {AV_CODEC_ID_BMP, AV_PIX_FMT_BGR24, fill_bgr24, "img.bmp"},
        {AV_CODEC_ID_TIFF, AV_PIX_FMT_RGB24, fill_rgb24, "img.tiff"},
    };
    for (size_t k = 0; k < 2; k++) {
        facefuse_image im = {0};
        fu_err err = {0};
        const char *path = tl_tmp(cases[k].name);
        if (!avcodec_find_encoder(cases[k].id))
            continue;
        REQUIRE(ffmpeg_encode_file(cases[k].id, cases[k].fmt, 31, 17, cases[k].fill, path), "%s",
                cases[k].name);
        REQUIRE(fu_image_read(path, &im, &err) == FACEFUSE_OK, "%s", err.msg);
        REQUIRE(im.width == 31 && im.height == 17 && im.channels == 3, "%s: %dx%dx%d", cases[k].name,
                im.width, im.height, im.channels);
        int bad = 0;
        for (int y = 0; y < 17; y++)
            for (int x = 0; x < 31; x++) {
                const uint8_t *p = fu_pixel(&im, x, y);
                bad += p[0] != (uint8_t)(x ^ y) || p[1] != (uint8_t)(y * 7) || p[2] != (uint8_t)(x * 3);
            }
        CHECK(bad == 0, "%s: %d pixels differ", cases[k].name, bad);
        facefuse_image_free(&im);
    }
}

static void test_jpeg_error_shrinks_and_size_grows_with_quality(void)
{
    const int qualities[] = {10, 50, 95};
    double mae[3];
    long size[3];
    facefuse_image src = make_pattern(160, 120, 3);
    for (int i = 0; i < 3; i++) {
        char name[32];
        facefuse_image back = {0};
        fu_err err = {0};
        snprintf(name, sizeof name, "q%d.jpg", qualities[i]);
        const char *path = tl_tmp(name);
        REQUIRE(fu_image_write(path, &src, qualities[i], &err) == FACEFUSE_OK, "%s", err.msg);
        REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "%s", err.msg);
        REQUIRE(back.width == 160 && back.height == 120 && back.channels == 3, "%dx%dx%d", back.width,
                back.height, back.channels);
        mae[i] = mean_abs_error(&src, &back, 3);
        size[i] = file_size(path);
        facefuse_image_free(&back);
    }
    printf("   jpeg MAE q10 %.2f q50 %.2f q95 %.2f; bytes %ld %ld %ld\n", mae[0], mae[1], mae[2], size[0],
           size[1], size[2]);
    CHECK(mae[2] < 1.5, "quality 95 mean abs error %.2f", mae[2]);
    CHECK(mae[1] < 4.0, "quality 50 mean abs error %.2f", mae[1]);
    CHECK(mae[0] > mae[1] && mae[1] > mae[2], "error does not fall with quality");
    CHECK(size[0] < size[1] && size[1] < size[2], "size does not grow with quality");
    facefuse_image_free(&src);
}

/* Pure black and white survive a JPEG round trip only if both ends use full
 * range: limited range would give 16 and 235. */
static void test_jpeg_keeps_full_range(void)
{
    facefuse_image src, back = {0};
    fu_err err = {0};
    REQUIRE(facefuse_image_alloc(&src, 32, 16, 3) == FACEFUSE_OK, "alloc");
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x++)
            memset(fu_pixel(&src, x, y), x < 16 ? 0 : 255, 3);
    const char *path = tl_tmp("bw.jpeg");
    REQUIRE(fu_image_write(path, &src, 90, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "%s", err.msg);
    const uint8_t *black = fu_pixel(&back, 4, 8), *white = fu_pixel(&back, 27, 8);
    CHECK(black[0] <= 2 && black[1] <= 2 && black[2] <= 2, "black came back %d %d %d", black[0], black[1],
          black[2]);
    CHECK(white[0] >= 253 && white[1] >= 253 && white[2] >= 253, "white came back %d %d %d", white[0],
          white[1], white[2]);
    facefuse_image_free(&src);
    facefuse_image_free(&back);
}

static void test_jpeg_drops_alpha(void)
{
    facefuse_image src = make_pattern(48, 40, 4), back = {0};
    fu_err err = {0};
    const char *path = tl_tmp("alpha.jpg");
    REQUIRE(fu_image_write(path, &src, 95, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(back.channels == 3, "JPEG read with %d channels", back.channels);
    CHECK(mean_abs_error(&src, &back, 3) < 2.0, "colours changed: MAE %.2f", mean_abs_error(&src, &back, 3));
    facefuse_image_free(&src);
    facefuse_image_free(&back);
}

static void test_webp_roundtrip_keeps_alpha(void)
{
    if (!avcodec_find_encoder_by_name("libwebp")) {
        tl_skip("this FFmpeg has no libwebp encoder");
        return;
    }
    facefuse_image src = make_pattern(64, 48, 4), back = {0}, opaque = make_pattern(64, 48, 3);
    fu_err err = {0};
    const char *path = tl_tmp("alpha.webp");
    REQUIRE(fu_image_write(path, &src, 90, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(back.channels == 4 && back.width == 64 && back.height == 48, "%dx%dx%d", back.width,
            back.height, back.channels);
    double alpha_error = 0;
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++)
            alpha_error += abs((int)fu_pixel(&src, x, y)[3] - (int)fu_pixel(&back, x, y)[3]);
    alpha_error /= 64.0 * 48.0;
    CHECK(alpha_error < 2.0, "alpha mean abs error %.2f", alpha_error);
    facefuse_image_free(&back);

    path = tl_tmp("opaque.webp");
    REQUIRE(fu_image_write(path, &opaque, 90, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_image_read(path, &back, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(back.channels == 3, "opaque WebP read with %d channels", back.channels);
    CHECK(mean_abs_error(&opaque, &back, 3) < 4.0, "WebP q90 MAE %.2f", mean_abs_error(&opaque, &back, 3));
    facefuse_image_free(&back);
    facefuse_image_free(&src);
    facefuse_image_free(&opaque);
}

static void test_shared_samples_have_known_sizes(void)
{
    facefuse_image im = {0};
    fu_err err = {0};
    REQUIRE(fu_image_read(tl_shared("samples/grace_hopper.jpg"), &im, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(im.width == 512 && im.height == 600 && im.channels == 3, "grace_hopper %dx%dx%d", im.width,
          im.height, im.channels);
    facefuse_image_free(&im);
    REQUIRE(fu_image_read(tl_shared("samples/astronaut.png"), &im, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(im.width == 512 && im.height == 512 && im.channels == 3, "astronaut %dx%dx%d", im.width,
          im.height, im.channels);
    facefuse_image_free(&im);
}

static void test_read_memory_equals_read_file(void)
{
    const char *path = tl_shared("samples/grace_hopper.jpg");
    FILE *f = fopen(path, "rb");
    REQUIRE(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    REQUIRE(buf && fread(buf, 1, (size_t)n, f) == (size_t)n, "read");
    fclose(f);
    facefuse_image a = {0}, b = {0};
    fu_err err = {0};
    CHECK(fu_image_read_memory(buf, (size_t)n, "grace", &a, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_image_read(path, &b, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(images_equal(&a, &b), "memory and file decodes differ");
    free(buf);
    facefuse_image_free(&a);
    facefuse_image_free(&b);
}

static void test_successful_write_leaves_only_the_file(void)
{
    const char *dir = tl_tmp("clean");
    REQUIRE(mkdir(dir, 0755) == 0, "mkdir %s", dir);
    facefuse_image src = make_pattern(20, 20, 3);
    const char *names[] = {"a.png", "b.jpg", "c.webp"};
    int expected = 0;
    for (int i = 0; i < 3; i++) {
        char path[1024];
        fu_err err = {0};
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        facefuse_status st = fu_image_write(path, &src, 80, &err);
        if (st == FACEFUSE_ERR_UNSUPPORTED)
            continue;
        CHECK(st == FACEFUSE_OK, "%s", err.msg);
        expected += st == FACEFUSE_OK;
    }
    DIR *d = opendir(dir);
    REQUIRE(d, "opendir");
    int files = 0, partial = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        files++;
        partial += strstr(e->d_name, ".partial-") != NULL;
    }
    closedir(d);
    CHECK(partial == 0, "%d partial files left", partial);
    CHECK(files == expected, "%d files in the directory, expected %d", files, expected);
    facefuse_image_free(&src);
}

int main(void)
{
    RUN(test_png_rgb_roundtrip_is_exact);
    RUN(test_png_rgba_roundtrip_is_exact);
    RUN(test_png_16bit_reads_as_8bit);
    RUN(test_png_grey_and_palette_read_as_rgb);
    RUN(test_bmp_and_tiff_read_exactly);
    RUN(test_jpeg_error_shrinks_and_size_grows_with_quality);
    RUN(test_jpeg_keeps_full_range);
    RUN(test_jpeg_drops_alpha);
    RUN(test_webp_roundtrip_keeps_alpha);
    RUN(test_shared_samples_have_known_sizes);
    RUN(test_read_memory_equals_read_file);
    RUN(test_successful_write_leaves_only_the_file);
    return tl_finish();
}
