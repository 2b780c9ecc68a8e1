/*
 * live_portrait_clitest.h — helpers (static, header-only) for the command-
 * line tests of expression_restorer and face_editor: a lossless copy of a
 * sample as the target, the face the command line finds on it (the same
 * chain and options), the rectangle a 512² crop pastes into, and pixel
 * counts inside and outside it.
 */
#ifndef FU_LIVE_PORTRAIT_CLITEST_H
#define FU_LIVE_PORTRAIT_CLITEST_H

#include <stdlib.h>
#include <string.h>

#include "configlib.h"
#include "core/geometry.h"
#include "core/image.h"
#include "pipeline/chain.h"
#include "processors/live_portrait.h"
#include "processors/paste.h"
#include "testlib.h"

/* The analysis options every run of these tests uses. */
#define LC_ANALYSIS "--face-detector-model scrfd --face-landmarker-score 0"

/* Writes the sample `rel` as a PNG under the test's tmp dir; returns its path. */
static inline const char *lc_png_target(facefuse_context *ctx, const char *rel, const char *name)
{
    facefuse_image im = tl_load(ctx, rel);
    const char *path = tl_tmp(name);
    if (facefuse_image_save(ctx, path, &im, 100) != FACEFUSE_OK) {
        fprintf(stderr, "cannot write %s: %s\n", path, facefuse_context_errmsg(ctx));
        exit(2);
    }
    facefuse_image_free(&im);
    return path;
}

/* The first face the command line selects on im with `processors`
 * ("--processors …"): the run's own option tables and chain. */
static inline facefuse_face lc_selected_face(facefuse_context *ctx, const facefuse_image *im, const char *processors)
{
    char args[1024];
    tl_config c;
    fu_chain *chain = NULL;
    fu_frame_faces faces;
    fu_chain_target target = {0, 0, 0};
    facefuse_face face;
    fu_err err;
    snprintf(args, sizeof args, "%s %s", processors, LC_ANALYSIS);
    fu_run_config *cfg = tl_config_init(&c, args);
    if (fu_chain_new(ctx, cfg, &target, &chain, &err) != FACEFUSE_OK ||
        fu_chain_set_reference(chain, im, &err) != FACEFUSE_OK ||
        fu_chain_analyse(chain, im, &faces, &err) != FACEFUSE_OK || faces.selected_count < 1) {
        fprintf(stderr, "no face selected: %s\n", err.msg);
        exit(2);
    }
    face = faces.selected[0];
    fu_frame_faces_free(&faces);
    fu_chain_free(chain);
    tl_config_free(&c);
    return face;
}

/* The frame rectangle a 512² crop cut by landmarks lm5 on `template` pastes into. */
static inline void lc_paste_rect(const facefuse_image *im, const facefuse_point lm5[5], const char *template_name,
                                 int rect[4])
{
    fu_affine a = fu_align_to_template(lm5, template_name, FU_LP_CROP_PX);
    fu_paste_rect(im->width, im->height, FU_LP_CROP_PX, &a, rect);
}

typedef struct lc_changes {
    long inside, outside; /* pixels whose RGB differ, inside / outside rect */
    double inside_mean;   /* mean |difference| per value inside */
} lc_changes;

static inline lc_changes lc_compare(const facefuse_image *a, const facefuse_image *b, const int rect[4])
{
    lc_changes c = {0, 0, 0};
    long n = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++) {
            const uint8_t *p = fu_pixel(a, x, y), *q = fu_pixel(b, x, y);
            int in = x >= rect[0] && x < rect[2] && y >= rect[1] && y < rect[3];
            int differ = memcmp(p, q, 3) != 0;
            if (!in) {
                c.outside += differ;
                continue;
            }
            c.inside += differ;
            for (int ch = 0; ch < 3; ch++)
                c.inside_mean += abs(p[ch] - q[ch]);
            n += 3;
        }
    c.inside_mean /= n ? (double)n : 1.0;
    return c;
}

/* 1 when the two files hold the same bytes. */
static inline int lc_same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* Runs "headless-run -t target -o out <rest>" at --log-level error; the exit code.
 * Without the provenance tag, which names the processors: the tests compare
 * outputs of different chains byte for byte. */
static inline int lc_run(const char *target, const char *out, const char *rest)
{
    char args[4096], *e = NULL;
    snprintf(args, sizeof args,
             "headless-run -t '%s' -o '%s' %s " LC_ANALYSIS " --log-level error --output-provenance none", target,
             out, rest);
    int code = tl_run_cli(args, NULL, &e);
    if (code != 0)
        fprintf(stderr, "    facefuse %s: exit %d: %s\n", args, code, e ? e : "");
    free(e);
    return code;
}

#endif
