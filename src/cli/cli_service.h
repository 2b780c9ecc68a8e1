/*
 * cli_service.h — ADAPTER: a processing service for the web server built on
 * today's option table and headless-run (see cli_service.c). The lead
 * replaces it with the real service over the option tables and the pipeline.
 */
#ifndef FU_CLI_SERVICE_H
#define FU_CLI_SERVICE_H

#include "cli/cmd_jobs.h"
#include "cli/options.h"
#include "server/service.h"

typedef struct fu_cli_service fu_cli_service;

/* run_options: the `run` command's options (the page's defaults), kept by
 * reference; step: how job steps run. */
facefuse_status fu_cli_service_new(fu_optset *run_options, const fu_cli_step_adapter *step, fu_cli_service **out,
                                   fu_err *err);
void fu_cli_service_free(fu_cli_service *c);
fu_service fu_cli_service_table(fu_cli_service *c);

#endif
