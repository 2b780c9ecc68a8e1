/*
 * test_swap_models.c — each supported swapper type gets its inputs bound and
 * normalised right, and its output de-normalised right: the stand-ins
 * compute out = target·0.5 + source·W per channel (see gen_swapper.py), so
 * on a flat grey crop the pipeline's float crop is known exactly.
 * inswapper_128 (target first, mean 0 std 1), inswapper_128_fp16 (float16
 * tensors), hyperswap_1a_256 (source first, mean 0.5 std 0.5, output
 * x·0.5 + 0.5).
 */
#include <math.h>

#include "processors/swap_model.h"
#include "swap_testutil.h"

static double expected(const char *model, const float *latent, int c, double grey)
{
    double s = 0;
    for (int i = 0; i < 512; i++)
        s += latent[i] * st_w(i, c);
    int hyper = strncmp(model, "hyperswap", 9) == 0;
    double t = hyper ? (grey / 255 - 0.5) / 0.5 : grey / 255;
    double v = t * 0.5 + s;
    if (hyper)
        v = v * 0.5 + 0.5;
    return fmin(fmax(v, 0), 1) * 255;
}

static void check_model(facefuse_context *ctx, const char *model, double tolerance)
{
    fu_swapper *sw = NULL;
    fu_err err;
    float latent[512];
    fu_err_clear(&err);
    REQUIRE(fu_swapper_open(ctx, model, 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s: %s", model, err.msg);
    int p = fu_swapper_crop_size(sw);
    CHECK(fu_swapper_latent_dim(sw) == 512, "%s: latent dim %d", model, fu_swapper_latent_dim(sw));
    for (int i = 0; i < 512; i++)
        latent[i] = (float)sin(i * 0.37) * 0.3f;
    facefuse_image crop = {0};
    facefuse_image_alloc(&crop, p, p, 3);
    memset(crop.data, 100, (size_t)crop.stride * p);
    float *out = malloc(sizeof(float) * (size_t)p * p * 3);
    REQUIRE(fu_swapper_swap_crop(sw, &crop, latent, out, &err) == FACEFUSE_OK, "%s: %s", model, err.msg);
    double worst = 0;
    for (int n = 0; n < p * p * 3; n++)
        worst = fmax(worst, fabs(out[n] - expected(model, latent, n % 3, 100)));
    CHECK(worst < tolerance, "%s: output differs from the stand-in's formula by %g", model, worst);
    printf("  %s: crop %d, channel values %.2f %.2f %.2f\n", model, p, out[0], out[1], out[2]);
    free(out);
    facefuse_image_free(&crop);
    fu_swapper_close(sw);
}

static void test_inswapper(void)
{
    facefuse_context *ctx = tl_context();
    check_model(ctx, "inswapper_128", 1e-3);
    facefuse_context_free(ctx);
}

static void test_inswapper_fp16(void)
{
    facefuse_context *ctx = tl_context();
    check_model(ctx, "inswapper_128_fp16", 0.35);
    facefuse_context_free(ctx);
}

static void test_hyperswap_source_first(void)
{
    facefuse_context *ctx = tl_context();
    check_model(ctx, "hyperswap_1a_256", 1e-3);
    facefuse_context_free(ctx);
}

/* hyperswap is fed the averaged normed embedding itself. */
static void test_hyperswap_latent_is_normed_embedding(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_image src = tl_load(ctx, "samples/astronaut.png");
    facefuse_analysis_params ap = st_analysis(ST_RECOGNIZER);
    facefuse_source_identity *id = NULL;
    fu_swapper *sw = NULL;
    float latent[512];
    fu_err err;
    fu_err_clear(&err);
    st_register(ctx);
    REQUIRE(facefuse_source_identity_from_images(ctx, &src, 1, &ap, &id) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    REQUIRE(fu_swapper_open(ctx, "hyperswap_1a_256", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_swapper_latent(sw, id, NULL, 0.5f, latent, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(memcmp(latent, id->normed_embedding, sizeof latent) == 0, "hyperswap latent is not the normed embedding");
    fu_swapper_close(sw);
    facefuse_source_identity_free(id);
    facefuse_image_free(&src);
    facefuse_context_free(ctx);
}

/* A 128-d identity cannot drive a 512-d inswapper: said, not crashed. */
static void test_embedding_length_mismatch(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_image src = tl_load(ctx, "samples/astronaut.png");
    facefuse_analysis_params ap = st_analysis("mobilefacenet");
    facefuse_source_identity *id = NULL;
    fu_swapper *sw = NULL;
    float latent[512];
    fu_err err;
    fu_err_clear(&err);
    facefuse_register_recognizer(ctx, "mobilefacenet", tl_test_models("mobilefacenet.onnx"), 112, 0.5f, 0.5f);
    REQUIRE(facefuse_source_identity_from_images(ctx, &src, 1, &ap, &id) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    CHECK(id->dim == 128, "mobilefacenet gives %d values", id->dim);
    REQUIRE(fu_swapper_open(ctx, "inswapper_128", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_swapper_latent(sw, id, NULL, 0.5f, latent, &err) == FACEFUSE_ERR_MODEL_CONTRACT, "accepted: %s",
          err.msg);
    fu_swapper_close(sw);
    facefuse_source_identity_free(id);
    facefuse_image_free(&src);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(test_inswapper);
    RUN(test_inswapper_fp16);
    RUN(test_hyperswap_source_first);
    RUN(test_hyperswap_latent_is_normed_embedding);
    RUN(test_embedding_length_mismatch);
    return tl_finish();
}
