/*
 * job_step.c — step options ⇄ JSON through the option tables, and the step
 * runner on fu_run_target (see job_step.h).
 */
#include "pipeline/jobs/job_step.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/log.h"
#include "infer/context.h"
#include "pipeline/run.h"

/* ------------------------------------------------------------ JSON ⇄ options */

int fu_job_step_option(const fu_option *o)
{
    if (o->flags & (FU_OPTF_JOB | FU_OPTF_FRONT))
        return 0;
    return !(o->reject && !o->unsupported); /* an option this build refuses outright is never set */
}

facefuse_status fu_job_step_json(const fu_optset *set, char **json, fu_err *err)
{
    json_t *root = json_object();
    *json = NULL;
    for (int i = 0; root && i < set->count; i++) {
        const fu_option *o = fu_optset_option(set, i);
        const fu_optval *v = &set->vals[i];
        if (!fu_job_step_option(o) || v->n == 0)
            continue;
        json_t *words = json_array();
        for (int k = 0; words && k < v->n; k++)
            if (json_array_append_new(words, json_string(v->words[k])) != 0) {
                json_decref(words);
                words = NULL;
            }
        if (!words || json_object_set_new(root, o->name, words) != 0) {
            json_decref(root);
            root = NULL;
        }
    }
    *json = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    return *json ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory writing step options");
}

/* The words of one option's JSON value (pointers into value). */
static facefuse_status words_of(const char *name, json_t *value, const char ***words, int *n, fu_err *err)
{
    size_t i;
    json_t *w;
    *words = NULL;
    *n = 0;
    if (!json_is_array(value))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step option %s: the value must be a list of words", name);
    *words = calloc(json_array_size(value) + 1, sizeof **words);
    if (!*words)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading step options");
    json_array_foreach(value, i, w) {
        if (!json_is_string(w)) {
            free(*words);
            *words = NULL;
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step option %s: word %zu is not a string", name, i);
        }
        (*words)[(*n)++] = json_string_value(w);
    }
    return FACEFUSE_OK;
}

facefuse_status fu_job_step_apply(fu_optset *set, const char *json, fu_err *err)
{
    json_error_t je;
    json_t *root = json_loads(json ? json : "", JSON_REJECT_DUPLICATES, &je), *value;
    const char *name;
    facefuse_status rc = FACEFUSE_OK;

    if (!root)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step options are not valid JSON (line %d: %s)", je.line,
                       je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step options must be a JSON object");
    }
    json_object_foreach(root, name, value) {
        const fu_option *o = NULL;
        const char **words;
        int n;
        if (strncmp(name, "--", 2) != 0 || fu_optset_find(set, name, &o) < 0) {
            rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %.100s in the step", name);
            break;
        }
        if (o->flags & (FU_OPTF_JOB | FU_OPTF_FRONT)) {
            rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                         "%s is not a step option (it belongs to the program that runs the job)", name);
            break;
        }
        if ((rc = words_of(name, value, &words, &n, err)) != FACEFUSE_OK)
            break;
        rc = fu_optset_set(set, name, words, n, FU_ORIGIN_ARG, err);
        free(words);
        if (rc != FACEFUSE_OK)
            break;
    }
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------ the runner */

struct fu_step_runner {
    facefuse_context *ctx;
    fu_optset job;              /* the job keys, over the run's groups */
    const char *memory_strategy;
    pthread_mutex_t lock;
    int running;
    void (*release)(void *user, facefuse_context *ctx, int keep);
    void *release_user;
};

facefuse_status fu_step_runner_new(facefuse_context *ctx, const fu_optset *job_options, fu_step_runner **out,
                                   fu_err *err)
{
    int n;
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    fu_step_runner *r = calloc(1, sizeof *r);
    facefuse_status rc;

    *out = NULL;
    if (!r)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the step runner");
    r->ctx = ctx;
    pthread_mutex_init(&r->lock, NULL);
    rc = fu_optset_init(&r->job, groups, n, err);
    if (rc == FACEFUSE_OK && job_options)
        rc = fu_optset_copy(&r->job, job_options, FU_OPTF_JOB, 0, err);
    if (rc != FACEFUSE_OK) {
        fu_step_runner_free(r);
        return rc;
    }
    r->memory_strategy = fu_optset_str(&r->job, "--video-memory-strategy");
    *out = r;
    return FACEFUSE_OK;
}

void fu_step_runner_free(fu_step_runner *r)
{
    if (!r)
        return;
    fu_optset_free(&r->job);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

void fu_step_runner_on_release(fu_step_runner *r, void (*release)(void *user, facefuse_context *ctx, int keep),
                               void *user)
{
    pthread_mutex_lock(&r->lock);
    r->release = release;
    r->release_user = user;
    pthread_mutex_unlock(&r->lock);
}

facefuse_status fu_step_runner_config(const fu_step_runner *r, const char *json, fu_optset *set, fu_run_config *cfg,
                                      fu_err *err)
{
    int n;
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    facefuse_status rc = fu_optset_init(set, groups, n, err);
    memset(cfg, 0, sizeof *cfg);
    if (rc == FACEFUSE_OK)
        rc = fu_optset_copy(set, &r->job, FU_OPTF_JOB, 0, err);
    if (rc == FACEFUSE_OK)
        rc = fu_job_step_apply(set, json, err);
    if (rc == FACEFUSE_OK)
        rc = fu_run_config_init(cfg, set, err);
    return rc;
}

/* After a run: when no other step runs, unload what the strategy says. */
static void step_done(fu_step_runner *r)
{
    pthread_mutex_lock(&r->lock);
    if (--r->running == 0 && r->memory_strategy && strcmp(r->memory_strategy, "tolerant") != 0) {
        int keep = strcmp(r->memory_strategy, "moderate") == 0;
        if (r->release)
            r->release(r->release_user, r->ctx, keep);
        else
            fu_context_release_sessions(r->ctx, keep);
    }
    pthread_mutex_unlock(&r->lock);
}

facefuse_status fu_step_runner_run(void *user, const char *json, const fu_job_progress *progress,
                                   volatile int *cancel, fu_err *err)
{
    fu_step_runner *r = user;
    fu_optset set;
    fu_run_config cfg;
    fu_run_result result;
    fu_run_hooks hooks = {cancel, progress ? progress->fn : NULL, progress ? progress->ctx : NULL};
    facefuse_status rc = fu_step_runner_config(r, json, &set, &cfg, err);

    if (rc == FACEFUSE_OK) {
        pthread_mutex_lock(&r->lock);
        r->running++;
        pthread_mutex_unlock(&r->lock);
        rc = fu_run_target(r->ctx, &cfg, &hooks, &result, err);
        step_done(r);
        if (rc == FACEFUSE_OK)
            fu_debug("step wrote %s", result.output_path);
    }
    fu_run_config_free(&cfg);
    fu_optset_free(&set);
    return rc;
}
