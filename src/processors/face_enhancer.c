/*
 * face_enhancer.c — the face_enhancer processor and the face enhancer
 * models behind it (see face_enhancer.h).
 *
 * Prepare (once a run): open the model (inputs bound by name as FaceFusion
 * does, "input" and "weight", else by rank), its box mask, and the run's
 * masker. Per frame: every selected face, found on the original frame, is
 * enhanced in turn. The state is read-only, so frames may run in parallel.
 */
#include "processors/face_enhancer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/image.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "processors/mask.h"
#include "processors/paste.h"
#include "processors/processor.h"

#define DEFAULT_MODEL "gfpgan_1.4"

struct fu_face_enhancer {
    const fu_model_def *def;
    fu_session *session;           /* owned by the context */
    int size;
    int image_input, weight_input; /* weight_input −1: none */
    int64_t weight_numel;
    float weight;
    float *box;                    /* size×size */
    const fu_face_masker *masker;  /* borrowed */
};

/* Binds the image input and the optional weight input; checks shapes. */
static facefuse_status bind_inputs(fu_face_enhancer *fe, fu_err *err)
{
    const char *path = fu_session_path(fe->session);
    int n = fu_session_input_count(fe->session);
    fe->image_input = fe->weight_input = -1;
    for (int i = 0; i < n; i++) {
        const fu_tensor_info *in = fu_session_input(fe->session, i);
        if (strcmp(in->name, "input") == 0 || (fe->image_input < 0 && in->rank == 4 && strcmp(in->name, "weight")))
            fe->image_input = i;
        else if (strcmp(in->name, "weight") == 0 || in->rank <= 2)
            fe->weight_input = i;
    }
    if (n < 1 || n > 2 || fe->image_input < 0 || (n == 2 && fe->weight_input < 0))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "face enhancer %s: expected an image input [1,3,%d,%d] "
                       "and at most a weight input", path, fe->size, fe->size);
    const fu_tensor_info *in = fu_session_input(fe->session, fe->image_input);
    const int64_t want[4] = {1, 3, fe->size, fe->size};
    for (int d = 0; d < 4; d++)
        if (in->rank != 4 || (in->dims[d] > 0 && in->dims[d] != want[d]))
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "face enhancer %s: input %s is not [1,3,%d,%d]", path,
                           in->name, fe->size, fe->size);
    if (fe->weight_input >= 0) {
        const fu_tensor_info *w = fu_session_input(fe->session, fe->weight_input);
        fe->weight_numel = 1;
        for (int d = 0; d < w->rank; d++)
            fe->weight_numel *= w->dims[d] > 0 ? w->dims[d] : 1;
        if (w->rank > 2 || fe->weight_numel != 1)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "face enhancer %s: weight input %s is not [1] or [1,1]",
                           path, w->name);
    }
    const fu_tensor_info *o = fu_session_output_count(fe->session) ? fu_session_output(fe->session, 0) : NULL;
    if (!o || o->rank != 4 || (o->dims[1] > 0 && o->dims[1] != 3))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "face enhancer %s: first output is not [1,3,%d,%d]", path,
                       fe->size, fe->size);
    return FACEFUSE_OK;
}

facefuse_status fu_face_enhancer_open(facefuse_context *ctx, const char *model, float mask_blur, float weight,
                                      const fu_face_masker *masker, fu_face_enhancer **out, fu_err *err)
{
    static const int no_padding[4] = {0, 0, 0, 0};
    const fu_model_def *def = fu_context_model(ctx, model);
    facefuse_status rc;

    *out = NULL;
    if (!def || def->kind != FACEFUSE_MODEL_ENHANCER || !def->template_name)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "'%s' is not a face enhancer model", model ? model : "(null)");
    fu_face_enhancer *fe = calloc(1, sizeof *fe);
    if (!fe)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    fe->def = def;
    fe->size = def->size;
    fe->weight = weight;
    fe->masker = masker;
    rc = fu_context_session(ctx, model, &fe->session, NULL, err);
    if (rc == FACEFUSE_OK)
        rc = bind_inputs(fe, err);
    if (rc == FACEFUSE_OK)
        rc = fu_box_mask(fe->size, mask_blur, no_padding, &fe->box, err);
    if (rc != FACEFUSE_OK) {
        fu_face_enhancer_close(fe);
        return rc;
    }
    *out = fe;
    return FACEFUSE_OK;
}

void fu_face_enhancer_close(fu_face_enhancer *fe)
{
    if (!fe)
        return;
    free(fe->box);
    free(fe);
}

int fu_face_enhancer_size(const fu_face_enhancer *fe)
{
    return fe->size;
}

int fu_face_enhancer_has_weight(const fu_face_enhancer *fe)
{
    return fe->weight_input >= 0;
}

fu_affine fu_face_enhancer_align(const fu_face_enhancer *fe, const facefuse_face *face)
{
    return fu_align_to_template(face->landmark_5_68, fe->def->template_name, fe->size);
}

