/*
 * livetest.h — helpers for the live-mode tests: a free UDP port, a receiver
 * thread that reads an MPEG-TS stream back with libavformat (bound before
 * the sender starts, so nothing is missed), and reading the stats file.
 */
#ifndef FU_LIVETEST_H
#define FU_LIVETEST_H

#include <arpa/inet.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "facefuse.h"

/* A UDP port nobody uses right now. */
static inline int lt_free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

#define LT_MAX_FRAMES 4096

typedef struct lt_receiver {
    int port;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int bound, failed;
    int frames;                  /* decoded */
    double pts_s[LT_MAX_FRAMES]; /* in decode order */
    int64_t stamps[LT_MAX_FRAMES];
    int width, height;
} lt_receiver;

/* The 16-bit stamp of vt_stamp, read from a decoded RGB frame. */
static inline int64_t lt_read_stamp(const uint8_t *rgb, int stride)
{
    int64_t index = 0;
    for (int bit = 0; bit < 16; bit++) {
        const uint8_t *p = rgb + (size_t)4 * stride + (size_t)(bit * 8 + 4) * 3;
        if (p[1] > 128)
            index |= (int64_t)1 << bit;
    }
    return index;
}

static inline void lt_keep(lt_receiver *r, AVFrame *f, AVRational tb, struct SwsContext **sws)
{
    if (r->frames >= LT_MAX_FRAMES)
        return;
    int64_t pts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
    uint8_t *rgb = malloc((size_t)f->width * f->height * 3);
    int stride = f->width * 3;
    *sws = sws_getCachedContext(*sws, f->width, f->height, f->format, f->width, f->height, AV_PIX_FMT_RGB24,
                                SWS_BILINEAR, NULL, NULL, NULL);
    uint8_t *dst[4] = {rgb, NULL, NULL, NULL};
    int ds[4] = {stride, 0, 0, 0};
    sws_scale(*sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, ds);
    r->pts_s[r->frames] = pts == AV_NOPTS_VALUE ? -1 : pts * av_q2d(tb);
    r->stamps[r->frames] = lt_read_stamp(rgb, stride);
    r->width = f->width;
    r->height = f->height;
    r->frames++;
    free(rgb);
}

/* Receives until no packet came for 1 s. */
static inline void *lt_receive(void *arg)
{
    lt_receiver *r = arg;
    char url[256];
    AVIOContext *pb = NULL;
    AVFormatContext *ic = NULL;
    snprintf(url, sizeof url, "udp://127.0.0.1:%d?timeout=1000000&fifo_size=100000&overrun_nonfatal=1&buffer_size=4194304",
             r->port);
    int ok = avio_open2(&pb, url, AVIO_FLAG_READ, NULL, NULL) >= 0;
    pthread_mutex_lock(&r->lock);
    r->bound = 1;
    r->failed = !ok;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    if (!ok)
        return NULL;
    ic = avformat_alloc_context();
    ic->pb = pb;
    if (avformat_open_input(&ic, NULL, av_find_input_format("mpegts"), NULL) < 0 ||
        avformat_find_stream_info(ic, NULL) < 0) {
        r->failed = 1;
        avformat_close_input(&ic);
        avio_closep(&pb);
        return NULL;
    }
    int vs = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *codec = vs >= 0 ? avcodec_find_decoder(ic->streams[vs]->codecpar->codec_id) : NULL;
    AVCodecContext *dec = codec ? avcodec_alloc_context3(codec) : NULL;
    if (!dec || avcodec_parameters_to_context(dec, ic->streams[vs]->codecpar) < 0 || avcodec_open2(dec, codec, NULL) < 0) {
        r->failed = 1;
    } else {
        AVPacket *pkt = av_packet_alloc();
        AVFrame *f = av_frame_alloc();
        struct SwsContext *sws = NULL;
        AVRational tb = ic->streams[vs]->time_base;
        while (av_read_frame(ic, pkt) >= 0) {
            if (pkt->stream_index == vs && avcodec_send_packet(dec, pkt) >= 0)
                while (avcodec_receive_frame(dec, f) == 0)
                    lt_keep(r, f, tb, &sws);
            av_packet_unref(pkt);
        }
        avcodec_send_packet(dec, NULL);
        while (avcodec_receive_frame(dec, f) == 0)
            lt_keep(r, f, tb, &sws);
        sws_freeContext(sws);
        av_frame_free(&f);
        av_packet_free(&pkt);
    }
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    avio_closep(&pb);
    return NULL;
}

/* Starts the receiver and returns once its socket is bound. */
static inline int lt_receiver_start(lt_receiver *r, int port)
{
    memset(r, 0, sizeof *r);
    r->port = port;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    if (pthread_create(&r->thread, NULL, lt_receive, r) != 0)
        return 0;
    pthread_mutex_lock(&r->lock);
    while (!r->bound)
        pthread_cond_wait(&r->cond, &r->lock);
    pthread_mutex_unlock(&r->lock);
    return !r->failed;
}

static inline void lt_receiver_join(lt_receiver *r)
{
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
}

/* The whole stats file, malloc'd ("" when unreadable). */
static inline char *lt_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);
    if (f) {
        size_t n = fread(buf, 1, (1 << 20) - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* The number after "key": in line (-1 when absent). */
static inline double lt_number(const char *line, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(line, k);
    return p ? strtod(p + strlen(k), NULL) : -1;
}

#endif
