/*
 * processor.h — the processor chain.
 *
 * A processor is one entry in a table: its name (as FaceFusion's
 * --processors), a pre-check run once before any frame (models present and
 * valid, sources usable), and a frame function. The frame's faces are
 * analysed once, before the chain, and shared by every processor.
 */
#ifndef FU_PROCESSOR_H
#define FU_PROCESSOR_H

#include "core/error.h"
#include "pipeline/config.h"

/* What a processor sees of one frame. `frame` is RGB or RGBA and is changed
 * in place; `faces` are the target faces selected on the original frame. */
typedef struct fu_frame {
    facefuse_context *ctx;
    const fu_run_config *cfg;
    facefuse_image *frame;
    const facefuse_face *faces;
    int face_count;
    const facefuse_face *all_faces;  /* every detected face, before selection */
    int all_face_count;
    void *state;                     /* the processor's prepared state */
} fu_frame;

typedef struct fu_processor {
    const char *name;
    /* Once before the run: load/verify models, prepare per-run state (e.g.
     * the source identity). *state is freed with release. May be NULL. */
    facefuse_status (*prepare)(facefuse_context *ctx, const fu_run_config *cfg, void **state,
                               fu_err *err);
    facefuse_status (*process)(fu_frame *f, fu_err *err);
    void (*release)(void *state);
    int uses_faces;   /* 0: the chain need not analyse faces for it (frame enhancer) */
} fu_processor;

/* 1 if name is one of face_debugger's items. */
int fu_debugger_item_known(const char *name);

/* The processor named `name`, or NULL. */
const fu_processor *fu_processor_find(const char *name);
/* All names, space-separated, for messages. */
const char *fu_processor_names(void);

#endif
