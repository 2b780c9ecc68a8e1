/*
 * fuzz_job_step.c — from the HTTP API's JSON to a job step
 * (src/server/api_media.c fu_api_options_to_args, the pipeline's service
 * check, src/pipeline/jobs/job_step.c and job_args.c), on the real option
 * tables of every processor. No model is loaded: only parsing and checks.
 *
 * The input is JSON text, used twice:
 *  - as a request's "options" object: turned into step options against the
 *    option list GET /api/options serves; refused with one line saying why,
 *    or checked by the service as a POST /api/jobs would be. A step the
 *    service accepts re-serialises (fu_job_step_json) to a step that it
 *    accepts again, giving the same JSON (round trip); a refusal sets a
 *    one-line message.
 *  - as a stored step (what job-run reads back from the store):
 *    fu_job_step_apply over the defaults, the same round trip, and the
 *    fu_job_args_* helpers (check, first, set: a set value reads back).
 * Must never crash, overflow or leak.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/option.h"
#include "facefuse.h"
#include "pipeline/config.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_step.h"
#include "server/api.h"
#include "server/pipeline_service.h"
#include "server/server_internal.h"

static fu_service table;
static fu_server server;        /* only its option list: what fu_api_options_to_args reads */
static const fu_option_group *const *groups;
static int group_count;
static fu_optset defaults;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_job_step: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void one_line(const char *msg, const char *where)
{
    if (!msg[0] || strchr(msg, '\n'))
        die("a refusal is not one line", where);
}

static void start(void)
{
    static char root[] = "/tmp/facefuse-fuzz-step-XXXXXX";
    char models[4096];
    facefuse_context *ctx = NULL;
    fu_pipeline_service *service = NULL;
    fu_err err;
    char *options = NULL;

    if (!mkdtemp(root))
        die("mkdtemp", strerror(errno));
    snprintf(models, sizeof models, "%s/models", root);
    mkdir(models, 0700);
    facefuse_context_params p = facefuse_context_default_params();
    p.model_dir = models;
    p.allow_download = 0;
    p.log_level = FACEFUSE_LOG_ERROR;
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK)
        die("cannot create the context", NULL);
    groups = fu_run_option_groups(&group_count);
    if (fu_optset_init(&defaults, groups, group_count, &err) != FACEFUSE_OK ||
        fu_pipeline_service_new(ctx, &defaults, &service, &err) != FACEFUSE_OK)
        die("cannot make the service", err.msg);
    table = fu_pipeline_service_table(service);
    if (table.options(table.user, &options, &err) != FACEFUSE_OK)
        die("no option list", err.msg);
    rmdir(models); /* nothing is ever written there */
    rmdir(root);
    server.options = json_loads(options, 0, NULL);
    free(options);
    if (!json_is_array(server.options) || json_array_size(server.options) < 50)
        die("the option list is not the tables'", NULL);
    /* The context and the service live until the process ends. */
}

/* The service accepts args (a step as POST /api/jobs makes it): its
 * complete step must be accepted again and give the same JSON. */
static void service_round_trip(const char *args)
{
    char *step = NULL, *again = NULL;
    fu_err err;
    fu_err_clear(&err);
    if (table.validate(table.user, args, &step, &err) != FACEFUSE_OK) {
        one_line(err.msg, "the service's check");
        return;
    }
    if (table.validate(table.user, step, &again, &err) != FACEFUSE_OK) {
        fprintf(stderr, "step: %s\nrefused: %s\n", step, err.msg);
        die("an accepted step is refused once stored", NULL);
    }
    if (strcmp(step, again) != 0) {
        fprintf(stderr, "step:  %s\nagain: %s\n", step, again);
        die("a stored step does not read back the same", NULL);
    }
    free(step);
    free(again);
}

static void from_request(const char *text)
{
    char why[FU_ERRMSG_MAX] = "";
    fu_err err;
    json_t *options = json_loads(text, JSON_REJECT_DUPLICATES, NULL), *args = json_object();
    if (!options) {
        json_decref(args);
        return;
    }
    if (fu_api_options_to_args(&server, options, args, why, sizeof why) != 0) {
        one_line(why, "fu_api_options_to_args");
    } else {
        char *a = json_dumps(args, JSON_COMPACT);
        if (fu_job_args_check(a, &err) != FACEFUSE_OK)
            die("fu_api_options_to_args made args that are not a step", err.msg);
        service_round_trip(a);
        free(a);
    }
    json_decref(args);
    json_decref(options);
}

/* A stored step over the defaults: applied, written, applied again. */
static void from_store(const char *text)
{
    fu_optset set, again;
    fu_err err;
    char *json = NULL, *json2 = NULL;
    if (fu_optset_init(&set, groups, group_count, &err) != FACEFUSE_OK ||
        fu_optset_copy(&set, &defaults, 0, 0, &err) != FACEFUSE_OK)
        die("optset", err.msg);
    fu_err_clear(&err);
    if (fu_job_step_apply(&set, text, &err) != FACEFUSE_OK) {
        one_line(err.msg, "fu_job_step_apply");
    } else {
        if (fu_job_step_json(&set, &json, &err) != FACEFUSE_OK)
            die("fu_job_step_json", err.msg);
        if (fu_optset_init(&again, groups, group_count, &err) != FACEFUSE_OK ||
            fu_optset_copy(&again, &defaults, 0, 0, &err) != FACEFUSE_OK)
            die("optset", err.msg);
        if (fu_job_step_apply(&again, json, &err) != FACEFUSE_OK) {
            fprintf(stderr, "step: %s\nrefused: %s\n", json, err.msg);
            die("a written step does not apply again", NULL);
        }
        if (fu_job_step_json(&again, &json2, &err) != FACEFUSE_OK || strcmp(json, json2) != 0) {
            fprintf(stderr, "step:  %s\nagain: %s\n", json, json2 ? json2 : "(none)");
            die("a written step does not read back the same", NULL);
        }
        fu_optset_free(&again);
        free(json);
        free(json2);
    }
    fu_optset_free(&set);
}

static void args_helpers(const char *text)
{
    char first[256];
    int found;
    fu_err err;
    char *out = NULL;
    const char *words[] = {"out put.mp4"};
    if (fu_job_args_check(text, &err) != FACEFUSE_OK) {
        one_line(err.msg, "fu_job_args_check");
        return;
    }
    if (fu_job_args_first(text, FU_ARG_TARGET_PATH, first, sizeof first, &found, &err) != FACEFUSE_OK)
        one_line(err.msg, "fu_job_args_first");
    if (fu_job_args_set(text, FU_ARG_OUTPUT_PATH, words, 1, &out, &err) != FACEFUSE_OK) {
        one_line(err.msg, "fu_job_args_set");
        return;
    }
    if (fu_job_args_check(out, &err) != FACEFUSE_OK)
        die("fu_job_args_set made args that are not a step", err.msg);
    if (fu_job_args_first(out, FU_ARG_OUTPUT_PATH, first, sizeof first, &found, &err) != FACEFUSE_OK || !found ||
        strcmp(first, words[0]) != 0)
        die("a value set does not read back", out);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    if (!started) {
        start();
        started = 1;
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    from_request(text);
    from_store(text);
    args_helpers(text);
    free(text);
    return 0;
}
