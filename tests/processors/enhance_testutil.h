/*
 * enhance_testutil.h — helpers (static, header-only) for the face enhancer,
 * mask and blend tests: private model directories holding chosen stand-ins
 * under FaceFusion's file names, the largest face of a sample image found
 * with scrfd and no optional landmark models.
 */
#ifndef FU_ENHANCE_TESTUTIL_H
#define FU_ENHANCE_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/image.h"
#include "testlib.h"

/* The largest face of im (scrfd, no landmarker, no recognizer); exits if none. */
static inline facefuse_face et_largest_face(facefuse_context *ctx, const facefuse_image *im)
{
    facefuse_analysis_params p = facefuse_analysis_default_params();
    facefuse_face *faces = NULL, best;
    int n = 0, k = 0;
    p.detector_model = "scrfd";
    p.landmarker_model = NULL;
    p.landmark_5_to_68_model = NULL;
    p.recognizer_model = NULL;
    if (facefuse_detect_faces(ctx, im, &p, &faces, &n) != FACEFUSE_OK || n == 0) {
        fprintf(stderr, "no face: %s\n", facefuse_context_errmsg(ctx));
        exit(2);
    }
    for (int i = 1; i < n; i++)
        if ((faces[i].box[2] - faces[i].box[0]) > (faces[k].box[2] - faces[k].box[0]))
            k = i;
    best = faces[k];
    facefuse_faces_free(faces);
    return best;
}

static inline facefuse_image et_copy(const facefuse_image *in)
{
    facefuse_image out = {0};
    fu_image_copy(&out, in);
    return out;
}

#endif
