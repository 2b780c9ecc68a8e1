/*
 * test_swap_models_more.c — simswap, ghost, hififace, blendswap and uniface
 * through their stand-ins (tests/models/gen_swapper_more.py), whose outputs
 * are known functions of their inputs:
 * - the crop is normalised with the model's mean/std and the output is
 *   de-normalised (ghost, hififace, uniface) or taken as 0..1 (simswap,
 *   blendswap), so a stand-in that undoes the normalisation gives the crop
 *   back and its per-channel offset s = source·W shows the source vector;
 * - the source vector is the raw embedding through the model's CrossFace
 *   converter (a known matrix), L2-normalised for simswap/hififace, raw for
 *   ghost, and the weight blends ghost's with the target's raw embedding;
 * - blendswap/uniface are fed the source face aligned as FaceFusion does
 *   (arcface_112_v2 at 112, ffhq_512 at 256), compared with our own warp,
 *   and uniface's two same-sized inputs are told apart by name;
 * - every model swaps through `headless-run`.
 */
#include <math.h>

#include "core/geometry.h"
#include "core/image.h"
#include "infer/registry.h"
#include "processors/swap_model.h"
#include "swap_testutil.h"

/* The embedding-fed models: output scale f of s (0.5 where the output is
 * de-normalised with std 0.5), converter C's (p, q, d) and whether the
 * converted vector is normalised. */
typedef struct vector_model {
    const char *name;
    double f;
    int p, q, d;
    int normalised;
} vector_model;

static const vector_model vector_models[] = {
    {"simswap_256", 1.0, 5, 3, 64, 1},
    {"simswap_unofficial_512", 1.0, 5, 3, 64, 1},
    {"ghost_1_256", 0.5, 7, 11, 256, 0},
    {"hififace_unofficial_256", 0.5, 3, 13, 64, 1},
};
#define VECTOR_MODELS ((int)(sizeof vector_models / sizeof vector_models[0]))

static double conv_c(const vector_model *m, int i, int j)
{
    return (((long long)m->p * i + (long long)m->q * j) % 17 - 8) / (double)m->d;
}

/* s_c = v · W[:, c] */
static double offset(const float *v, int c)
{
    double s = 0;
    for (int i = 0; i < 512; i++)
        s += v[i] * st_w(i, c);
    return s;
}

static double clamp255(double v)
{
    return fmin(fmax(v, 0), 1) * 255;
}

static int gradient_px(int x, int y, int c)
{
    return (x * 5 + y * 3 + c * 40) % 200 + 20;
}

static facefuse_image gradient_crop(int p)
{
    facefuse_image crop = {0};
    facefuse_image_alloc(&crop, p, p, 3);
    for (int y = 0; y < p; y++)
        for (int x = 0; x < p; x++)
            for (int c = 0; c < 3; c++)
                fu_pixel(&crop, x, y)[c] = (uint8_t)gradient_px(x, y, c);
    return crop;
}

/* Worst |out − (px/255 + f·s_c)·255| over a gradient crop. */
static double vector_model_error(facefuse_context *ctx, const vector_model *m, int boost, const float *latent)
{
    fu_swapper *sw = NULL;
    fu_err err;
    fu_err_clear(&err);
    if (fu_swapper_open(ctx, m->name, boost, 0.3f, NULL, &sw, &err) != FACEFUSE_OK) {
        CHECK(0, "%s: %s", m->name, err.msg);
        return 1e9;
    }
    int p = fu_swapper_crop_size(sw);
    CHECK(fu_swapper_latent_dim(sw) == 512, "%s: latent dim %d", m->name, fu_swapper_latent_dim(sw));
    facefuse_image crop = gradient_crop(p);
    float *out = malloc(sizeof(float) * (size_t)p * p * 3);
    double worst = 1e9;
    if (fu_swapper_swap_crop(sw, &crop, latent, out, &err) == FACEFUSE_OK) {
        double s[3] = {offset(latent, 0), offset(latent, 1), offset(latent, 2)};
        worst = 0;
        for (int y = 0; y < p; y++)
            for (int x = 0; x < p; x++)
                for (int c = 0; c < 3; c++) {
                    double want = clamp255(gradient_px(x, y, c) / 255.0 + m->f * s[c]);
                    worst = fmax(worst, fabs(out[((size_t)y * p + x) * 3 + c] - want));
                }
    } else {
        CHECK(0, "%s: %s", m->name, err.msg);
    }
    free(out);
    facefuse_image_free(&crop);
    fu_swapper_close(sw);
    return worst;
}

