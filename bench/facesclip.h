/*
 * facesclip.h — what the tracking and live benchmarks share: a clip of the
 * two shared portraits moving over a gradient (faces about a quarter of the
 * frame height, one walking right, one drifting left and up), a per-frame
 * "true" position of each face, and a stand-in for a face swapper's CPU work
 * (align a 128 px crop, box mask, paste back) plus an optional sleep for the
 * model itself (as if it ran on a GPU).
 */
#ifndef FU_FACESCLIP_H
#define FU_FACESCLIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/geometry.h"
#include "core/image.h"
#include "media/image_io.h"
#include "media/video_writer.h"
#include "processors/mask.h"
#include "processors/paste.h"

typedef struct fc_sprite {
    facefuse_image image;
} fc_sprite;

/* Square crops around the two faces, side px. */
static inline int fc_sprites(int side, fc_sprite out[2])
{
    static const float boxes[2][4] = {{180.34f, 54.29f, 271.49f, 178.98f}, {178.44f, 123.83f, 350.29f, 332.89f}};
    static const char *files[2] = {FACEFUSE_SOURCE_DIR "/../shared/samples/astronaut.png",
                                   FACEFUSE_SOURCE_DIR "/../shared/samples/grace_hopper.jpg"};
    for (int i = 0; i < 2; i++) {
        facefuse_image portrait = {0};
        fu_err err;
        if (fu_image_read(files[i], &portrait, &err) != FACEFUSE_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 0;
        }
        const float *b = boxes[i];
        float cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2, src = 1.6f * (b[3] - b[1]), s = side / src;
        fu_affine a = {{s, 0, -(cx - src / 2) * s, 0, s, -(cy - src / 2) * s}};
        facefuse_image_alloc(&out[i].image, side, side, 3);
        fu_warp_affine(&portrait, &out[i].image, &a, FU_BORDER_REPLICATE);
        facefuse_image_free(&portrait);
    }
    return 1;
}

/* Top-left corner of sprite s at frame i (w × h frame, sprite side px):
 * Grace walks right from the left edge, the astronaut left from the right
 * edge, over 2 s, and back; they never overlap. */
static inline void fc_position(int s, int i, int w, int h, int side, int *x, int *y)
{
    int period = 120, t = i % period, back = t < period / 2 ? t : period - t;
    int travel = w * 45 / 100 - side - w / 20;
    if (s == 1) {
        *x = w / 20 + back * travel / (period / 2);
        *y = h / 8 + back * h / 10 / (period / 2);
    } else {
        *x = w - side - w / 20 - back * travel / (period / 2);
        *y = h / 2 - back * h / 8 / (period / 2);
    }
}

static inline void fc_render(facefuse_image *im, const fc_sprite sp[2], int i)
{
    int side = sp[0].image.width;
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            uint8_t *p = fu_pixel(im, x, y);
            p[0] = (uint8_t)(60 + x * 120 / im->width);
            p[1] = (uint8_t)(90 + y * 100 / im->height);
            p[2] = (uint8_t)(150 - x * 60 / im->width);
        }
    for (int s = 0; s < 2; s++) {
        int x0, y0;
        fc_position(s, i, im->width, im->height, side, &x0, &y0);
        for (int y = 0; y < side; y++)
            if (y0 + y >= 0 && y0 + y < im->height)
                for (int x = 0; x < side; x++)
                    if (x0 + x >= 0 && x0 + x < im->width)
                        memcpy(fu_pixel(im, x0 + x, y0 + y), fu_pixel(&sp[s].image, x, y), 3);
    }
}

/* Writes a libx264 clip of `frames` frames at fps. */
static inline int fc_make_clip(const char *path, int w, int h, int frames, int fps)
{
    fc_sprite sp[2];
    fu_video_writer *wr = NULL;
    facefuse_image frame = {0};
    fu_video_writer_params p = {0};
    fu_err err;
    if (!fc_sprites(h * 2 / 5, sp)) /* faces a quarter of the frame height */
        return 0;
    p.final_path = p.temp_path = path;
    p.width = w;
    p.height = h;
    p.channels = 3;
    p.output_scale = 1;
    p.quality = 90;
    p.tb_num = 1;
    p.tb_den = fps;
    p.fps_num = fps;
    p.fps_den = 1;
    int ok = fu_video_writer_open(&wr, &p, &err) == FACEFUSE_OK && fu_video_writer_start(wr, &err) == FACEFUSE_OK;
    facefuse_image_alloc(&frame, w, h, 3);
    for (int i = 0; ok && i < frames; i++) {
        fc_render(&frame, sp, i);
        ok = fu_video_writer_write(wr, &frame, i, &err) == FACEFUSE_OK;
    }
    ok = ok && fu_video_writer_finish(wr, &err) == FACEFUSE_OK;
    if (!ok)
        fprintf(stderr, "%s\n", err.msg);
    fu_video_writer_free(wr);
    facefuse_image_free(&frame);
    facefuse_image_free(&sp[0].image);
    facefuse_image_free(&sp[1].image);
    return ok;
}

/* The swapper's CPU work on one face without its model: align a 128 px
 * crop, turn it into floats, box mask (blur 0.3), paste back; then sleep
 * model_ms (a model on another device). */
static inline void fc_standin_swap(facefuse_image *frame, const facefuse_face *face, double model_ms)
{
    enum { SIZE = 128 };
    static const int pad[4] = {0, 0, 0, 0};
    facefuse_image crop = {0};
    float *rgb = malloc(sizeof(float) * 3 * SIZE * SIZE), *mask = NULL;
    fu_affine a = fu_align_to_template(face->landmark_5_68, "arcface_128", SIZE);
    facefuse_image_alloc(&crop, SIZE, SIZE, 3);
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    for (int y = 0; y < SIZE; y++)
        for (int x = 0; x < SIZE; x++)
            for (int c = 0; c < 3; c++) /* "swapped": colours inverted */
                rgb[3 * (y * SIZE + x) + c] = 255.0f - fu_pixel(&crop, x, y)[c];
    if (fu_box_mask(SIZE, 0.3f, pad, &mask, NULL) == FACEFUSE_OK)
        fu_paste_back(frame, rgb, mask, SIZE, &a);
    free(mask);
    free(rgb);
    facefuse_image_free(&crop);
    if (model_ms > 0) {
        struct timespec ts = {(time_t)(model_ms / 1000), (long)((model_ms - (time_t)(model_ms / 1000) * 1000) * 1e6)};
        nanosleep(&ts, NULL);
    }
}

#endif
