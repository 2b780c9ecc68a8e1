/*
 * test_detect_matches_reference.c — SCRFD-2.5G and YuNet find exactly one
 * face in each shared portrait, where an independent implementation of
 * FaceFusion's pipeline found it: SCRFD's box within 3 px and every landmark
 * within 2 px of the reference.
 *
 * YuNet is a different network, so it is compared with the SCRFD reference
 * loosely: its eyes and nose agree within ~6 px, but on Grace Hopper it puts
 * the left mouth corner 14 px higher than SCRFD does (the nose agrees within
 * 1.3 px, so this is the model, not a decoding offset: a decoding error moves
 * every point). What pins YuNet's decoding down exactly is equivariance: the
 * image shifted by 64 px (a multiple of every stride) must give the same
 * landmarks shifted by 64 px.
 */
#include "facetest.h"

static facefuse_context *ctx;

static void check_image(const char *name, const char *model, float box_tol, float lm_tol, float mean_tol)
{
    facefuse_image img = {0};
    facefuse_face *faces = NULL;
    facefuse_analysis_params p = detector_only(model);
    ref_face ref;
    int n = 0;

    REQUIRE(load_reference(name, &ref), "reference for %s", name);
    REQUIRE(facefuse_image_load(ctx, tl_shared(name[0] == 'a' ? "samples/astronaut.png" : "samples/grace_hopper.jpg"),
                                &img) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    REQUIRE(facefuse_detect_faces(ctx, &img, &p, &faces, &n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    CHECK(n == 1, "%s with %s: %d faces", name, model, n);
    if (n >= 1) {
        for (int i = 0; i < 4 && box_tol > 0; i++)
            CHECK(fabsf(faces[0].box[i] - ref.box[i]) <= box_tol, "%s %s box[%d] %.2f vs %.2f", name, model, i,
                  faces[0].box[i], ref.box[i]);
        for (int i = 0; i < 5; i++)
            CHECK(point_distance(faces[0].landmark_5[i], ref.lm[i]) <= lm_tol,
                  "%s %s landmark %d (%.2f,%.2f) vs (%.2f,%.2f)", name, model, i, faces[0].landmark_5[i].x,
                  faces[0].landmark_5[i].y, ref.lm[i].x, ref.lm[i].y);
        float mean = 0;
        for (int i = 0; i < 5; i++)
            mean += point_distance(faces[0].landmark_5[i], ref.lm[i]) / 5;
        CHECK(mean <= mean_tol, "%s %s mean landmark error %.2f > %.2f", name, model, mean, mean_tol);
        CHECK(faces[0].detector_score >= 0.5f, "score %.3f", faces[0].detector_score);
    }
    facefuse_faces_free(faces);
    facefuse_image_free(&img);
}

static void scrfd_astronaut_within_3px_box_2px_landmarks(void)
{
    check_image("astronaut.png", "scrfd", 3, 2, 2);
}

static void scrfd_grace_hopper_within_3px_box_2px_landmarks(void)
{
    check_image("grace_hopper.jpg", "scrfd", 3, 2, 2);
}

static void yunet_astronaut_agrees_with_reference(void)
{
    check_image("astronaut.png", "yunet", 0, 15, 6.5f);
}

static void yunet_grace_hopper_agrees_with_reference(void)
{
    check_image("grace_hopper.jpg", "yunet", 0, 15, 6.5f);
}

static void yunet_decoding_is_shift_equivariant(void)
{
    const int shift = 64;
    facefuse_image img = {0}, shifted = {0};
    facefuse_face *a = NULL, *b = NULL;
    facefuse_analysis_params p = detector_only("yunet");
    int na = 0, nb = 0;
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/astronaut.png"), &img) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_image_alloc(&shifted, img.width, img.height, 3) == FACEFUSE_OK, "alloc");
    for (int y = 0; y + shift < img.height; y++)
        memcpy(fu_pixel(&shifted, shift, y + shift), fu_pixel(&img, 0, y), (size_t)(img.width - shift) * 3);
    REQUIRE(facefuse_detect_faces(ctx, &img, &p, &a, &na) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    REQUIRE(facefuse_detect_faces(ctx, &shifted, &p, &b, &nb) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    CHECK(na == 1 && nb == 1, "%d and %d faces", na, nb);
    for (int i = 0; na == 1 && nb == 1 && i < 5; i++) {
        facefuse_point moved = {a[0].landmark_5[i].x + shift, a[0].landmark_5[i].y + shift};
        CHECK(point_distance(b[0].landmark_5[i], moved) <= 0.5f, "landmark %d moved to (%.2f,%.2f), expected (%.2f,%.2f)",
              i, b[0].landmark_5[i].x, b[0].landmark_5[i].y, moved.x, moved.y);
    }
    facefuse_faces_free(a);
    facefuse_faces_free(b);
    facefuse_image_free(&img);
    facefuse_image_free(&shifted);
}

static void larger_detector_sizes_also_find_one_face(void)
{
    /* 512 and 320 inputs: the portrait is downscaled into the letterbox
     * and results mapped back; landmarks stay within a few pixels. */
    int sizes[] = {512, 320};
    for (int s = 0; s < 2; s++) {
        facefuse_image img = {0};
        facefuse_face *faces = NULL;
        facefuse_analysis_params p = detector_only("scrfd");
        ref_face ref;
        int n = 0;
        p.detector_size = sizes[s];
        REQUIRE(load_reference("grace_hopper.jpg", &ref), "reference");
        REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &img) == FACEFUSE_OK, "load");
        REQUIRE(facefuse_detect_faces(ctx, &img, &p, &faces, &n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
        CHECK(n == 1, "size %d: %d faces", sizes[s], n);
        for (int i = 0; n == 1 && i < 5; i++)
            CHECK(point_distance(faces[0].landmark_5[i], ref.lm[i]) <= 8, "size %d landmark %d off by %.1f",
                  sizes[s], i, point_distance(faces[0].landmark_5[i], ref.lm[i]));
        facefuse_faces_free(faces);
        facefuse_image_free(&img);
    }
}

static void margin_keeps_coordinates_in_the_original_frame(void)
{
    facefuse_image img = {0};
    facefuse_face *faces = NULL;
    facefuse_analysis_params p = detector_only("scrfd");
    ref_face ref;
    int n = 0;
    for (int i = 0; i < 4; i++)
        p.detector_margin[i] = 20;
    REQUIRE(load_reference("astronaut.png", &ref), "reference");
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/astronaut.png"), &img) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_detect_faces(ctx, &img, &p, &faces, &n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    CHECK(n == 1, "%d faces", n);
    for (int i = 0; n == 1 && i < 5; i++)
        CHECK(point_distance(faces[0].landmark_5[i], ref.lm[i]) <= 6, "landmark %d off by %.1f", i,
              point_distance(faces[0].landmark_5[i], ref.lm[i]));
    facefuse_faces_free(faces);
    facefuse_image_free(&img);
}

int main(void)
{
    ctx = tl_context();
    RUN(scrfd_astronaut_within_3px_box_2px_landmarks);
    RUN(scrfd_grace_hopper_within_3px_box_2px_landmarks);
    RUN(yunet_astronaut_agrees_with_reference);
    RUN(yunet_grace_hopper_agrees_with_reference);
    RUN(yunet_decoding_is_shift_equivariant);
    RUN(larger_detector_sizes_also_find_one_face);
    RUN(margin_keeps_coordinates_in_the_original_frame);
    facefuse_context_free(ctx);
    return tl_finish();
}
