/*
 * face_debugger.c — draws what face analysis found, as FaceFusion's
 * face_debugger: bounding-box (with the detector score), face-landmark-5,
 * face-landmark-5/68, face-landmark-68, face-landmark-68/5, face-mask (the
 * outline of the box mask of the swap crop, padding included).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/draw.h"
#include "core/geometry.h"
#include "processors/processor.h"

static const char *items[] = {"bounding-box", "face-landmark-5", "face-landmark-5/68",
                              "face-landmark-68", "face-landmark-68/5", "face-mask"};

int fu_debugger_item_known(const char *name)
{
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (strcmp(items[i], name) == 0)
            return 1;
    return 0;
}

static int wants(const fu_run_config *cfg, const char *item)
{
    for (int i = 0; i < cfg->debugger_item_count; i++)
        if (strcmp(cfg->debugger_items[i], item) == 0)
            return 1;
    return 0;
}

static void draw_points(facefuse_image *im, const facefuse_point *p, int n, float radius, fu_rgb c)
{
    for (int i = 0; i < n; i++)
        if (p[i].x != 0 || p[i].y != 0)
            fu_draw_disc(im, p[i].x, p[i].y, radius, c);
}

/* The box-mask border of the arcface_128 crop at 128 px, mapped to the frame. */
static void draw_mask_outline(facefuse_image *im, const fu_run_config *cfg, const facefuse_face *f,
                              int thickness, fu_rgb c)
{
    const int size = 128;
    fu_affine a = fu_align_to_template(f->landmark_5_68, "arcface_128", size);
    fu_affine inv = fu_affine_invert(&a);
    int blur = (int)(size * 0.5 * cfg->mask_blur);
    float border = blur / 2 > 1 ? (float)(blur / 2) : 1.0f;
    float pad[4];
    for (int i = 0; i < 4; i++)
        pad[i] = fmaxf(border, size * cfg->mask_padding[i] / 100.0f);
    facefuse_point q[4] = {{pad[3], pad[0]}, {size - pad[1], pad[0]},
                           {size - pad[1], size - pad[2]}, {pad[3], size - pad[2]}};
    for (int i = 0; i < 4; i++) {
        facefuse_point p0 = fu_affine_apply(&inv, q[i]), p1 = fu_affine_apply(&inv, q[(i + 1) % 4]);
        fu_draw_line(im, p0.x, p0.y, p1.x, p1.y, thickness, c);
    }
}

static facefuse_status debug_frame(fu_frame *f, fu_err *err)
{
    const fu_rgb red = {255, 0, 0}, green = {0, 255, 0}, blue = {0, 120, 255}, yellow = {255, 255, 0},
                 magenta = {255, 0, 255};
    facefuse_image *im = f->frame;
    const fu_run_config *cfg = f->cfg;

    for (int i = 0; i < f->face_count; i++) {
        const facefuse_face *face = &f->faces[i];
        float w = face->box[2] - face->box[0];
        int thick = w > 200 ? 3 : 2;
        float radius = w > 200 ? 3.0f : 2.0f;
        if (wants(cfg, "bounding-box")) {
            char score[16];
            fu_draw_rect(im, face->box[0], face->box[1], face->box[2], face->box[3], thick, red);
            snprintf(score, sizeof score, "%.2f", face->detector_score);
            fu_draw_text(im, (int)face->box[0], (int)face->box[1] - 18, score, 2, red);
        }
        if (wants(cfg, "face-mask"))
            draw_mask_outline(im, cfg, face, thick, magenta);
        if (wants(cfg, "face-landmark-5"))
            draw_points(im, face->landmark_5, 5, radius + 1, red);
        if (wants(cfg, "face-landmark-5/68"))
            draw_points(im, face->landmark_5_68, 5, radius + 1, green);
        if (wants(cfg, "face-landmark-68") && face->has_landmark_68)
            draw_points(im, face->landmark_68, 68, radius, yellow);
        if (wants(cfg, "face-landmark-68/5"))
            draw_points(im, face->landmark_68_5, 68, radius, blue);
    }
    return FACEFUSE_OK;
}

const fu_processor fu_face_debugger = {"face_debugger", NULL, debug_frame, NULL};
