/*
 * test_enhancer_public_api.c — facefuse_enhance_faces through the public
 * header: blend 0 leaves the image byte-identical, CodeFormer's weight
 * reaches the model (two weights, two different faces), pixels far from the
 * face never change, and bad parameters or a missing model are errors with
 * a message.
 */
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "testlib.h"

static facefuse_context *ctx;

static long differing(const facefuse_image *a, const facefuse_image *b, int y0, int y1)
{
    long n = 0;
    for (int y = y0; y < y1; y++)
        n += memcmp(fu_pixel(a, 0, y), fu_pixel(b, 0, y), (size_t)a->width * (size_t)a->channels) != 0;
    return n;
}

static void enhance_through_the_public_header(void)
{
    facefuse_image original = {0}, a = {0}, b = {0};
    facefuse_face *faces = NULL;
    int n = 0;
    facefuse_analysis_params ap = facefuse_analysis_default_params();
    ap.detector_model = "scrfd";
    ap.landmarker_model = NULL;
    ap.landmark_5_to_68_model = NULL;
    ap.recognizer_model = NULL;
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &original) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_detect_faces(ctx, &original, &ap, &faces, &n) == FACEFUSE_OK && n == 1, "%d faces", n);

    facefuse_enhancer_params p = facefuse_enhancer_default_params();
    p.model = "codeformer";
    p.blend = 0;
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &a) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_enhance_faces(ctx, &p, &a, faces, n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    CHECK(differing(&a, &original, 0, a.height) == 0, "blend 0 changed the image");

    p.blend = 100;
    p.weight = 0.2f;
    REQUIRE(facefuse_enhance_faces(ctx, &p, &a, faces, n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &b) == FACEFUSE_OK, "load");
    p.weight = 0.8f;
    REQUIRE(facefuse_enhance_faces(ctx, &p, &b, faces, n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    CHECK(differing(&a, &b, (int)faces[0].box[1], (int)faces[0].box[3]) > 50, "the weight made no difference");
    CHECK(differing(&a, &original, 480, a.height) == 0 && differing(&b, &original, 480, b.height) == 0,
          "pixels far below the face changed");

    p.blend = 101;
    CHECK(facefuse_enhance_faces(ctx, &p, &a, faces, n) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(facefuse_context_errmsg(ctx), "101"), "blend 101: %s", facefuse_context_errmsg(ctx));
    p.blend = 80;
    p.model = "gpen_bfr_2048"; /* not in the test cache, downloads off */
    CHECK(facefuse_enhance_faces(ctx, &p, &a, faces, n) == FACEFUSE_ERR_MODEL_MISSING &&
              strstr(facefuse_context_errmsg(ctx), "gpen_bfr_2048"), "%s", facefuse_context_errmsg(ctx));
    facefuse_faces_free(faces);
    facefuse_image_free(&original);
    facefuse_image_free(&a);
    facefuse_image_free(&b);
}

int main(void)
{
    ctx = tl_context();
    RUN(enhance_through_the_public_header);
    facefuse_context_free(ctx);
    return tl_finish();
}
