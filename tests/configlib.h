/*
 * configlib.h — run configurations for tests, built the way the command line
 * builds them: from option words through the option tables.
 */
#ifndef FU_CONFIGLIB_H
#define FU_CONFIGLIB_H

#include "pipeline/config.h"

typedef struct tl_config {
    fu_optset set;
    fu_run_config cfg;
} tl_config;

/* Parses args (space-separated words, e.g. "--face-mask-types box occlusion")
 * over the run's option groups into c->cfg. Exits the test program on
 * failure, printing why. */
fu_run_config *tl_config_init(tl_config *c, const char *args);
/* The same, returning the status instead of exiting; err receives the message. */
facefuse_status tl_config_try(tl_config *c, const char *args, fu_err *err);
void tl_config_free(tl_config *c);

/* The settings of the named processor in c's config (exits when unknown). */
const void *tl_processor_settings(const tl_config *c, const char *processor);

#endif