/* Normalisation in, de-normalisation (or none) out, per type; a zero source
 * round-trips the crop; pixel boost keeps it. */
static void vector_models_normalise_per_type(void)
{
    facefuse_context *ctx = tl_context();
    float latent[512], zero[512] = {0};
    for (int i = 0; i < 512; i++)
        latent[i] = (float)sin(i * 0.37) * 0.3f;
    for (int k = 0; k < VECTOR_MODELS; k++) {
        const vector_model *m = &vector_models[k];
        double round_trip = vector_model_error(ctx, m, 0, zero);
        double with_source = vector_model_error(ctx, m, 0, latent);
        CHECK(round_trip < 0.02, "%s: an identity-like swap moves the crop by %g", m->name, round_trip);
        CHECK(with_source < 0.02, "%s: output differs from the stand-in's formula by %g", m->name, with_source);
        printf("  %s: round trip %.4f, with source %.4f\n", m->name, round_trip, with_source);
    }
    double boosted = vector_model_error(ctx, &vector_models[0], 512, latent);
    CHECK(boosted < 0.02, "simswap_256 at pixel boost 512 differs by %g", boosted);
    facefuse_context_free(ctx);
}

static facefuse_source_identity *astronaut_identity(facefuse_context *ctx)
{
    facefuse_image src = tl_load(ctx, "samples/astronaut.png");
    facefuse_analysis_params ap = st_analysis(ST_RECOGNIZER);
    facefuse_source_identity *id = NULL;
    st_register(ctx);
    if (facefuse_source_identity_from_images(ctx, &src, 1, &ap, &id) != FACEFUSE_OK)
        fprintf(stderr, "no identity: %s\n", facefuse_context_errmsg(ctx));
    facefuse_image_free(&src);
    return id;
}

/* Our own converter output for id: e·C, normalised where the type says. */
static void expected_latent(const vector_model *m, const facefuse_source_identity *id, float *out)
{
    double norm = 0;
    for (int j = 0; j < 512; j++) {
        double s = 0;
        for (int i = 0; i < 512; i++)
            s += id->embedding[i] * conv_c(m, i, j);
        out[j] = (float)s;
        norm += s * s;
    }
    if (m->normalised)
        for (int j = 0; j < 512; j++)
            out[j] = (float)(out[j] / sqrt(norm));
}

/* The converter's output, normalised or raw per type, is what the swapper
 * gets: as fu_swapper_latent's result and as the stand-in's offset. */