/* The model on crop: result receives the output as bytes (RGB, size²). */
static facefuse_status run_model(const fu_face_enhancer *fe, const facefuse_image *crop, facefuse_image *result,
                                 fu_err *err)
{
    static const float half[3] = {0.5f, 0.5f, 0.5f};
    const int s = fe->size;
    const size_t plane = (size_t)s * s;
    fu_tensor in[2], out = {0};
    float weight = fe->weight;
    float *t = malloc(sizeof(float) * 3 * plane);
    if (!t)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the face enhancer input");
    fu_image_to_planar(crop, half, half, 0, t);
    memset(in, 0, sizeof in);
    in[fe->image_input] = (fu_tensor){.rank = 4, .dims = {1, 3, s, s}, .data = t};
    if (fe->weight_input >= 0) {
        const fu_tensor_info *w = fu_session_input(fe->session, fe->weight_input);
        in[fe->weight_input] = (fu_tensor){.rank = w->rank, .dims = {1, 1}, .data = &weight};
    }
    facefuse_status rc = fu_session_run(fe->session, in, fe->weight_input >= 0 ? 2 : 1, &out, 1, err);
    free(t);
    if (rc != FACEFUSE_OK)
        return rc;
    if ((size_t)fu_tensor_numel(&out) != 3 * plane) {
        rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "face enhancer %s gave %lld values, expected 3×%d×%d",
                     fu_session_path(fe->session), (long long)fu_tensor_numel(&out), s, s);
    } else {
        for (int y = 0; y < s; y++)
            for (int x = 0; x < s; x++) {
                uint8_t *px = fu_pixel(result, x, y);
                for (int c = 0; c < 3; c++) {
                    float v = out.data[c * plane + (size_t)y * s + x];
                    v = v < -1 ? -1 : v > 1 ? 1 : v;
                    px[c] = (uint8_t)((v + 1) * 0.5f * 255.0f + 0.5f);
                }
            }
    }
    fu_tensor_free(&out);
    return rc;
}

/* Saves the frame's RGB over rect into keep (w·h·3 bytes). */
static void save_rect(const facefuse_image *frame, const int r[4], uint8_t *keep)
{
    const int w = r[2] - r[0];
    for (int y = r[1]; y < r[3]; y++)
        for (int x = r[0]; x < r[2]; x++)
            memcpy(keep + ((size_t)(y - r[1]) * w + (x - r[0])) * 3, fu_pixel(frame, x, y), 3);
}

/* frame = keep·(1 − b) + frame·b over rect, b = blend/100, rounded. */
static void blend_rect(facefuse_image *frame, const int r[4], const uint8_t *keep, int blend)
{
    const unsigned wb = (unsigned)blend, wa = 100u - wb;
    const int w = r[2] - r[0];
    for (int y = r[1]; y < r[3]; y++)
        for (int x = r[0]; x < r[2]; x++) {
            uint8_t *p = fu_pixel(frame, x, y);
            const uint8_t *k = keep + ((size_t)(y - r[1]) * w + (x - r[0])) * 3;
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)((k[c] * wa + p[c] * wb + 50u) / 100u);
        }
}

facefuse_status fu_face_enhancer_enhance_face(const fu_face_enhancer *fe, facefuse_image *frame,
                                              const facefuse_face *face, int blend, fu_enhance_timing *timing,
                                              fu_err *err)
{
    const int s = fe->size;
    const size_t n = (size_t)s * s;
    facefuse_image crop = {0}, result = {0};
    facefuse_status rc = FACEFUSE_OK;
    int rect[4];
    int64_t t0 = fu_now_ns(), t1 = t0, t2 = t0, t3 = t0;

    if (blend < 0 || blend > 100)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face enhancer blend %d is outside 0..100", blend);
    if (blend == 0) /* the blend would give the frame back unchanged */
        return FACEFUSE_OK;
    fu_affine a = fu_face_enhancer_align(fe, face);
    fu_paste_rect(frame->width, frame->height, s, &a, rect);
    float *mask = malloc(sizeof(float) * n), *floats = malloc(sizeof(float) * 3 * n);
    uint8_t *keep = malloc((size_t)(rect[2] - rect[0]) * (size_t)(rect[3] - rect[1]) * 3 + 1);
    if (!mask || !floats || !keep || facefuse_image_alloc(&crop, s, s, frame->channels) != FACEFUSE_OK ||
        facefuse_image_alloc(&result, s, s, 3) != FACEFUSE_OK) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face crop", s);
        goto done;
    }
    fu_warp_affine(frame, &crop, &a, FU_BORDER_REPLICATE);
    rc = fu_face_masker_before(fe->masker, &crop, fe->box, mask, err);
    t1 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        rc = run_model(fe, &crop, &result, err);
    t2 = fu_now_ns();
    if (rc == FACEFUSE_OK)
        rc = fu_face_masker_after(fe->masker, &result, face, &a, mask, err);
    if (rc == FACEFUSE_OK) {
        for (int y = 0; y < s; y++)
            for (int i = 0; i < 3 * s; i++)
                floats[(size_t)y * 3 * s + i] = result.data[(size_t)y * result.stride + i];
        save_rect(frame, rect, keep);
        fu_paste_back(frame, floats, mask, s, &a);
        t3 = fu_now_ns();
        if (blend < 100)
            blend_rect(frame, rect, keep, blend);
    }
    if (timing) {
        timing->align_ns += t1 - t0;
        timing->model_ns += t2 - t1;
        timing->paste_ns += t3 - t2;
        timing->blend_ns += fu_now_ns() - t3;
    }
