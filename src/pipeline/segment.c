/*
 * segment.c — keyframe-aligned segment plans (see segment.h).
 *
 * Boundary k of n goes to the keyframe nearest frame k × frames / n (the
 * earlier one on a tie), never before the previous boundary, so segments
 * are about equal and every piece a worker renders starts where a decoder
 * can start too. A target with a single keyframe is one segment.
 */
#include "pipeline/segment.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keyframe nearest `ideal` in (after, frames), or -1. */
static int64_t nearest_keyframe(const fu_video_index *ix, int64_t ideal, int64_t after)
{
    int64_t best = -1;
    for (int64_t i = after + 1; i < ix->count; i++) {
        if (!ix->keyframe[i])
            continue;
        if (best < 0 || llabs(i - ideal) < llabs(best - ideal))
            best = i;
        if (i > ideal)
            break;
    }
    return best;
}

facefuse_status fu_segment_plan_make(const fu_video_index *ix, int wanted, fu_segment_plan *plan, fu_err *err)
{
    memset(plan, 0, sizeof *plan);
    if (wanted < 1)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "the number of segments must be at least 1 (got %d)",
                       wanted);
    if (!ix || ix->count < 1)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot plan segments of a video without frames");
    if (wanted > ix->count)
        wanted = (int)ix->count;
    plan->segments = calloc((size_t)wanted, sizeof *plan->segments);
    if (!plan->segments)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory planning %d segments", wanted);
    int64_t start = 0;
    int n = 0;
    for (int k = 1; k <= wanted; k++) {
        int64_t end = ix->count;
        if (k < wanted) {
            int64_t ideal = (int64_t)llround((double)k * (double)ix->count / wanted);
            int64_t key = nearest_keyframe(ix, ideal, start);
            if (key < 0)
                k = wanted; /* no keyframe left: the rest is one segment */
            else
                end = key;
        }
        plan->segments[n].index = n;
        plan->segments[n].start = start;
        plan->segments[n].end = end;
        n++;
        start = end;
        if (end >= ix->count)
            break;
    }
    plan->count = n;
    plan->frames = ix->count;
    return FACEFUSE_OK;
}

facefuse_status fu_segment_plan_every(const fu_video_index *ix, double seconds, fu_segment_plan *plan, fu_err *err)
{
    if (!(seconds > 0))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "segment length must be positive (got %g s)", seconds);
    double total_s = fu_video_index_seconds(ix, ix->count);
    double n = ceil(total_s / seconds);
    return fu_segment_plan_make(ix, n < 1 ? 1 : n > 100000 ? 100000 : (int)n, plan, err);
}

facefuse_status fu_segment_plan_file(const char *path, int wanted, fu_segment_plan *plan, fu_err *err)
{
    fu_video_index ix;
    memset(plan, 0, sizeof *plan);
    facefuse_status rc = fu_video_index_build(path, &ix, err);
    if (rc != FACEFUSE_OK)
        return rc;
    rc = fu_segment_plan_make(&ix, wanted, plan, err);
    fu_video_index_free(&ix);
    return rc;
}

void fu_segment_plan_free(fu_segment_plan *plan)
{
    if (!plan)
        return;
    free(plan->segments);
    memset(plan, 0, sizeof *plan);
}

char *fu_segment_plan_json(const fu_segment_plan *plan)
{
    size_t cap = 64 + (size_t)plan->count * 96, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    len += (size_t)snprintf(s + len, cap - len, "[");
    for (int i = 0; i < plan->count; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s{\"index\": %d, \"trim_frame_start\": %lld, \"trim_frame_end\": %lld}",
                                i ? ", " : "", plan->segments[i].index, (long long)plan->segments[i].start,
                                (long long)plan->segments[i].end);
    snprintf(s + len, cap - len, "]");
    return s;
}

facefuse_status fu_segment_plan_read_json(const char *path, fu_segment_plan *plan, fu_err *err)
{
    json_error_t jerr;
    memset(plan, 0, sizeof *plan);
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot read the segment plan %s: %s (line %d)", path,
                       jerr.text, jerr.line);
    size_t n = json_is_array(root) ? json_array_size(root) : 0;
    facefuse_status rc = FACEFUSE_OK;
    if (n == 0)
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "segment plan %s is not a list of segments", path);
    else if (!(plan->segments = calloc(n, sizeof *plan->segments)))
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading %s", path);
    for (size_t i = 0; rc == FACEFUSE_OK && i < n; i++) {
        json_t *e = json_array_get(root, i);
        json_t *ji = json_object_get(e, "index"), *js = json_object_get(e, "trim_frame_start"),
               *je = json_object_get(e, "trim_frame_end");
        if (!json_is_integer(ji) || !json_is_integer(js) || !json_is_integer(je) ||
            json_integer_value(ji) != (json_int_t)i || json_integer_value(js) < 0 ||
            json_integer_value(je) <= json_integer_value(js) ||
            (i > 0 && json_integer_value(js) != plan->segments[i - 1].end)) {
            rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                         "segment plan %s: entry %zu is not {\"index\": %zu, \"trim_frame_start\", \"trim_frame_end\"} "
                         "continuing the previous one", path, i, i);
            break;
        }
        plan->segments[i].index = (int)i;
        plan->segments[i].start = json_integer_value(js);
        plan->segments[i].end = json_integer_value(je);
    }
    json_decref(root);
    if (rc != FACEFUSE_OK) {
        fu_segment_plan_free(plan);
        return rc;
    }
    plan->count = (int)n;
    plan->frames = plan->segments[n - 1].end;
    return FACEFUSE_OK;
}
