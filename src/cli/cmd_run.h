/*
 * cmd_run.h — `facefuse run`: the web UI and API (src/server) at
 * http://127.0.0.1:7860 on the real pipeline (server/pipeline_service.h),
 * with the processing options of its command line and ini as the page's
 * defaults and its job options (execution, download, memory, temp path)
 * for every job. Its own options are the "uis" group (server/ui_options.h)
 * and --jobs-path. Runs until Ctrl-C. Exit codes: 0 after Ctrl-C, 1 cannot
 * serve (port in use...), 2 invalid options.
 */
#ifndef FU_CMD_RUN_H
#define FU_CMD_RUN_H

/* argv: "facefuse", "run", options. */
int fu_cmd_run(int argc, char **argv);

#endif