static void converted_embedding_reaches_the_swapper(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_source_identity *id = astronaut_identity(ctx);
    REQUIRE(id && id->dim == 512, "no 512-d identity");
    double raw_norm = 0;
    for (int i = 0; i < 512; i++)
        raw_norm += (double)id->embedding[i] * id->embedding[i];
    for (int k = 0; k < VECTOR_MODELS; k++) {
        const vector_model *m = &vector_models[k];
        float latent[512], want[512];
        fu_swapper *sw = NULL;
        fu_err err;
        fu_err_clear(&err);
        REQUIRE(fu_swapper_open(ctx, m->name, 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s: %s", m->name, err.msg);
        REQUIRE(fu_swapper_latent(sw, id, NULL, 0.5f, latent, &err) == FACEFUSE_OK, "%s: %s", m->name, err.msg);
        expected_latent(m, id, want);
        double worst = 0, scale = 0, norm = 0;
        for (int j = 0; j < 512; j++) {
            worst = fmax(worst, fabs(latent[j] - want[j]));
            scale = fmax(scale, fabs(want[j]));
            norm += (double)latent[j] * latent[j];
        }
        CHECK(worst <= 1e-4 * scale, "%s: latent differs from e·C%s by %g (scale %g)", m->name,
              m->normalised ? " normalised" : "", worst, scale);
        if (m->normalised)
            CHECK(fabs(sqrt(norm) - 1) < 1e-4, "%s: latent norm %g", m->name, sqrt(norm));
        else
            CHECK(fabs(sqrt(norm) - 1) > 0.1, "%s: raw converter output has norm %g (looks normalised)", m->name,
                  sqrt(norm));
        /* The stand-in's offset on a grey crop shows the vector it got. */
        int p = fu_swapper_crop_size(sw);
        facefuse_image crop = {0};
        facefuse_image_alloc(&crop, p, p, 3);
        memset(crop.data, 128, (size_t)crop.stride * p);
        float *out = malloc(sizeof(float) * (size_t)p * p * 3);
        REQUIRE(fu_swapper_swap_crop(sw, &crop, latent, out, &err) == FACEFUSE_OK, "%s: %s", m->name, err.msg);
        for (int c = 0; c < 3; c++) {
            double expect = clamp255(128 / 255.0 + m->f * offset(want, c));
            CHECK(fabs(out[c] - expect) < 0.02, "%s: channel %d is %g, expected %g", m->name, c, out[c], expect);
        }
        free(out);
        facefuse_image_free(&crop);
        fu_swapper_close(sw);
    }
    printf("  raw embedding norm %.3f\n", sqrt(raw_norm));
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);
}

/* Weight 0 (w' = +0.35): ghost blends the target's raw embedding in,
 * simswap its normalised one. */
static void balance_uses_raw_target_for_ghost(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_source_identity *id = astronaut_identity(ctx);
    REQUIRE(id, "no identity");
    facefuse_face target;
    memset(&target, 0, sizeof target);
    target.embedding_dim = 512;
    double norm = 0;
    for (int i = 0; i < 512; i++) {
        target.embedding[i] = (float)cos(i * 0.11) * 2;
        norm += (double)target.embedding[i] * target.embedding[i];
    }
    for (int i = 0; i < 512; i++)
        target.normed_embedding[i] = (float)(target.embedding[i] / sqrt(norm));
    const char *models[2] = {"ghost_1_256", "simswap_256"};
    for (int k = 0; k < 2; k++) {
        float pure[512], blended[512];
        fu_swapper *sw = NULL;
        fu_err err;
        fu_err_clear(&err);
        REQUIRE(fu_swapper_open(ctx, models[k], 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
        REQUIRE(fu_swapper_latent(sw, id, NULL, 0.5f, pure, &err) == FACEFUSE_OK, "%s", err.msg);
        REQUIRE(fu_swapper_latent(sw, id, &target, 0.0f, blended, &err) == FACEFUSE_OK, "%s", err.msg);
        const float *t = k == 0 ? target.embedding : target.normed_embedding;
        double worst = 0;
        for (int i = 0; i < 512; i++)
            worst = fmax(worst, fabs(blended[i] - (pure[i] * 0.65 + t[i] * 0.35)));
        CHECK(worst < 1e-5, "%s: weight 0 blend differs by %g", models[k], worst);
        fu_swapper_close(sw);
    }
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);
}

/* Our own alignment of astronaut's largest face: planar RGB /255. */
static float *own_source_crop(facefuse_context *ctx, const char *template_name, int size)
{
    facefuse_image src = tl_load(ctx, "samples/astronaut.png"), crop = {0};
    facefuse_analysis_params ap = st_analysis(ST_RECOGNIZER);
    facefuse_face *faces = NULL;
    int n = 0;
    float *planar = NULL;
    if (facefuse_detect_faces(ctx, &src, &ap, &faces, &n) == FACEFUSE_OK && n > 0) {
        const facefuse_face *face = st_largest(faces, n);
        fu_affine a = fu_align_to_template(face->landmark_5_68, template_name, size);
        facefuse_image_alloc(&crop, size, size, 3);
        fu_warp_affine(&src, &crop, &a, FU_BORDER_REPLICATE);
        planar = malloc(sizeof(float) * 3 * (size_t)size * size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                for (int c = 0; c < 3; c++)
                    planar[(size_t)c * size * size + (size_t)y * size + x] = fu_pixel(&crop, x, y)[c] / 255.0f;
    }
    facefuse_faces_free(faces);
    facefuse_image_free(&crop);
    facefuse_image_free(&src);
    return planar;
}

static double planar_diff(const float *a, const float *b, int size)
{
    double worst = 0;
    for (size_t i = 0; i < (size_t)3 * size * size; i++)
        worst = fmax(worst, fabs(a[i] - b[i]));
    return worst;
}

/* Runs model on a crop (gradient or grey) with id bound; out P×P×3. */
static facefuse_status run_image_model(facefuse_context *ctx, const char *model, facefuse_source_identity *id,
                                       const facefuse_image *crop, float *out, fu_err *err)
{
    fu_swapper *sw = NULL;
    float latent[512];
    facefuse_status rc = fu_swapper_open(ctx, model, 0, 0.3f, NULL, &sw, err);
    if (rc == FACEFUSE_OK)
        rc = fu_swapper_latent(sw, id, NULL, 0.5f, latent, err);
    if (rc == FACEFUSE_OK)
        rc = fu_swapper_swap_crop(sw, crop, latent, out, err);
    fu_swapper_close(sw);
    return rc;
}

/* blendswap: the arcface_112_v2 112 px source crop is what the model gets
 * (the stand-in pastes it top-left); the rest of the crop round-trips
 * (mean 0, std 1, output as is). */
static void blendswap_gets_the_aligned_source_face(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_source_identity *id = astronaut_identity(ctx);
    float *own = own_source_crop(ctx, "arcface_112_v2", 112);
    float *other = own_source_crop(ctx, "ffhq_512", 112);
    REQUIRE(id && own && other && id->blendswap_source, "no identity or crop");
    CHECK(planar_diff(id->blendswap_source, own, 112) < 1e-6, "identity's crop differs from the arcface_112_v2 "
          "warp by %g", planar_diff(id->blendswap_source, own, 112));
    CHECK(planar_diff(own, other, 112) > 0.1, "the template makes no difference: the check is blind");
    facefuse_image crop = gradient_crop(256);
    float *out = malloc(sizeof(float) * 256 * 256 * 3);
    fu_err err;
    fu_err_clear(&err);
    REQUIRE(run_image_model(ctx, "blendswap_256", id, &crop, out, &err) == FACEFUSE_OK, "%s", err.msg);
    double src_err = 0, target_err = 0;
    for (int y = 0; y < 256; y++)
        for (int x = 0; x < 256; x++)
            for (int c = 0; c < 3; c++) {
                double v = out[((size_t)y * 256 + x) * 3 + c];
                if (x < 112 && y < 112)
                    src_err = fmax(src_err, fabs(v - own[(size_t)c * 112 * 112 + y * 112 + x] * 255.0));
                else
                    target_err = fmax(target_err, fabs(v - gradient_px(x, y, c)));
            }
    CHECK(src_err < 1e-3, "the model's source image differs from the aligned face by %g", src_err);
    CHECK(target_err < 1e-3, "the target crop does not round-trip: %g", target_err);
    free(out);
    free(own);
    free(other);
    facefuse_image_free(&crop);
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);
}

/* uniface (in ctx's model dir): left half the target round trip through
 * mean/std 0.5, right half the ffhq_512 256 px source crop. */
static void check_uniface(facefuse_context *ctx, facefuse_source_identity *id, const float *own)
{
    facefuse_image crop = gradient_crop(256);
    float *out = malloc(sizeof(float) * 256 * 256 * 3);
    fu_err err;
    fu_err_clear(&err);
    facefuse_status rc = run_image_model(ctx, "uniface_256", id, &crop, out, &err);
    CHECK(rc == FACEFUSE_OK, "%s", err.msg);
    if (rc == FACEFUSE_OK) {
        double src_err = 0, target_err = 0;
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256; x++)
                for (int c = 0; c < 3; c++) {
                    double v = out[((size_t)y * 256 + x) * 3 + c];
                    if (x >= 128)
                        src_err = fmax(src_err, fabs(v - own[(size_t)c * 256 * 256 + y * 256 + x] * 255.0));
                    else
                        target_err = fmax(target_err, fabs(v - gradient_px(x, y, c)));
                }
        CHECK(src_err < 1e-3, "uniface's source image differs from the aligned face by %g", src_err);
        CHECK(target_err < 1e-3, "uniface's target crop does not round-trip: %g", target_err);
    }
    free(out);
    facefuse_image_free(&crop);
}

static void uniface_gets_the_aligned_source_face(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_source_identity *id = astronaut_identity(ctx);
    float *own = own_source_crop(ctx, "ffhq_512", 256);
    REQUIRE(id && own && id->uniface_source, "no identity or crop");
    CHECK(planar_diff(id->uniface_source, own, 256) < 1e-6, "identity's crop differs from the ffhq_512 warp");
    check_uniface(ctx, id, own);
    free(own);
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);
}

