/*
 * live.c — the `facefuse live` command (see live.h).
 */
#include "cli/live.h"

#include <signal.h>
#include <string.h>

#include "pipeline/live_workflow.h"

facefuse_status fu_cli_live(facefuse_context *ctx, const fu_optset *set, fu_run_config *cfg, volatile int *stop,
                            fu_err *err)
{
    fu_live_settings live;
    fu_live_summary summary;
    facefuse_status rc;

    memset(&live, 0, sizeof live);
    if ((rc = fu_options_apply(set, &fu_live_options, &live, err)) != FACEFUSE_OK)
        return rc;
    if (!fu_optset_is_set(set, "--face-selector-mode")) {
        cfg->selector_settings.mode = "one";
        cfg->selector.mode = FACEFUSE_SELECT_ONE;
    }
    /* a stream whose reader went away is an error to report, not a signal */
    signal(SIGPIPE, SIG_IGN);
    return fu_run_live(ctx, cfg, &live, stop, &summary, err);
}
