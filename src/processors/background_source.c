/*
 * background_source.c — a background image or looped video, scaled to
 * cover the frame (see background_source.h).
 */
#include "processors/background_source.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "media/image_io.h"
#include "media/resize.h"
#include "media/video_reader.h"

#define CACHE_FRAMES 8

typedef struct cached_frame {
    long index;           /* background frame number, −1 = empty */
    facefuse_image image; /* covered to the size asked for */
} cached_frame;

struct fu_background_source {
    pthread_mutex_t lock;
    char *path;
    int is_video;
    facefuse_image still;        /* the image as read (image only) */
    fu_video_reader *reader;     /* video only */
    double fps;
    long next_index;             /* the frame the reader gives next */
    long frame_count;            /* 0 until the end was reached once */
    long decoded;
    cached_frame cache[CACHE_FRAMES];
    int cache_next;              /* the slot to overwrite next */
    facefuse_image decoded_frame;
};

facefuse_status fu_cover(const facefuse_image *src, int w, int h, facefuse_image *dst, fu_err *err)
{
    memset(dst, 0, sizeof *dst);
    double scale = fmax((double)w / src->width, (double)h / src->height);
    int sw = (int)ceil(src->width * scale - 1e-9), sh = (int)ceil(src->height * scale - 1e-9);
    sw = sw < w ? w : sw;
    sh = sh < h ? h : sh;
    facefuse_image scaled = {0};
    const facefuse_image *from = src;
    if (sw != src->width || sh != src->height) {
        if (fu_resize(src, &scaled, sw, sh) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background: out of memory scaling to %dx%d", sw, sh);
        from = &scaled;
    }
    facefuse_status st = facefuse_image_alloc(dst, w, h, src->channels);
    if (st == FACEFUSE_OK) {
        int x0 = (sw - w) / 2, y0 = (sh - h) / 2;
        for (int y = 0; y < h; y++)
            memcpy(dst->data + (size_t)y * dst->stride, fu_pixel(from, x0, y0 + y), (size_t)w * src->channels);
    } else {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background: out of memory for %dx%d", w, h);
    }
    facefuse_image_free(&scaled);
    return st;
}

facefuse_status fu_background_source_open(const char *path, int is_video, fu_background_source **out,
                                          fu_err *err)
{
    *out = NULL;
    fu_background_source *b = calloc(1, sizeof *b);
    if (!b || !(b->path = strdup(path ? path : ""))) {
        free(b);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background: out of memory");
    }
    pthread_mutex_init(&b->lock, NULL);
    b->is_video = is_video;
    for (int i = 0; i < CACHE_FRAMES; i++)
        b->cache[i].index = -1;
    facefuse_status st;
    if (is_video) {
        st = fu_video_reader_open(&b->reader, path, 0, err);
        if (st == FACEFUSE_OK)
            b->fps = fu_video_reader_info(b->reader)->fps;
    } else {
        facefuse_image read = {0};
        st = fu_image_read(path, &read, err);
        if (st == FACEFUSE_OK) { /* a background is opaque: alpha dropped */
            if (fu_image_to_rgb(&b->still, &read) != FACEFUSE_OK)
                st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background %s: out of memory", path);
            facefuse_image_free(&read);
        }
    }
    if (st != FACEFUSE_OK) {
        fu_background_source_close(b);
        return st;
    }
    *out = b;
    return FACEFUSE_OK;
}

void fu_background_source_close(fu_background_source *b)
{
    if (!b)
        return;
    fu_video_reader_close(b->reader);
    facefuse_image_free(&b->still);
    facefuse_image_free(&b->decoded_frame);
    for (int i = 0; i < CACHE_FRAMES; i++)
        facefuse_image_free(&b->cache[i].image);
    pthread_mutex_destroy(&b->lock);
    free(b->path);
    free(b);
}

long fu_background_source_decoded(const fu_background_source *b)
{
    return b->decoded;
}

static cached_frame *cache_find(fu_background_source *b, long index, int w, int h)
{
    for (int i = 0; i < CACHE_FRAMES; i++) {
        cached_frame *c = &b->cache[i];
        if (c->index == index && c->image.width == w && c->image.height == h)
            return c;
    }
    return NULL;
}

/* Decodes the reader's next frame into the cache; *end at the stream's end. */
static facefuse_status decode_next(fu_background_source *b, int w, int h, int *end, fu_err *err)
{
    int64_t pts;
    int got = 0;
    *end = 0;
    facefuse_status st = fu_video_reader_next(b->reader, &b->decoded_frame, &pts, &got, err);
    if (st != FACEFUSE_OK)
        return st;
    if (!got) {
        *end = 1;
        return FACEFUSE_OK;
    }
    cached_frame *c = &b->cache[b->cache_next];
    b->cache_next = (b->cache_next + 1) % CACHE_FRAMES;
    facefuse_image_free(&c->image);
    c->index = -1;
    facefuse_image rgb = {0};
    const facefuse_image *from = &b->decoded_frame;
    if (from->channels != 3) {
        if (fu_image_to_rgb(&rgb, from) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background %s: out of memory", b->path);
        from = &rgb;
    }
    st = fu_cover(from, w, h, &c->image, err);
    facefuse_image_free(&rgb);
    if (st != FACEFUSE_OK)
        return st;
    c->index = b->next_index++;
    b->decoded++;
    return FACEFUSE_OK;
}

/* Puts background frame `index` into the cache and returns it. */
static facefuse_status video_frame(fu_background_source *b, long index, int w, int h, cached_frame **out,
                                   fu_err *err)
{
    facefuse_status st = FACEFUSE_OK;
    for (int rewinds = 0; rewinds < 3; rewinds++) {
        if ((*out = cache_find(b, index, w, h)))
            return FACEFUSE_OK;
        if (index < b->next_index) { /* behind the reader and not cached */
            st = fu_video_reader_seek_frame(b->reader, index, err);
            if (st != FACEFUSE_OK)
                return st;
            b->next_index = index;
        }
        while (st == FACEFUSE_OK && b->next_index <= index) {
            int end;
            st = decode_next(b, w, h, &end, err);
            if (st == FACEFUSE_OK && end) {
                if (b->next_index == 0)
                    return fu_fail(err, FACEFUSE_ERR_DECODE, "background video %s has no frames", b->path);
                b->frame_count = b->next_index;
                index %= b->frame_count;
                break;
            }
        }
        if (st != FACEFUSE_OK)
            return st;
    }
    if ((*out = cache_find(b, index, w, h)))
        return FACEFUSE_OK;
    return fu_fail(err, FACEFUSE_ERR_DECODE, "background video %s: cannot reach frame %ld", b->path, index);
}

/* Copies a cached w × h RGB image into out, (re)allocating out as needed. */
static facefuse_status copy_out(const facefuse_image *from, facefuse_image *out, fu_err *err)
{
    const int w = from->width, h = from->height;
    if (!out->data || out->width != w || out->height != h || out->channels != 3) {
        facefuse_image_free(out);
        if (facefuse_image_alloc(out, w, h, 3) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "background: out of memory for %dx%d", w, h);
    }
    for (int y = 0; y < h; y++)
        memcpy(out->data + (size_t)y * out->stride, from->data + (size_t)y * from->stride, (size_t)w * 3);
    return FACEFUSE_OK;
}

facefuse_status fu_background_source_frame(fu_background_source *b, double time_s, int w, int h,
                                           facefuse_image *out, fu_err *err)
{
    if (w <= 0 || h <= 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "background: bad frame size %dx%d", w, h);
    facefuse_status st = FACEFUSE_OK;
    cached_frame *c = NULL;
    pthread_mutex_lock(&b->lock);
    if (!b->is_video) { /* the still, covered once per frame size */
        c = cache_find(b, 0, w, h);
        if (!c) {
            c = &b->cache[0];
            facefuse_image_free(&c->image);
            c->index = -1;
            st = fu_cover(&b->still, w, h, &c->image, err);
            if (st == FACEFUSE_OK)
                c->index = 0;
        }
    } else {
        long index = (long)floor((time_s > 0 ? time_s : 0) * b->fps + 1e-6);
        if (b->frame_count > 0)
            index %= b->frame_count;
        st = video_frame(b, index, w, h, &c, err);
    }
    if (st == FACEFUSE_OK)
        st = copy_out(&c->image, out, err);
    pthread_mutex_unlock(&b->lock);
    return st;
}
