/*
 * test_detect_decoding_standins.c — decoding of the detectors that cannot
 * ship, through stand-ins with their exact output contracts and constant
 * raw detections (tests/models/gen_detectors.py): yolo_face's 1×20×8400
 * rows mapped back through the letterbox ratio, with NMS removing the
 * weaker duplicate and the score threshold the low one; retinaface's
 * anchor/distance decoding; "many" pooling detectors with IoU 0.1.
 */
#include "facetest.h"

static facefuse_context *ctx;

static int detect(const char *model, int w, int h, facefuse_face **faces)
{
    facefuse_image img = {0};
    facefuse_analysis_params p = detector_only(model);
    int n = -1;
    facefuse_image_alloc(&img, w, h, 3);
    if (facefuse_detect_faces(ctx, &img, &p, faces, &n) != FACEFUSE_OK)
        fprintf(stderr, "%s\n", facefuse_context_errmsg(ctx));
    facefuse_image_free(&img);
    return n;
}

static void yolo_face_rows_map_back_through_the_letterbox(void)
{
    facefuse_face *f = NULL;
    /* 1280×720 is shrunk by 2 into the 640 canvas: everything doubles. */
    int n = detect("yolo_face", 1280, 720, &f);
    REQUIRE(n == 1, "%d faces (duplicate not suppressed or low score kept?)", n);
    const float want[4] = {540, 260, 740, 540};
    for (int i = 0; i < 4; i++)
        CHECK(fabsf(f[0].box[i] - want[i]) < 0.01f, "box[%d] = %.2f, expected %.0f", i, f[0].box[i], want[i]);
    CHECK(fabsf(f[0].detector_score - 0.9f) < 1e-6f, "score %.3f", f[0].detector_score);
    for (int k = 0; k < 5; k++) {
        facefuse_point p = {(float)((320 - 20 + 10 * k) * 2), (float)((200 - 10 + 5 * k) * 2)};
        CHECK(point_distance(f[0].landmark_5[k], p) < 0.01f, "landmark %d (%.2f,%.2f)", k, f[0].landmark_5[k].x,
              f[0].landmark_5[k].y);
    }
    facefuse_faces_free(f);
}

static void retinaface_decodes_anchor_distances(void)
{
    facefuse_face *f = NULL;
    int n = detect("retinaface", 640, 640, &f);
    REQUIRE(n == 1, "%d faces", n);
    /* stride 16, cell (row 10, col 20): centre (320, 160); distances 5 6 7 8. */
    const float want[4] = {320 - 5 * 16, 160 - 6 * 16, 320 + 7 * 16, 160 + 8 * 16};
    for (int i = 0; i < 4; i++)
        CHECK(fabsf(f[0].box[i] - want[i]) < 0.01f, "box[%d] = %.2f, expected %.0f", i, f[0].box[i], want[i]);
    const float kx[5] = {-2, 2, 0, -1, 1}, ky[5] = {-1, -1, 1, 3, 3};
    for (int k = 0; k < 5; k++) {
        facefuse_point p = {320 + kx[k] * 16, 160 + ky[k] * 16};
        CHECK(point_distance(f[0].landmark_5[k], p) < 0.01f, "landmark %d", k);
    }
    facefuse_faces_free(f);
}

static void many_pools_detectors_and_keeps_the_best(void)
{
    facefuse_face *f = NULL;
    /* retinaface (0.95) and yolo_face (0.9) overlap with IoU 0.33 > 0.1:
     * one face, retinaface's. SCRFD finds nothing on a black frame. */
    int n = detect("many", 640, 640, &f);
    REQUIRE(n == 1, "%d faces", n);
    CHECK(fabsf(f[0].detector_score - 0.95f) < 1e-6f, "kept score %.3f", f[0].detector_score);
    facefuse_faces_free(f);
}

int main(void)
{
    ctx = tl_context();
    RUN(yolo_face_rows_map_back_through_the_letterbox);
    RUN(retinaface_decodes_anchor_distances);
    RUN(many_pools_detectors_and_keeps_the_best);
    facefuse_context_free(ctx);
    return tl_finish();
}
