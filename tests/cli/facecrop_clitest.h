/*
 * facecrop_clitest.h — helpers (static, header-only) for the command-line
 * tests of the face-crop processors (age modifier, deep swapper): a
 * lossless copy of a sample as the target, the face the run finds in it,
 * and where the output differs from the target, inside and outside the
 * frame rectangle a processor's crop of that face covers.
 */
#ifndef FU_FACECROP_CLITEST_H
#define FU_FACECROP_CLITEST_H

#include <stdlib.h>
#include <string.h>

#include "clitest.h"
#include "core/geometry.h"
#include "core/image.h"
#include "processors/paste.h"

/* Runs are offline: a model missing from the cache fails at once. */
static inline void fc_offline(void)
{
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-facefuse-mirror", 1);
}

/* The sample saved as PNG at tl_tmp(name), loaded into *image; NULL (a
 * failed check) when it cannot be. */
static inline const char *fc_lossless_target(facefuse_context *ctx, const char *sample, const char *name,
                                             facefuse_image *image)
{
    const char *path = tl_tmp(name);
    int ok = facefuse_image_load(ctx, tl_shared(sample), image) == FACEFUSE_OK &&
             facefuse_image_save(ctx, path, image, 100) == FACEFUSE_OK;
    CHECK(ok, "%s as %s: %s", sample, path, facefuse_context_errmsg(ctx));
    return ok ? path : NULL;
}

/* The largest face of image as the runs analyse it (scrfd, no 68-point
 * landmarker: --face-detector-model scrfd --face-landmarker-score 0). */
static inline int fc_face(facefuse_context *ctx, const facefuse_image *image, facefuse_face *face)
{
    facefuse_analysis_params p = facefuse_analysis_default_params();
    facefuse_face *faces = NULL;
    int n = 0, best = -1;
    float best_area = 0;
    p.detector_model = "scrfd";
    p.landmarker_score = 0;
    if (facefuse_detect_faces(ctx, image, &p, &faces, &n) != FACEFUSE_OK)
        return 0;
    for (int i = 0; i < n; i++) {
        float area = (faces[i].box[2] - faces[i].box[0]) * (faces[i].box[3] - faces[i].box[1]);
        if (area > best_area)
            best_area = area, best = i;
    }
    if (best >= 0)
        *face = faces[best];
    facefuse_faces_free(faces);
    return best >= 0;
}

typedef struct fc_change {
    long outside;      /* values changed outside the crop's rectangle */
    long inside;       /* values changed inside it */
    double centre_mean; /* mean signed change over the middle ninth of the crop's rectangle */
    double centre_abs;  /* mean absolute change there */
} fc_change;

/* How out differs from in, against the frame rectangle of a size-px crop
 * of face aligned to template_name. */
static inline fc_change fc_compare(const facefuse_image *in, const facefuse_image *out, const facefuse_face *face,
                                   const char *template_name, int size)
{
    fc_change c = {0, 0, 0, 0};
    fu_affine a = fu_align_to_template(face->landmark_5_68, template_name, size);
    int r[4];
    long n = 0;
    double sum = 0, sum_abs = 0;
    fu_paste_rect(in->width, in->height, size, &a, r);
    int w3 = (r[2] - r[0]) / 3, h3 = (r[3] - r[1]) / 3;
    for (int y = 0; y < in->height; y++)
        for (int x = 0; x < in->width; x++) {
            int inside = x >= r[0] && x < r[2] && y >= r[1] && y < r[3];
            int centre = x >= r[0] + w3 && x < r[2] - w3 && y >= r[1] + h3 && y < r[3] - h3;
            for (int k = 0; k < 3; k++) {
                int d = fu_pixel(out, x, y)[k] - fu_pixel(in, x, y)[k];
                if (inside)
                    c.inside += d != 0;
                else
                    c.outside += d != 0;
                if (centre)
                    sum += d, sum_abs += abs(d), n++;
            }
        }
    c.centre_mean = n ? sum / n : 0;
    c.centre_abs = n ? sum_abs / n : 0;
    return c;
}

#endif
