/*
 * face_masker.c — box, occlusion, area and region masks combined by
 * minimum (see face_masker.h).
 */
#include "processors/face_masker.h"

#include <stdlib.h>
#include <string.h>

#include "infer/context.h"
#include "processors/mask_area.h"
#include "processors/mask_occlusion.h"
#include "processors/mask_region.h"

#define DEFAULT_OCCLUDER "xseg_1"
#define DEFAULT_PARSER "bisenet_resnet_34"

struct fu_face_masker {
    unsigned types;
    fu_session *occluders[3];  /* owned by the context */
    int n_occluders, occluder_size;
    fu_session *parser;
    int parser_size;
    int classes[FU_REGION_COUNT];
    int n_classes;
    const char *areas[3];      /* static names from the table below */
    int n_areas;
};

static const char *const area_names[3] = {"upper-face", "lower-face", "mouth"};

#define M(field) offsetof(fu_masker_settings, field)

static const fu_option masker_options[] = {
    {.name = "--face-occluder-model", .section = "face_masker", .type = FU_OPT_STRING, .def = "xseg_1",
     .choices = "many xseg_1 xseg_2 xseg_3", .offset = M(occluder_model), .help = "occlusion mask model"},
    {.name = "--face-parser-model", .section = "face_masker", .type = FU_OPT_STRING, .def = "bisenet_resnet_34",
     .choices = "bisenet_resnet_18 bisenet_resnet_34", .offset = M(parser_model), .help = "region mask model"},
    {.name = "--face-mask-types", .section = "face_masker", .type = FU_OPT_STRINGS, .def = "box",
     .choices = "box occlusion area region", .count_max = 4, .offset = M(types),
     .help = "masks a processed face is pasted through, combined by minimum"},
    {.name = "--face-mask-areas", .section = "face_masker", .type = FU_OPT_STRINGS,
     .def = "upper-face lower-face mouth", .choices = "upper-face lower-face mouth", .count_max = 3,
     .offset = M(areas), .help = "68-landmark areas of the area mask"},
    {.name = "--face-mask-regions", .section = "face_masker", .type = FU_OPT_STRINGS,
     .def = "skin left-eyebrow right-eyebrow left-eye right-eye glasses nose mouth upper-lip lower-lip",
     .choices = "skin left-eyebrow right-eyebrow left-eye right-eye glasses nose mouth upper-lip lower-lip",
     .count_max = 10, .offset = M(regions), .help = "face parser regions of the region mask"},
    {.name = "--face-mask-blur", .section = "face_masker", .type = FU_OPT_FLOAT, .def = "0.3", .min = 0, .max = 1,
     .step = 0.05, .offset = M(blur), .help = "box mask blur"},
    {.name = "--face-mask-padding", .section = "face_masker", .type = FU_OPT_INTS, .def = "0 0 0 0", .min = 0,
     .max = 100, .step = 1, .flags = FU_OPTF_TRBL, .offset = M(padding),
     .help = "box mask padding, percent: top right bottom left (1 to 4 values)"},
    {.name = "--face-color-match", .section = "face_masker", .type = FU_OPT_STRING, .def = "none",
     .choices = "none reinhard histogram", .offset = M(color_match),
     .help = "match the processed face's Lab colour statistics to the target's (facefuse's own)"},
    {.name = "--face-blend-mode", .section = "face_masker", .type = FU_OPT_STRING, .def = "linear",
     .choices = "linear poisson", .offset = M(blend_mode),
     .help = "paste the processed face linearly or by Poisson (seamless) cloning (facefuse's own)"},
    {0}};

const fu_option_group fu_face_masker_options = {"face_masker", "face masker", masker_options,
                                                sizeof(fu_masker_settings), NULL};

facefuse_status fu_mask_types_parse(const fu_masker_settings *ms, unsigned *types, fu_err *err)
{
    static const char *const names[4] = {"box", "occlusion", "area", "region"};
    *types = 0;
    for (int i = 0; i < ms->types.n; i++) {
        int k = 0;
        while (k < 4 && strcmp(names[k], ms->types.v[i]) != 0)
            k++;
        if (k == 4)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "unknown face mask type '%s' (box, occlusion, area, region)", ms->types.v[i]);
        *types |= 1u << k;
    }
    if (*types == 0)
        *types = FU_MASK_BOX;
    return FACEFUSE_OK;
}

static facefuse_status open_session(facefuse_context *ctx, const char *name, fu_session **s, int *size, fu_err *err)
{
    const fu_model_def *def = NULL;
    facefuse_status rc = fu_context_session(ctx, name, s, &def, err);
    if (rc == FACEFUSE_OK)
        *size = def && def->size > 0 ? def->size : 256;
    return rc;
}

