/*
 * trackclip.h — generated clips with moving faces for the tracking tests:
 * the two shared portraits, cut into square "sprites" around their faces
 * and scaled down, pasted onto a still gradient background at per-frame
 * positions. Everything is deterministic; each sprite knows where its face
 * centre is, so a test can tell which person a tracked face is.
 */
#ifndef FU_TRACKCLIP_H
#define FU_TRACKCLIP_H

#include <string.h>

#include "core/geometry.h"
#include "core/image.h"
#include "facetest.h"

typedef struct tc_sprite {
    facefuse_image image;
    float face_cx, face_cy;   /* face centre within the sprite */
} tc_sprite;

/* Cuts a square of side 1.6 × the face height around the face of box
 * (x1 y1 x2 y2 in the portrait) and scales it to side px. */
static inline void tc_sprite_make(tc_sprite *s, const facefuse_image *portrait, const float box[4], int side)
{
    float cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
    float src_side = 1.6f * (box[3] - box[1]);
    float scale = side / src_side;
    fu_affine a = {{scale, 0, -(cx - src_side / 2) * scale, 0, scale, -(cy - src_side / 2) * scale}};
    facefuse_image_alloc(&s->image, side, side, 3);
    fu_warp_affine(portrait, &s->image, &a, FU_BORDER_REPLICATE);
    s->face_cx = side / 2.0f;
    s->face_cy = side / 2.0f;
}

/* The astronaut (0) and Grace Hopper (1) sprites of side px. */
static inline void tc_sprites(facefuse_context *ctx, int side, tc_sprite out[2])
{
    static const float astro_box[4] = {180.34f, 54.29f, 271.49f, 178.98f};
    static const float grace_box[4] = {178.44f, 123.83f, 350.29f, 332.89f};
    facefuse_image astro = tl_load(ctx, "samples/astronaut.png");
    facefuse_image grace = tl_load(ctx, "samples/grace_hopper.jpg");
    tc_sprite_make(&out[0], &astro, astro_box, side);
    tc_sprite_make(&out[1], &grace, grace_box, side);
    facefuse_image_free(&astro);
    facefuse_image_free(&grace);
}

static inline void tc_sprites_free(tc_sprite s[2])
{
    facefuse_image_free(&s[0].image);
    facefuse_image_free(&s[1].image);
}

/* Background: a still, smooth gradient with no face-like structure. */
static inline void tc_background(facefuse_image *im)
{
    for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width; x++) {
            uint8_t *p = fu_pixel(im, x, y);
            p[0] = (uint8_t)(60 + x * 120 / im->width);
            p[1] = (uint8_t)(90 + y * 100 / im->height);
            p[2] = (uint8_t)(150 - x * 60 / im->width);
        }
}

/* Pastes sprite s with its top-left corner at (x, y), clipped to the image. */
static inline void tc_paste(facefuse_image *im, const tc_sprite *s, int x, int y)
{
    for (int sy = 0; sy < s->image.height; sy++) {
        int fy = y + sy;
        if (fy < 0 || fy >= im->height)
            continue;
        for (int sx = 0; sx < s->image.width; sx++) {
            int fx = x + sx;
            if (fx >= 0 && fx < im->width)
                memcpy(fu_pixel(im, fx, fy), fu_pixel(&s->image, sx, sy), 3);
        }
    }
}

static inline float tc_box_cx(const facefuse_face *f)
{
    return (f->box[0] + f->box[2]) / 2;
}

static inline float tc_box_cy(const facefuse_face *f)
{
    return (f->box[1] + f->box[3]) / 2;
}

#endif
