/*
 * batch.h — FaceFusion's batch-run patterns.
 *
 * Source and target glob patterns expand (sorted) into the cross product of
 * sources × targets, or targets alone when no source pattern is given. The
 * output pattern's placeholders are FaceFusion's: {index}, {source_name},
 * {target_name} (file names without extension) and {target_extension}.
 * FaceFusion's extension includes the dot ("{target_name}{target_extension}");
 * written after a dot (".{target_extension}") it is substituted without its
 * own, so both styles give "name.png".
 */
#ifndef FU_BATCH_H
#define FU_BATCH_H

#include <limits.h>

#include "core/error.h"

typedef struct fu_batch_item {
    char source[PATH_MAX];   /* "" when there is no source pattern */
    char target[PATH_MAX];
    char output[PATH_MAX];
} fu_batch_item;

/* *items is malloc'd (free()). No target matching is FACEFUSE_ERR_INVALID_ARGUMENT. */
facefuse_status fu_batch_expand(const char *source_pattern, const char *target_pattern,
                                const char *output_pattern, fu_batch_item **items, int *count,
                                fu_err *err);

/* Before any work: no two items write the same file (compared after
 * resolving the output's directory), and no item's output is an input
 * (target or source) of any item, by device and inode. Else
 * FACEFUSE_ERR_INVALID_ARGUMENT naming both. */
facefuse_status fu_batch_check(const fu_batch_item *items, int count, fu_err *err);

#endif
