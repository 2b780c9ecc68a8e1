/*
 * analyse.h — face analysis stages shared by the library's files.
 *
 * fu_detect_faces runs the detector(s) over all requested angles with
 * FaceFusion's letterboxing, decoding and NMS policy; fu_analyse_faces then
 * adds landmarks (fan_68_5, 2dfan4), the embedding and the classification.
 * The public facefuse_detect_faces is both, in order.
 */
#ifndef FU_ANALYSE_H
#define FU_ANALYSE_H

#include "core/error.h"
#include "core/geometry.h"
#include "infer/ort.h"

typedef struct fu_detection {
    float box[4];
    float score;
    facefuse_point landmark_5[5];
} fu_detection;

/* *out is malloc'd (NULL when *count is 0). */
facefuse_status fu_detect_faces(facefuse_context *ctx, const facefuse_image *image,
                                const facefuse_analysis_params *p, fu_detection **out, int *count,
                                fu_err *err);

/* Greedy NMS on detections sorted by score; keeps those whose IoU with a
 * kept one is <= iou. Returns the new count (in place). */
int fu_nms(fu_detection *d, int n, float iou);

/* Landmarks, angle, embedding and class for one detection. */
facefuse_status fu_analyse_face(facefuse_context *ctx, const facefuse_image *rgb,
                                const facefuse_analysis_params *p, const fu_detection *d,
                                facefuse_face *face, fu_err *err);

/* Detection and analysis of every face of image (RGB, or RGBA looked at
 * without its alpha): what facefuse_detect_faces does, reporting into err.
 * *faces is malloc'd (NULL when *count is 0). */
facefuse_status fu_analyse_frame(facefuse_context *ctx, const facefuse_image *image,
                                 const facefuse_analysis_params *params, facefuse_face **faces, int *count,
                                 fu_err *err);

/* The embedding of the face in `face` (uses face->landmark_5_68). */
facefuse_status fu_embed_face(facefuse_context *ctx, const facefuse_image *rgb, const char *model,
                              facefuse_face *face, fu_err *err);

/* The face classifier's session (gender, age, race: fetched when allowed,
 * its outputs checked), so a run that needs it fails before its first
 * face when the model is missing. */
facefuse_status fu_classifier_open(facefuse_context *ctx, const char *model, fu_session **out, fu_err *err);

/* Fills a planar float tensor (1×3×h×w) from an RGB image:
 * (pixel/255 − mean[c]) / std[c], channels in RGB order, or BGR when bgr. */
void fu_image_to_planar(const facefuse_image *img, const float mean[3], const float std[3], int bgr,
                        float *out);

#endif
