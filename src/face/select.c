/*
 * select.c — which faces a processor acts on: FaceFusion's sort orders,
 * gender/race/age filters and the reference / one / many modes.
 */
#include <stdlib.h>
#include <string.h>

#include "face/analyse.h"
#include "infer/context.h"

facefuse_selector_params facefuse_selector_default_params(void)
{
    facefuse_selector_params p;
    memset(&p, 0, sizeof p);
    p.mode = FACEFUSE_SELECT_REFERENCE;
    p.order = FACEFUSE_ORDER_LARGE_SMALL;
    p.gender = FACEFUSE_GENDER_UNKNOWN;
    p.race = FACEFUSE_RACE_UNKNOWN;
    p.age_start = p.age_end = -1;
    p.reference_face_position = 0;
    p.reference_face_distance = 0.3f;
    return p;
}

static float area_of(const facefuse_face *f)
{
    return (f->box[2] - f->box[0]) * (f->box[3] - f->box[1]);
}

/* The key a face sorts by, ascending. */
static float sort_key(const facefuse_face *f, facefuse_selector_order order)
{
    switch (order) {
    case FACEFUSE_ORDER_LEFT_RIGHT: return f->box[0];
    case FACEFUSE_ORDER_RIGHT_LEFT: return -f->box[0];
    case FACEFUSE_ORDER_TOP_BOTTOM: return f->box[1];
    case FACEFUSE_ORDER_BOTTOM_TOP: return -f->box[1];
    case FACEFUSE_ORDER_SMALL_LARGE: return area_of(f);
    case FACEFUSE_ORDER_LARGE_SMALL: return -area_of(f);
    case FACEFUSE_ORDER_BEST_WORST: return -f->detector_score;
    case FACEFUSE_ORDER_WORST_BEST: return f->detector_score;
    }
    return 0;
}

/* Stable insertion sort: face counts are small and equal keys keep
 * detection order. */
static void sort_faces(facefuse_face *faces, int n, facefuse_selector_order order)
{
    facefuse_face tmp;
    for (int i = 1; i < n; i++) {
        int j = i;
        memcpy(&tmp, &faces[i], sizeof tmp);
        float key = sort_key(&tmp, order);
        while (j > 0 && sort_key(&faces[j - 1], order) > key) {
            memcpy(&faces[j], &faces[j - 1], sizeof tmp);
            j--;
        }
        if (j != i)
            memcpy(&faces[j], &tmp, sizeof tmp);
    }
}

static int passes_filters(const facefuse_face *f, const facefuse_selector_params *p)
{
    if (p->gender != FACEFUSE_GENDER_UNKNOWN && f->gender != p->gender)
        return 0;
    if (p->race != FACEFUSE_RACE_UNKNOWN && f->race != p->race)
        return 0;
    if (p->age_start >= 0 || p->age_end >= 0) {
        /* Keep the face if its age bucket overlaps [start, end). */
        int start = p->age_start >= 0 ? p->age_start : 0, end = p->age_end >= 0 ? p->age_end : 100;
        if (f->age_start < 0 || f->age_end < start || f->age_start >= end)
            return 0;
    }
    return 1;
}

/* Sorts and filters in place; returns the new count. */
static int sort_and_filter(facefuse_face *faces, int n, const facefuse_selector_params *p)
{
    int kept = 0;
    sort_faces(faces, n, p->order);
    for (int i = 0; i < n; i++) {
        if (!passes_filters(&faces[i], p))
            continue;
        if (kept != i)
            memcpy(&faces[kept], &faces[i], sizeof faces[i]);
        kept++;
    }
    return kept;
}

facefuse_status facefuse_select_faces(facefuse_context *ctx, const facefuse_selector_params *params,
                                      const facefuse_face *reference_faces, int reference_count,
                                      facefuse_face *faces, int *count)
{
    facefuse_selector_params defaults = facefuse_selector_default_params();
    fu_err err;

    fu_err_clear(&err);
    if (!ctx || !count || (*count > 0 && !faces))
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (!params)
        params = &defaults;
    int n = sort_and_filter(faces, *count, params);

    if (params->mode == FACEFUSE_SELECT_ONE) {
        *count = n > 0 ? 1 : 0;
        return FACEFUSE_OK;
    }
    if (params->mode == FACEFUSE_SELECT_MANY) {
        *count = n;
        return FACEFUSE_OK;
    }
    /* reference: sort/filter the reference frame's faces the same way, pick
     * the one at the position, keep target faces close enough to it. */
    if (reference_count <= 0 || !reference_faces) {
        *count = 0;
        return FACEFUSE_OK;
    }
    facefuse_face *refs = malloc((size_t)reference_count * sizeof *refs);
    if (!refs) {
        fu_fail(&err, FACEFUSE_ERR_NO_MEMORY, "out of memory selecting faces");
        return fu_context_fail(ctx, &err);
    }
    memcpy(refs, reference_faces, (size_t)reference_count * sizeof *refs);
    int n_refs = sort_and_filter(refs, reference_count, params);
    int pos = params->reference_face_position;
    if (pos < 0 || pos >= n_refs) {
        free(refs);
        *count = 0;
        return FACEFUSE_OK;
    }
    int kept = 0;
    for (int i = 0; i < n; i++) {
        if (facefuse_face_distance(&refs[pos], &faces[i]) < params->reference_face_distance) {
            if (kept != i)
                memcpy(&faces[kept], &faces[i], sizeof faces[i]);
            kept++;
        }
    }
    free(refs);
    *count = kept;
    return FACEFUSE_OK;
}