/* A context whose model dir `name` holds scrfd and stand_in as link_as. */
static facefuse_context *context_linking(const char *name, const char *link_as, const char *stand_in)
{
    facefuse_context *ctx = tl_context_at(tl_model_dir_with(name, link_as, stand_in), FACEFUSE_LOG_WARN);
    st_register(ctx);
    return ctx;
}

/* Both uniface inputs are [1,3,256,256]: the names decide, not the order;
 * without the names the model is refused, not guessed. */
static void uniface_inputs_are_bound_by_name(void)
{
    facefuse_context *ctx = context_linking("target-first", "uniface_256.onnx", "uniface_target_first_256.onnx");
    REQUIRE(ctx, "no context");
    facefuse_source_identity *id = astronaut_identity(ctx);
    float *own = own_source_crop(ctx, "ffhq_512", 256);
    REQUIRE(id && own, "no identity");
    check_uniface(ctx, id, own);
    free(own);
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);

    ctx = context_linking("unnamed", "uniface_256.onnx", "uniface_unnamed_256.onnx");
    REQUIRE(ctx, "no context");
    fu_swapper *sw = NULL;
    fu_err err;
    fu_err_clear(&err);
    CHECK(fu_swapper_open(ctx, "uniface_256", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_ERR_MODEL_CONTRACT &&
              strstr(err.msg, "'source'") && !strchr(err.msg, '\n'),
          "unnamed inputs accepted or badly refused: %s", err.msg);
    fu_swapper_close(sw);
    facefuse_context_free(ctx);
}

