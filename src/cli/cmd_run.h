/*
 * cmd_run.h — `facefuse run`: the web UI and API (src/server) at
 * http://127.0.0.1:7860, with the processing options of headless-run as the
 * page's defaults. Options of its own (not yet in the option table; taken by
 * extra_options.h until the lead's tables declare them):
 *   --ui-host HOST (127.0.0.1)   --ui-port PORT (7860)   --ui-token TOKEN
 *   --ui-max-upload-mb MB (2048) --ui-job-concurrency N (1)   --open-browser
 *   --ui-layouts default|jobs (default)   --ui-workflow instant_runner
 *   --jobs-path DIR (.jobs)
 * Runs until Ctrl-C. Exit codes: 0 after Ctrl-C, 1 cannot serve (port in
 * use...), 2 invalid options.
 */
#ifndef FU_CMD_RUN_H
#define FU_CMD_RUN_H

#include "cli/cmd_jobs.h"

int fu_cmd_run(int argc, char **argv, fu_cli_command_fn headless);

#endif
