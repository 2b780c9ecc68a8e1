/*
 * face_swapper.c — the face_swapper processor and facefuse_swap_faces.
 *
 * Prepare (once a run): open the swapper model (type, pixel boost, box mask)
 * and build the source identity from every -s image with the run's analysis
 * settings (recognizer: the run's, else arcface_w600k_r50); the identity's
 * latent for the model is computed then too, so a bad emap fails before the
 * first frame. Per frame: for each selected target face, the latent blended
 * with that face by --face-swapper-weight, then align, swap, paste back
 * (swap_model.c) through the run's combined face mask (face_masker.h), with
 * the run's colour match and blend mode (blend.h). With no face in the target nothing happens; the pipeline
 * warns. Safe to run on several frames at once: the state is read-only.
 */
#include <stdlib.h>
#include <string.h>

#include "infer/context.h"
#include "processors/blend.h"
#include "processors/face_masker.h"
#include "processors/processor.h"
#include "processors/swap_identity.h"
#include "processors/swap_model.h"

#define DEFAULT_SWAPPER_MODEL "hyperswap_1a_256"
#define DEFAULT_RECOGNIZER "arcface_w600k_r50"

/* The processor's settings, filled from its option table. */
typedef struct swapper_settings {
    const char *model;
    const char *pixel_boost;   /* "512x512", NULL = the model's size */
    float weight;
} swapper_settings;

#define SW(field) offsetof(swapper_settings, field)

static const fu_option swapper_options[] = {
    {.name = "--face-swapper-model", .section = "processors", .type = FU_OPT_STRING, .def = DEFAULT_SWAPPER_MODEL,
     .choices = "blendswap_256 ghost_1_256 ghost_2_256 ghost_3_256 hififace_unofficial_256 hyperswap_1a_256 "
                "hyperswap_1b_256 hyperswap_1c_256 inswapper_128 inswapper_128_fp16 simswap_256 "
                "simswap_unofficial_512 uniface_256",
     .offset = SW(model), .help = "face swapper model"},
    {.name = "--face-swapper-pixel-boost", .section = "processors", .type = FU_OPT_STRING,
     .choices = "128x128 256x256 384x384 512x512 768x768 1024x1024", .offset = SW(pixel_boost),
     .help = "swap resolution, a multiple of the model's size (default: the model's size)"},
    {.name = "--face-swapper-weight", .section = "processors", .type = FU_OPT_FLOAT, .def = "0.5", .min = 0, .max = 1,
     .step = 0.05, .offset = SW(weight), .help = "identity weight (0.5 = the source's identity)"},
    {0}};

/* The pixel boost must be a multiple of the model's size (FaceFusion's
 * choices per model). */
static facefuse_status check_swapper(void *settings, fu_err *err)
{
    const swapper_settings *s = settings;
    const fu_model_def *def = fu_model_find(s->model);
    int boost = s->pixel_boost ? atoi(s->pixel_boost) : 0;
    if (def && boost && (boost < def->size || boost % def->size != 0))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "--face-swapper-pixel-boost %s does not suit %s (a multiple of %dx%d)", s->pixel_boost,
                       s->model, def->size, def->size);
    return FACEFUSE_OK;
}

static const fu_option_group swapper_group = {"face_swapper", "processors", swapper_options,
                                              sizeof(swapper_settings), check_swapper};

typedef struct swapper_state {
    fu_swapper *swapper;
    fu_face_masker *masker;
    facefuse_source_identity *identity;
    float weight;
} swapper_state;

static void swapper_release(void *state)
{
    swapper_state *st = state;
    if (!st)
        return;
    fu_swapper_close(st->swapper);
    fu_face_masker_close(st->masker);
    facefuse_source_identity_free(st->identity);
    free(st);
}

