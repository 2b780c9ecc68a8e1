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

facefuse_status fu_mask_types_parse(const fu_run_config *cfg, unsigned *types, fu_err *err)
{
    static const char *const names[4] = {"box", "occlusion", "area", "region"};
    *types = 0;
    for (int i = 0; i < cfg->mask_type_count; i++) {
        int k = 0;
        while (k < 4 && strcmp(names[k], cfg->mask_types[i]) != 0)
            k++;
        if (k == 4)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "unknown face mask type '%s' (box, occlusion, area, region)", cfg->mask_types[i]);
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

static facefuse_status open_parser(fu_face_masker *m, facefuse_context *ctx, const fu_run_config *cfg, fu_err *err)
{
    const char *model = cfg->parser_model ? cfg->parser_model : DEFAULT_PARSER;
    if (strncmp(model, "bisenet_", 8) != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face parser model '%s'", model);
    for (int i = 0; i < FU_REGION_COUNT; i++) /* none named: all regions */
        m->classes[i] = fu_mask_region_class(fu_mask_region_name(i));
    m->n_classes = FU_REGION_COUNT;
    if (cfg->mask_region_count > 0) {
        m->n_classes = 0;
        for (int i = 0; i < cfg->mask_region_count && i < FU_REGION_COUNT; i++) {
            int c = fu_mask_region_class(cfg->mask_regions[i]);
            if (c < 0)
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face mask region '%s'",
                               cfg->mask_regions[i]);
            m->classes[m->n_classes++] = c;
        }
    }
    facefuse_status rc = open_session(ctx, model, &m->parser, &m->parser_size, err);
    return rc == FACEFUSE_OK ? fu_parser_check(m->parser, m->parser_size, err) : rc;
}

static facefuse_status choose_areas(fu_face_masker *m, const fu_run_config *cfg, fu_err *err)
{
    if (cfg->mask_area_count == 0) {
        memcpy(m->areas, area_names, sizeof area_names);
        m->n_areas = 3;
        return FACEFUSE_OK;
    }
    for (int i = 0; i < cfg->mask_area_count && m->n_areas < 3; i++) {
        int k = 0;
        while (k < 3 && strcmp(area_names[k], cfg->mask_areas[i]) != 0)
            k++;
        if (k == 3)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown face mask area '%s' (upper-face, "
                           "lower-face, mouth)", cfg->mask_areas[i]);
        m->areas[m->n_areas++] = area_names[k];
    }
    return FACEFUSE_OK;
}

facefuse_status fu_face_masker_open(facefuse_context *ctx, const fu_run_config *cfg, fu_face_masker **out,
                                    fu_err *err)
{
    facefuse_status rc;
    *out = NULL;
    fu_face_masker *m = calloc(1, sizeof *m);
    if (!m)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    rc = fu_mask_types_parse(cfg, &m->types, err);
    if (rc == FACEFUSE_OK && (m->types & FU_MASK_OCCLUSION))
        rc = open_occluders(m, ctx, cfg->occluder_model, err);
    if (rc == FACEFUSE_OK && (m->types & FU_MASK_REGION))
        rc = open_parser(m, ctx, cfg, err);
    if (rc == FACEFUSE_OK && (m->types & FU_MASK_AREA))
        rc = choose_areas(m, cfg, err);
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
