/*
 * chain.c — analysis, selection and the processor chain for one frame
 * (see chain.h).
 */
#include "pipeline/chain.h"

#include <stdlib.h>
#include <string.h>

#include "face/analyse.h"
#include "processors/processor.h"

struct fu_chain {
    facefuse_context *ctx;
    const fu_run_config *cfg;
    facefuse_analysis_params analysis;
    const fu_processor *processors[FU_MAX_PROCESSORS];
    void *states[FU_MAX_PROCESSORS];
    int count;
    facefuse_face *reference_faces;
    int reference_count;
    int uses_faces;     /* some processor works on faces: analyse each frame */
};

static int needs_identity(const fu_run_config *cfg)
{
    for (int i = 0; i < cfg->processor_count; i++)
        if (strcmp(cfg->processors[i], "face_swapper") == 0)
            return 1;
    return cfg->selector.mode == FACEFUSE_SELECT_REFERENCE && cfg->target_is_video;
}

facefuse_status fu_chain_new(facefuse_context *ctx, const fu_run_config *cfg, fu_chain **out, fu_err *err)
{
    fu_chain *c = calloc(1, sizeof *c);
    facefuse_status rc = FACEFUSE_OK;

    *out = NULL;
    if (!c)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    c->ctx = ctx;
    c->cfg = cfg;
    c->analysis = cfg->analysis;
    if (!needs_identity(cfg))
        c->analysis.recognizer_model = NULL;
    for (int i = 0; i < cfg->processor_count && rc == FACEFUSE_OK; i++) {
        const fu_processor *p = fu_processor_find(cfg->processors[i]);
        if (!p) {
            rc = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                         "processor '%s' is not available in facefuse yet (available: %s)",
                         cfg->processors[i], fu_processor_names());
            break;
        }
        c->processors[c->count] = p;
        c->uses_faces |= p->uses_faces;
        if (p->prepare)
            rc = p->prepare(ctx, cfg, &c->states[c->count], err);
        c->count++;
    }
    if (rc != FACEFUSE_OK) {
        fu_chain_free(c);
        return rc;
    }
    *out = c;
    return FACEFUSE_OK;
}

void fu_chain_free(fu_chain *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->count; i++)
        if (c->processors[i]->release)
            c->processors[i]->release(c->states[i]);
    free(c->reference_faces);
    free(c);
}

const facefuse_analysis_params *fu_chain_analysis(const fu_chain *c)
{
    return &c->analysis;
}

static facefuse_status analyse(fu_chain *c, const facefuse_image *frame, facefuse_face **faces, int *n,
                               fu_err *err)
{
    return fu_analyse_frame(c->ctx, frame, &c->analysis, faces, n, err);
}

facefuse_status fu_chain_set_reference(fu_chain *c, const facefuse_image *frame, fu_err *err)
{
    free(c->reference_faces);
    c->reference_faces = NULL;
    c->reference_count = 0;
    if (!c->uses_faces)
        return FACEFUSE_OK;
    return analyse(c, frame, &c->reference_faces, &c->reference_count, err);
}

facefuse_status fu_chain_process(fu_chain *c, facefuse_image *frame, int *faces_selected, fu_err *err)
{
    facefuse_face *all = NULL, *selected = NULL;
    int n_all = 0, n_sel = 0;
    facefuse_status rc = FACEFUSE_OK;

    if (faces_selected)
        *faces_selected = 0;
    if (c->uses_faces && (rc = analyse(c, frame, &all, &n_all, err)) != FACEFUSE_OK)
        return rc;
    if (n_all > 0) {
        selected = malloc((size_t)n_all * sizeof *selected);
        if (!selected) {
            free(all);
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for faces");
        }
        memcpy(selected, all, (size_t)n_all * sizeof *selected);
        n_sel = n_all;
        rc = facefuse_select_faces(c->ctx, &c->cfg->selector, c->reference_faces, c->reference_count, selected,
                                   &n_sel);
        if (rc != FACEFUSE_OK)
            fu_fail(err, rc, "face selection failed");
    }
    for (int i = 0; i < c->count && rc == FACEFUSE_OK; i++) {
        fu_frame f = {c->ctx, c->cfg, frame, selected, n_sel, all, n_all, c->states[i]};
        rc = c->processors[i]->process(&f, err);
    }
    if (faces_selected)
        *faces_selected = n_sel;
    free(all);
    free(selected);
    return rc;
}