static facefuse_status swapper_prepare(const fu_processor_env *env, const void *settings, void **state,
                                       fu_err *err)
{
    const swapper_settings *set = settings;
    facefuse_context *ctx = env->ctx;
    facefuse_analysis_params analysis = *env->analysis;
    float latent[FACEFUSE_EMBEDDING_MAX];
    fu_color_match_mode color;
    fu_blend_mode blend;
    facefuse_status rc;

    *state = NULL;
    if ((rc = fu_color_match_parse(env->masker->color_match, &color, err)) != FACEFUSE_OK ||
        (rc = fu_blend_mode_parse(env->masker->blend_mode, &blend, err)) != FACEFUSE_OK)
        return rc;
    swapper_state *st = calloc(1, sizeof *st);
    if (!st)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    st->weight = set->weight;
    if (!analysis.recognizer_model)
        analysis.recognizer_model = DEFAULT_RECOGNIZER;
    rc = fu_swapper_open(ctx, set->model, set->pixel_boost ? atoi(set->pixel_boost) : 0, env->masker->blur,
                         env->masker->padding.v, &st->swapper, err);
    if (rc == FACEFUSE_OK)
        rc = fu_face_masker_open(ctx, env->masker, &st->masker, err);
    if (rc == FACEFUSE_OK)
        fu_swapper_set_finish(st->swapper, st->masker, color, blend);
    if (rc == FACEFUSE_OK)
        rc = fu_identity_from_paths(ctx, env->source_paths.v, env->source_paths.n, &analysis, &st->identity, err);
    if (rc == FACEFUSE_OK) /* computes and caches the model's latent: checks the emap now */
        rc = fu_swapper_latent(st->swapper, st->identity, NULL, 0.5f, latent, err);
    if (rc != FACEFUSE_OK) {
        swapper_release(st);
        return rc;
    }
    *state = st;
    return FACEFUSE_OK;
}

static facefuse_status swapper_process(fu_frame *f, fu_err *err)
{
    swapper_state *st = f->state;
    float latent[FACEFUSE_EMBEDDING_MAX];
    facefuse_status rc = FACEFUSE_OK;

    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++) {
        rc = fu_swapper_latent(st->swapper, st->identity, &f->faces[i], st->weight, latent, err);
        if (rc == FACEFUSE_OK)
            rc = fu_swapper_swap_face(st->swapper, f->frame, &f->faces[i], latent, NULL, err);
    }
    return rc;
}

const fu_processor fu_face_swapper = {"face_swapper", &swapper_group, FU_NEEDS_FACES | FU_NEEDS_IDENTITY,
                                     swapper_prepare, swapper_process, swapper_release, NULL, NULL};

facefuse_swapper_params facefuse_swapper_default_params(void)
{
    facefuse_swapper_params p;
    memset(&p, 0, sizeof p);
    p.model = DEFAULT_SWAPPER_MODEL;
    p.pixel_boost = 0;
    p.weight = 0.5f;
    p.mask_blur = 0.3f;
    p.color_match = "none";
    p.blend_mode = "linear";
    return p;
}

facefuse_status facefuse_swap_faces(facefuse_context *ctx, const facefuse_swapper_params *params,
                                    const facefuse_source_identity *identity, facefuse_image *target,
                                    const facefuse_face *faces, int count)
{
    facefuse_swapper_params p = params ? *params : facefuse_swapper_default_params();
    /* The identity only memoises its latent (under its lock): logically const. */
    facefuse_source_identity *id = (facefuse_source_identity *)identity;
    float latent[FACEFUSE_EMBEDDING_MAX];
    fu_swapper *sw = NULL;
    fu_color_match_mode color;
    fu_blend_mode blend;
    fu_err err;
    facefuse_status rc;

    fu_err_clear(&err);
    if (!ctx || !identity || !target || !target->data || (target->channels != 3 && target->channels != 4) ||
        count < 0 || (count > 0 && !faces))
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (p.mask_blur < 0 || p.mask_blur > 1 || p.weight < 0 || p.weight > 1) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "swapper weight and mask blur must lie in [0, 1]");
        return fu_context_fail(ctx, &err);
    }
    for (int i = 0; i < 4; i++)
        if (p.mask_padding[i] < 0 || p.mask_padding[i] > 100) {
            fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "mask padding %d%% is outside 0..100", p.mask_padding[i]);
            return fu_context_fail(ctx, &err);
        }
    if (fu_color_match_parse(p.color_match, &color, &err) != FACEFUSE_OK ||
        fu_blend_mode_parse(p.blend_mode, &blend, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    rc = fu_swapper_open(ctx, p.model ? p.model : DEFAULT_SWAPPER_MODEL, p.pixel_boost, p.mask_blur,
                         p.mask_padding, &sw, &err);
    if (rc == FACEFUSE_OK)
        fu_swapper_set_finish(sw, NULL, color, blend);
    for (int i = 0; i < count && rc == FACEFUSE_OK; i++) {
        rc = fu_swapper_latent(sw, id, &faces[i], p.weight, latent, &err);
        if (rc == FACEFUSE_OK)
            rc = fu_swapper_swap_face(sw, target, &faces[i], latent, NULL, &err);
    }
    fu_swapper_close(sw);
    return rc == FACEFUSE_OK ? FACEFUSE_OK : fu_context_fail(ctx, &err);
}