static facefuse_status open_occluders(fu_face_masker *m, facefuse_context *ctx, const char *model, fu_err *err)
{
    static const char *const all[3] = {"xseg_1", "xseg_2", "xseg_3"};
    facefuse_status rc = FACEFUSE_OK;
    if (!model)
        model = DEFAULT_OCCLUDER;
    int many = strcmp(model, "many") == 0;
    if (!many && strncmp(model, "xseg_", 5) != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face occluder model '%s' (xseg_1, xseg_2, "
                       "xseg_3, many)", model);
    for (int i = 0; i < (many ? 3 : 1) && rc == FACEFUSE_OK; i++) {
        rc = open_session(ctx, many ? all[i] : model, &m->occluders[i], &m->occluder_size, err);
        if (rc == FACEFUSE_OK)
            rc = fu_occluder_check(m->occluders[i], m->occluder_size, err);
        m->n_occluders = i + 1;
    }
    return rc;
}

static facefuse_status open_parser(fu_face_masker *m, facefuse_context *ctx, const fu_masker_settings *ms, fu_err *err)
{
    const char *model = ms->parser_model ? ms->parser_model : DEFAULT_PARSER;
    if (strncmp(model, "bisenet_", 8) != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face parser model '%s'", model);
    for (int i = 0; i < FU_REGION_COUNT; i++) /* none named: all regions */
        m->classes[i] = fu_mask_region_class(fu_mask_region_name(i));
    m->n_classes = FU_REGION_COUNT;
    if (ms->regions.n > 0) {
        m->n_classes = 0;
        for (int i = 0; i < ms->regions.n && i < FU_REGION_COUNT; i++) {
            int c = fu_mask_region_class(ms->regions.v[i]);
            if (c < 0)
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face mask region '%s'",
                               ms->regions.v[i]);
            m->classes[m->n_classes++] = c;
        }
    }
    facefuse_status rc = open_session(ctx, model, &m->parser, &m->parser_size, err);
    return rc == FACEFUSE_OK ? fu_parser_check(m->parser, m->parser_size, err) : rc;
}

static facefuse_status choose_areas(fu_face_masker *m, const fu_masker_settings *ms, fu_err *err)
{
    if (ms->areas.n == 0) {
        memcpy(m->areas, area_names, sizeof area_names);
        m->n_areas = 3;
        return FACEFUSE_OK;
    }
    for (int i = 0; i < ms->areas.n && m->n_areas < 3; i++) {
        int k = 0;
        while (k < 3 && strcmp(area_names[k], ms->areas.v[i]) != 0)
            k++;
        if (k == 3)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face mask area '%s' (upper-face, "
                           "lower-face, mouth)", ms->areas.v[i]);
        m->areas[m->n_areas++] = area_names[k];
    }
    return FACEFUSE_OK;
}

facefuse_status fu_face_masker_open(facefuse_context *ctx, const fu_masker_settings *ms, fu_face_masker **out,
                                    fu_err *err)
{
    facefuse_status rc;
    *out = NULL;
    fu_face_masker *m = calloc(1, sizeof *m);
    if (!m)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    rc = fu_mask_types_parse(ms, &m->types, err);
    if (rc == FACEFUSE_OK && (m->types & FU_MASK_OCCLUSION))
        rc = open_occluders(m, ctx, ms->occluder_model, err);
    if (rc == FACEFUSE_OK && (m->types & FU_MASK_REGION))
        rc = open_parser(m, ctx, ms, err);
    if (rc == FACEFUSE_OK && (m->types & FU_MASK_AREA))
        rc = choose_areas(m, ms, err);
    if (rc != FACEFUSE_OK) {
        free(m);
        return rc;
    }
    *out = m;
    return FACEFUSE_OK;
}

void fu_face_masker_close(fu_face_masker *m)
{
    free(m);
}

unsigned fu_face_masker_types(const fu_face_masker *m)
{
    return m ? m->types : FU_MASK_BOX;
}

/* mask = min(mask, other) over n values. */
static void take_min(float *mask, const float *other, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mask[i] = other[i] < mask[i] ? other[i] : mask[i];
}

facefuse_status fu_face_masker_before(const fu_face_masker *m, const facefuse_image *crop, const float *box,
                                      float *mask, fu_err *err)
{
    const size_t n = (size_t)crop->width * crop->height;
    facefuse_status rc = FACEFUSE_OK;
    if (box)
        memcpy(mask, box, sizeof(float) * n);
    else
        for (size_t i = 0; i < n; i++)
            mask[i] = 1.0f;
    if (!m || !(m->types & FU_MASK_OCCLUSION))
        return FACEFUSE_OK;
    float *occ = malloc(sizeof(float) * n);
    if (!occ)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the occlusion mask");
    rc = fu_occlusion_mask(m->occluders, m->n_occluders, m->occluder_size, crop, occ, err);
    if (rc == FACEFUSE_OK)
        take_min(mask, occ, n);
    free(occ);
    return rc;
}

facefuse_status fu_face_masker_after(const fu_face_masker *m, const facefuse_image *result,
                                     const facefuse_face *face, const fu_affine *to_crop, float *mask, fu_err *err)
{
    const int size = result->width;
    const size_t n = (size_t)size * size;
    facefuse_status rc = FACEFUSE_OK;
    if (!m || !(m->types & (FU_MASK_AREA | FU_MASK_REGION)))
        return FACEFUSE_OK;
    if ((m->types & FU_MASK_AREA) && !face->has_landmark_68)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "the area face mask needs the face's 68 landmarks, "
                       "and none were found (is fan_68_5 or a landmarker model available?)");
    float *other = malloc(sizeof(float) * n);
    if (!other)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a %d px face mask", size);
    if (m->types & FU_MASK_AREA) {
        rc = fu_area_mask(other, size, face->landmark_68, to_crop, m->areas, m->n_areas, err);
        if (rc == FACEFUSE_OK)
            take_min(mask, other, n);
    }
    if (rc == FACEFUSE_OK && (m->types & FU_MASK_REGION)) {
        rc = fu_region_mask(m->parser, m->parser_size, result, m->classes, m->n_classes, other, err);
        if (rc == FACEFUSE_OK)
            take_min(mask, other, n);
    }
    free(other);
    return rc;
}
