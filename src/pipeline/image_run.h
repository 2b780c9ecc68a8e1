/*
 * image_run.h — the image-to-image workflow: read the target, run the
 * processor chain once, write the output (never half-written).
 */
#ifndef FU_IMAGE_RUN_H
#define FU_IMAGE_RUN_H

#include "core/error.h"
#include "pipeline/run.h"

/* *faces_selected (may be NULL) receives how many target faces were
 * processed; 0 is not an error (the output is the unchanged target). A
 * cancel set while the chain runs stops before anything is written. */
facefuse_status fu_run_image(facefuse_context *ctx, const fu_run_config *cfg, const fu_run_hooks *hooks,
                             int *faces_selected, fu_err *err);

#endif