done:
    facefuse_image_free(&crop);
    facefuse_image_free(&result);
    free(mask), free(floats), free(keep);
    return rc;
}

/* ---------------------------------------------------------------- processor */

typedef struct enhancer_settings {
    const char *model;
    int blend;
    float weight;
} enhancer_settings;

#define EN(field) offsetof(enhancer_settings, field)

static const fu_option enhancer_options[] = {
    {.name = "--face-enhancer-model", .section = "processors", .type = FU_OPT_STRING, .def = DEFAULT_MODEL,
     .choices = "codeformer gfpgan_1.2 gfpgan_1.3 gfpgan_1.4 gpen_bfr_256 gpen_bfr_512 gpen_bfr_1024 gpen_bfr_2048 "
                "restoreformer_plus_plus",
     .offset = EN(model), .help = "face enhancer model"},
    {.name = "--face-enhancer-blend", .section = "processors", .type = FU_OPT_INT, .def = "80", .min = 0, .max = 100,
     .step = 1, .offset = EN(blend), .help = "share of the enhanced face"},
    {.name = "--face-enhancer-weight", .section = "processors", .type = FU_OPT_FLOAT, .def = "0.5", .min = 0,
     .max = 1, .step = 0.05, .offset = EN(weight), .help = "fidelity of models with a weight input (CodeFormer)"},
    {0}};

static const fu_option_group enhancer_group = {"face_enhancer", "processors", enhancer_options,
                                               sizeof(enhancer_settings), NULL};

typedef struct enhancer_state {
    fu_face_masker *masker;
    fu_face_enhancer *enhancer;
    int blend;
} enhancer_state;

static void enhancer_release(void *state)
{
    enhancer_state *st = state;
    if (!st)
        return;
    fu_face_enhancer_close(st->enhancer);
    fu_face_masker_close(st->masker);
    free(st);
}

static facefuse_status enhancer_prepare(const fu_processor_env *env, const void *settings, void **state,
                                        fu_err *err)
{
    const enhancer_settings *set = settings;
    facefuse_status rc;
    *state = NULL;
    enhancer_state *st = calloc(1, sizeof *st);
    if (!st)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    st->blend = set->blend;
    rc = fu_face_masker_open(env->ctx, env->masker, &st->masker, err);
    if (rc == FACEFUSE_OK)
        rc = fu_face_enhancer_open(env->ctx, set->model, env->masker->blur, set->weight, st->masker, &st->enhancer,
                                   err);
    if (rc != FACEFUSE_OK) {
        enhancer_release(st);
        return rc;
    }
    *state = st;
    return FACEFUSE_OK;
}

static facefuse_status enhancer_process(fu_frame *f, fu_err *err)
{
    const enhancer_state *st = f->state;
    facefuse_status rc = FACEFUSE_OK;
    for (int i = 0; i < f->face_count && rc == FACEFUSE_OK; i++)
        rc = fu_face_enhancer_enhance_face(st->enhancer, f->frame, &f->faces[i], st->blend, NULL,
                                           err);
    return rc;
}

const fu_processor fu_face_enhancer_processor = {"face_enhancer", &enhancer_group, FU_NEEDS_FACES, enhancer_prepare,
                                                enhancer_process, enhancer_release, NULL, NULL};

facefuse_enhancer_params facefuse_enhancer_default_params(void)
{
    facefuse_enhancer_params p = {"gfpgan_1.4", 80, 0.5f, 0.3f};
    return p;
}

facefuse_status facefuse_enhance_faces(facefuse_context *ctx, const facefuse_enhancer_params *params,
                                       facefuse_image *image, const facefuse_face *faces, int count)
{
    facefuse_enhancer_params defaults = facefuse_enhancer_default_params();
    fu_face_enhancer *fe = NULL;
    fu_err err;

    fu_err_clear(&err);
    if (!ctx || !image || !image->data || (count > 0 && !faces))
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (!params)
        params = &defaults;
    if (params->blend < 0 || params->blend > 100) {
        fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "enhancer blend %d is not in 0..100", params->blend);
        return fu_context_fail(ctx, &err);
    }
    if (fu_face_enhancer_open(ctx, params->model ? params->model : defaults.model, params->mask_blur,
                              params->weight, NULL, &fe, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    facefuse_status rc = FACEFUSE_OK;
    for (int i = 0; i < count && rc == FACEFUSE_OK; i++)
        rc = fu_face_enhancer_enhance_face(fe, image, &faces[i], params->blend, NULL, &err);
    fu_face_enhancer_close(fe);
    return rc == FACEFUSE_OK ? FACEFUSE_OK : fu_context_fail(ctx, &err);
}
