/*
 * test_swap_latent.c — the identity vector the swapper model receives.
 * A stand-in linked as inswapper_128 outputs 0.5 + 0.5·source tiled over
 * the crop, so the latent the model was fed can be read back from its output
 * and compared with this file's own computation: average the source faces'
 * raw embeddings, normalise, multiply by the emap (the generator's formula),
 * normalise (insightface), then blend with the target's normed embedding by
 * the weight (FaceFusion).
 */
#include <math.h>

#include "processors/swap_identity.h"
#include "processors/swap_model.h"
#include "swap_testutil.h"

static facefuse_context *ctx;

/* The raw embedding of the largest face in the image. */
static void embed(const facefuse_image *im, facefuse_face *face)
{
    facefuse_analysis_params ap = st_analysis(ST_RECOGNIZER);
    facefuse_face *faces = NULL;
    int n = 0;
    if (facefuse_detect_faces(ctx, im, &ap, &faces, &n) != FACEFUSE_OK || n == 0) {
        fprintf(stderr, "no face: %s\n", facefuse_context_errmsg(ctx));
        exit(2);
    }
    *face = *st_largest(faces, n);
    facefuse_faces_free(faces);
}

/* normalise(normalise(e)·EMAP), in double. */
static void expected_latent(const float *e, double *out)
{
    double ne = 0, nl = 0;
    for (int i = 0; i < 512; i++)
        ne += (double)e[i] * e[i];
    ne = sqrt(ne);
    for (int j = 0; j < 512; j++) {
        double s = 0;
        for (int i = 0; i < 512; i++)
            s += e[i] / ne * st_emap(i, j);
        out[j] = s;
        nl += s * s;
    }
    for (int j = 0; j < 512; j++)
        out[j] /= sqrt(nl);
}

/* Runs the probe model on an arbitrary crop and decodes the latent it got. */
static void latent_fed_to_model(const fu_swapper *sw, const float *latent, float *got)
{
    facefuse_image crop = {0};
    float *out = malloc(sizeof(float) * 128 * 128 * 3);
    fu_err err;
    fu_err_clear(&err);
    facefuse_image_alloc(&crop, 128, 128, 3);
    if (fu_swapper_swap_crop(sw, &crop, latent, out, &err) != FACEFUSE_OK)
        fprintf(stderr, "swap_crop: %s\n", err.msg);
    for (int i = 0; i < 512; i++)
        got[i] = (out[((i / 128) * 128 + i % 128) * 3] / 255.0f - 0.5f) * 2.0f;
    facefuse_image_free(&crop);
    free(out);
}

static double max_diff(const float *a, const double *b, int n)
{
    double worst = 0;
    for (int i = 0; i < n; i++)
        worst = fmax(worst, fabs(a[i] - b[i]));
    return worst;
}

static void test_single_source_latent(void)
{
    facefuse_image src = tl_load(ctx, "samples/astronaut.png");
    facefuse_analysis_params ap = st_analysis(ST_RECOGNIZER);
    facefuse_source_identity *id = NULL;
    fu_swapper *sw = NULL;
    facefuse_face face;
    float latent[512], got[512];
    double want[512];
    fu_err err;
    fu_err_clear(&err);

    REQUIRE(facefuse_source_identity_from_images(ctx, &src, 1, &ap, &id) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    embed(&src, &face);
    CHECK(id->dim == 512 && id->face_count == 1, "dim %d faces %d", id->dim, id->face_count);
    expected_latent(face.embedding, want);
    REQUIRE(fu_swapper_open(ctx, "inswapper_128", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_swapper_latent(sw, id, NULL, 0.5f, latent, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(max_diff(latent, want, 512) < 1e-4, "latent differs by %g", max_diff(latent, want, 512));
    latent_fed_to_model(sw, latent, got);
    CHECK(max_diff(got, want, 512) < 1e-4, "the model received a latent %g away from the expected",
          max_diff(got, want, 512));
    double norm = 0;
    for (int i = 0; i < 512; i++)
        norm += (double)got[i] * got[i];
    CHECK(fabs(sqrt(norm) - 1) < 1e-3, "the latent is normalised after the projection: |l| = %g", sqrt(norm));
    fu_swapper_close(sw);
    facefuse_source_identity_free(id);
    facefuse_image_free(&src);
}

static void test_two_sources_average_and_weight(void)
{
    facefuse_image src[2] = {tl_load(ctx, "samples/astronaut.png"), tl_load(ctx, "samples/grace_hopper.jpg")};
    facefuse_analysis_params ap = st_analysis(ST_RECOGNIZER);
    facefuse_source_identity *id = NULL;
    fu_swapper *sw = NULL;
    facefuse_face f0, f1, target;
    float avg[512], latent[512], got[512];
    double want[512];
    fu_err err;
    fu_err_clear(&err);

    REQUIRE(facefuse_source_identity_from_images(ctx, src, 2, &ap, &id) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    embed(&src[0], &f0);
    embed(&src[1], &f1);
    double worst_raw = 0, worst_normed = 0, cos = 0;
    for (int i = 0; i < 512; i++) {
        avg[i] = (f0.embedding[i] + f1.embedding[i]) / 2;
        worst_raw = fmax(worst_raw, fabs(id->embedding[i] - avg[i]));
        worst_normed = fmax(worst_normed,
                            fabs(id->normed_embedding[i] - (f0.normed_embedding[i] + f1.normed_embedding[i]) / 2));
        cos += (double)f0.normed_embedding[i] * f1.normed_embedding[i];
    }
    CHECK(id->face_count == 2, "faces averaged: %d", id->face_count);
    CHECK(worst_raw < 1e-5 && worst_normed < 1e-6, "averages differ by %g / %g", worst_raw, worst_normed);
    CHECK(cos < 0.9, "the two sources are different people (cos %g)", cos);

    /* weight 1: w' = −0.35, latent·1.35 − 0.35·target; the target is grace. */
    target = f1;
    expected_latent(avg, want);
    for (int i = 0; i < 512; i++)
        want[i] = want[i] * 1.35 - 0.35 * target.normed_embedding[i];
    REQUIRE(fu_swapper_open(ctx, "inswapper_128", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_swapper_latent(sw, id, &target, 1.0f, latent, &err) == FACEFUSE_OK, "%s", err.msg);
    latent_fed_to_model(sw, latent, got);
    CHECK(max_diff(got, want, 512) < 1e-4, "weight 1: model got a latent %g away", max_diff(got, want, 512));
    /* weight 0: w' = +0.35. */
    expected_latent(avg, want);
    for (int i = 0; i < 512; i++)
        want[i] = want[i] * 0.65 + 0.35 * target.normed_embedding[i];
    REQUIRE(fu_swapper_latent(sw, id, &target, 0.0f, latent, &err) == FACEFUSE_OK, "%s", err.msg);
    latent_fed_to_model(sw, latent, got);
    CHECK(max_diff(got, want, 512) < 1e-4, "weight 0: model got a latent %g away", max_diff(got, want, 512));
    /* A weight that needs the target without an embedding is refused. */
    target.embedding_dim = 0;
    CHECK(fu_swapper_latent(sw, id, &target, 0.2f, latent, &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "weight without a target embedding accepted");
    fu_swapper_close(sw);
    facefuse_source_identity_free(id);
    facefuse_image_free(&src[0]);
    facefuse_image_free(&src[1]);
}

int main(void)
{
    ctx = st_context_with("latent-models", "swap_latent_128.onnx");
    RUN(test_single_source_latent);
    RUN(test_two_sources_average_and_weight);
    facefuse_context_free(ctx);
    return tl_finish();
}