/* An identity made from faces alone has no source image: refused in one line. */
static void image_models_refuse_an_identity_without_image(void)
{
    facefuse_context *ctx = tl_context();
    facefuse_face face;
    memset(&face, 0, sizeof face);
    face.embedding_dim = 512;
    face.embedding[0] = face.normed_embedding[0] = 1;
    facefuse_source_identity *id = NULL;
    fu_swapper *sw = NULL;
    float latent[512];
    fu_err err;
    fu_err_clear(&err);
    REQUIRE(fu_identity_from_faces(&face, 1, &id, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_swapper_open(ctx, "blendswap_256", 0, 0.3f, NULL, &sw, &err) == FACEFUSE_OK, "%s", err.msg);
    facefuse_image crop = gradient_crop(256);
    float *out = malloc(sizeof(float) * 256 * 256 * 3);
    CHECK(fu_swapper_swap_crop(sw, &crop, latent, out, &err) != FACEFUSE_OK, "swapped with no source image");
    CHECK(fu_swapper_latent(sw, id, NULL, 0.5f, latent, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "blendswap_256"),
          "accepted: %s", err.msg);
    free(out);
    facefuse_image_free(&crop);
    fu_swapper_close(sw);
    facefuse_source_identity_free(id);
    facefuse_context_free(ctx);
}

/* Pixel boosts FaceFusion lists but cannot reshape (not multiples of the
 * model size) are refused; the others open. */
static void pixel_boost_domains(void)
{
    facefuse_context *ctx = tl_context();
    const struct {
        const char *model;
        int boost;
        int ok;
    } cases[] = {{"blendswap_256", 384, 0}, {"blendswap_256", 512, 1}, {"simswap_unofficial_512", 768, 0},
                 {"simswap_unofficial_512", 256, 0}, {"simswap_unofficial_512", 1024, 1}, {"uniface_256", 1024, 1},
                 {"ghost_1_256", 128, 0}, {"hififace_unofficial_256", 768, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fu_swapper *sw = NULL;
        fu_err err;
        fu_err_clear(&err);
        facefuse_status rc = fu_swapper_open(ctx, cases[i].model, cases[i].boost, 0.3f, NULL, &sw, &err);
        if (cases[i].ok)
            CHECK(rc == FACEFUSE_OK, "%s at %d: %s", cases[i].model, cases[i].boost, err.msg);
        else
            CHECK(rc == FACEFUSE_ERR_INVALID_ARGUMENT, "%s at %d: %d %s", cases[i].model, cases[i].boost, rc,
                  err.msg);
        fu_swapper_close(sw);
    }
    facefuse_context_free(ctx);
}

static long changed_pixels(const facefuse_image *a, const facefuse_image *b, int x0, int y0, int x1, int y1)
{
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            n += memcmp(fu_pixel(a, x, y), fu_pixel(b, x, y), 3) != 0;
    return n;
}

/* Pixels changed outside the footprint of model's crop around the faces of
 * a (its template decides how far around the face the crop reaches). */
static long changed_outside_crop(facefuse_context *ctx, const char *model, const facefuse_image *a,
                                 const facefuse_image *b)
{
    const fu_model_def *def = fu_model_find(model);
    facefuse_analysis_params ap = st_analysis(NULL);
    facefuse_face *faces = NULL;
    int n = 0;
    long changed = 0;
    if (!def || facefuse_detect_faces(ctx, a, &ap, &faces, &n) != FACEFUSE_OK || n < 1)
        return -1;
    fu_affine align[8];
    for (int i = 0; i < n && i < 8; i++)
        align[i] = fu_align_to_template(faces[i].landmark_5_68, def->template_name, def->size);
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++) {
            int inside = 0;
            for (int i = 0; i < n && i < 8; i++) {
                facefuse_point c = fu_affine_apply(&align[i], (facefuse_point){(float)x, (float)y});
                inside |= c.x > -2 && c.y > -2 && c.x < def->size + 1 && c.y < def->size + 1;
            }
            changed += !inside && memcmp(fu_pixel(a, x, y), fu_pixel(b, x, y), 3) != 0;
        }
    facefuse_faces_free(faces);
    return changed;
}

/* Each model swaps through the command line: the face changes, nothing
 * outside the model's crop does. */
static void each_model_swaps_through_the_cli(void)
{
    static const char *models[] = {"simswap_256", "simswap_unofficial_512", "ghost_1_256",
                                   "hififace_unofficial_256", "blendswap_256", "uniface_256"};
    facefuse_context *ctx = tl_context();
    char target[1024]; /* tl_tmp's buffers are reused */
    facefuse_image t = {0};
    snprintf(target, sizeof target, "%s", tl_tmp("target.png"));
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/grace_hopper.jpg"), &t) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_image_save(ctx, target, &t, 100) == FACEFUSE_OK, "save");
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char args[4096], out_path[1024], *e = NULL;
        facefuse_image o = {0};
        snprintf(out_path, sizeof out_path, "%s.png", tl_tmp(models[i]));
        snprintf(args, sizeof args,
                 "headless-run -s '%s' -t '%s' -o '%s' --face-swapper-model %s --face-detector-model scrfd "
                 "--face-landmarker-score 0 --log-level error",
                 tl_shared("samples/astronaut.png"), target, out_path, models[i]);
        int code = tl_run_cli(args, NULL, &e);
        CHECK(code == 0, "%s: exit %d: %s", models[i], code, e ? e : "");
        free(e);
        if (code != 0 || facefuse_image_load(ctx, out_path, &o) != FACEFUSE_OK) {
            CHECK(0, "%s: no output", models[i]);
            continue;
        }
        /* Face box of Grace Hopper ~ (178,124)-(350,333). */
        long face = changed_pixels(&t, &o, 200, 170, 330, 300);
        long outside = changed_outside_crop(ctx, models[i], &t, &o);
        CHECK(face > 2000, "%s: only %ld face pixels changed", models[i], face);
        CHECK(outside == 0, "%s: %ld pixels outside the crop changed", models[i], outside);
        printf("  %s: %ld face pixels changed\n", models[i], face);
        facefuse_image_free(&o);
    }
    facefuse_image_free(&t);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(vector_models_normalise_per_type);
    RUN(converted_embedding_reaches_the_swapper);
    RUN(balance_uses_raw_target_for_ghost);
    RUN(blendswap_gets_the_aligned_source_face);
    RUN(uniface_gets_the_aligned_source_face);
    RUN(uniface_inputs_are_bound_by_name);
    RUN(image_models_refuse_an_identity_without_image);
    RUN(pixel_boost_domains);
    RUN(each_model_swaps_through_the_cli);
    return tl_finish();
}
