/*
 * test_reference_matching.c — reference-face selection through the real
 * recognizer code path (alignment to arcface_112_v2, embedding, distance
 * (1 − cos)/2), with the shipped 128-d mobilefacenet registered as a test
 * recognizer: the same person at another scale and crop matches the
 * reference; the other person does not.
 */
#include "facetest.h"

#include "core/geometry.h"

static facefuse_context *ctx;

static facefuse_analysis_params with_recognizer(void)
{
    facefuse_analysis_params p = detector_only("scrfd");
    p.recognizer_model = "mobilefacenet";
    return p;
}

/* A scaled, shifted crop of img: a different picture of the same face. */
static void rescale_crop(const facefuse_image *img, facefuse_image *out, double scale, int dx, int dy)
{
    int w = (int)(img->width * 0.8), h = (int)(img->height * 0.8);
    fu_affine a = {{scale, 0, dx, 0, scale, dy}};
    facefuse_image_alloc(out, w, h, 3);
    fu_warp_affine(img, out, &a, FU_BORDER_REPLICATE);
}

static int analyse(const facefuse_image *img, facefuse_face **faces)
{
    facefuse_analysis_params p = with_recognizer();
    int n = 0;
    if (facefuse_detect_faces(ctx, img, &p, faces, &n) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", facefuse_context_errmsg(ctx));
        return -1;
    }
    return n;
}

static void same_person_matches_other_person_does_not(void)
{
    facefuse_image grace = {0}, grace2 = {0}, astro = {0}, group = {0};
    facefuse_face *ref = NULL, *other = NULL, *targets = NULL;
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &grace) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/astronaut.png"), &astro) == FACEFUSE_OK, "load");
    rescale_crop(&grace, &grace2, 0.7, -20, -10);

    REQUIRE(analyse(&grace, &ref) == 1, "reference face");
    REQUIRE(ref[0].embedding_dim == 128, "embedding dim %d", ref[0].embedding_dim);
    float norm = 0;
    for (int i = 0; i < 128; i++)
        norm += ref[0].normed_embedding[i] * ref[0].normed_embedding[i];
    CHECK(fabsf(norm - 1) < 1e-4f, "normed embedding has norm² %.5f", norm);

    /* A "group": the rescaled Grace Hopper and the astronaut side by side. */
    REQUIRE(facefuse_image_alloc(&group, grace2.width + astro.width, astro.height > grace2.height ? astro.height : grace2.height, 3) ==
                FACEFUSE_OK, "alloc");
    for (int y = 0; y < grace2.height; y++)
        memcpy(fu_pixel(&group, 0, y), fu_pixel(&grace2, 0, y), (size_t)grace2.width * 3);
    for (int y = 0; y < astro.height; y++)
        memcpy(fu_pixel(&group, grace2.width, y), fu_pixel(&astro, 0, y), (size_t)astro.width * 3);
    int n = analyse(&group, &targets);
    REQUIRE(n == 2, "group has %d faces", n);

    float d0 = facefuse_face_distance(&ref[0], &targets[0]);
    float d1 = facefuse_face_distance(&ref[0], &targets[1]);
    int grace_index = targets[0].box[0] < grace2.width ? 0 : 1;
    float d_same = grace_index == 0 ? d0 : d1, d_other = grace_index == 0 ? d1 : d0;
    printf("  distance to same person %.3f, to other person %.3f\n", d_same, d_other);
    CHECK(d_same < 0.3f, "same person at another scale: distance %.3f", d_same);
    CHECK(d_other >= 0.3f, "other person: distance %.3f", d_other);

    /* Reference mode keeps exactly the matching face. */
    facefuse_selector_params s = facefuse_selector_default_params();
    int count = n;
    REQUIRE(facefuse_select_faces(ctx, &s, ref, 1, targets, &count) == FACEFUSE_OK, "select");
    CHECK(count == 1, "reference selection kept %d faces", count);
    CHECK(count == 1 && targets[0].box[0] < grace2.width, "kept the wrong face (x %.1f)", targets[0].box[0]);

    /* And the astronaut as reference keeps only the astronaut. */
    REQUIRE(analyse(&astro, &other) == 1, "astronaut");
    facefuse_faces_free(targets);
    n = analyse(&group, &targets);
    count = n;
    REQUIRE(facefuse_select_faces(ctx, &s, other, 1, targets, &count) == FACEFUSE_OK, "select");
    CHECK(count == 1 && targets[0].box[0] >= grace2.width, "astronaut reference kept %d faces", count);

    facefuse_faces_free(ref);
    facefuse_faces_free(other);
    facefuse_faces_free(targets);
    facefuse_image_free(&grace);
    facefuse_image_free(&grace2);
    facefuse_image_free(&astro);
    facefuse_image_free(&group);
}

int main(void)
{
    ctx = tl_context();
    if (facefuse_register_recognizer(ctx, "mobilefacenet", tl_test_models("mobilefacenet.onnx"), 112, 0.5f, 0.5f) !=
        FACEFUSE_OK) {
        fprintf(stderr, "register: %s\n", facefuse_context_errmsg(ctx));
        return 1;
    }
    RUN(same_person_matches_other_person_does_not);
    facefuse_context_free(ctx);
    return tl_finish();
}
