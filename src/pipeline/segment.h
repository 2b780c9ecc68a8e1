/*
 * segment.h — cutting a long video target into independent pieces at its
 * keyframes, so that many processes (or machines, through a batch engine)
 * can each render one range with an ordinary headless-run
 * (--trim-frame-start/--trim-frame-end) and the pieces can be joined by
 * stream copy (media/video_concat.h).
 *
 * The plan depends only on the target file and the number of segments, so
 * every worker, `concat` and a resumed run compute the same ranges.
 */
#ifndef FU_SEGMENT_H
#define FU_SEGMENT_H

#include <stdint.h>

#include "core/error.h"
#include "media/video_index.h"

typedef struct fu_segment {
    int index;
    int64_t start, end;   /* target frames [start, end) */
} fu_segment;

typedef struct fu_segment_plan {
    fu_segment *segments;
    int count;
    int64_t frames;       /* of the target */
} fu_segment_plan;

/* Up to `wanted` segments of about equal length, each starting at a
 * keyframe (the one nearest the even split). Fewer when the target has
 * fewer keyframes. */
facefuse_status fu_segment_plan_make(const fu_video_index *ix, int wanted, fu_segment_plan *plan, fu_err *err);
/* The same, with segments of about seconds each. */
facefuse_status fu_segment_plan_every(const fu_video_index *ix, double seconds, fu_segment_plan *plan,
                                      fu_err *err);
/* Indexes path and plans `wanted` segments. */
facefuse_status fu_segment_plan_file(const char *path, int wanted, fu_segment_plan *plan, fu_err *err);
void fu_segment_plan_free(fu_segment_plan *plan);

/* The plan as JSON: [{"index":0,"trim_frame_start":0,"trim_frame_end":250},...]
 * (malloc'd, NULL when out of memory). */
char *fu_segment_plan_json(const fu_segment_plan *plan);
/* Reads a plan written by fu_segment_plan_json. */
facefuse_status fu_segment_plan_read_json(const char *path, fu_segment_plan *plan, fu_err *err);

#endif
