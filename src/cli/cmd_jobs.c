/*
 * cmd_jobs.c — the job-* commands (see cmd_jobs.h): argument handling and
 * messages as FaceFusion's core.py route_job_manager / route_job_runner,
 * over the SQLite job store (src/pipeline/jobs). Steps are stored and run
 * through the option tables (job_step.h).
 */
#include "cli/cmd_jobs.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli_context.h"
#include "cli/options.h"
#include "core/file.h"
#include "core/log.h"
#include "core/stop.h"
#include "infer/context_options.h"
#include "pipeline/jobs/job_options.h"
#include "pipeline/jobs/job_step.h"
#include "pipeline/jobs/job_store.h"
#include "pipeline/video_run.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_INVALID = 2, EXIT_STOPPED = 4 };

typedef enum { CLASS_MANAGER, CLASS_STEP, CLASS_RUNNER } command_class;

typedef struct command {
    const char *name;
    int positionals;            /* job id, then step index / status */
    command_class cls;
    int all;                    /* takes --halt-on-error */
} command;

static const command commands[] = {
    {"job-list", 1, CLASS_MANAGER, 0},       {"job-create", 1, CLASS_MANAGER, 0},
    {"job-submit", 1, CLASS_MANAGER, 0},     {"job-submit-all", 0, CLASS_MANAGER, 1},
    {"job-delete", 1, CLASS_MANAGER, 0},     {"job-delete-all", 0, CLASS_MANAGER, 1},
    {"job-add-step", 1, CLASS_STEP, 0},      {"job-remix-step", 2, CLASS_STEP, 0},
    {"job-insert-step", 2, CLASS_STEP, 0},   {"job-remove-step", 2, CLASS_MANAGER, 0},
    {"job-run", 1, CLASS_RUNNER, 0},         {"job-run-all", 0, CLASS_RUNNER, 1},
    {"job-retry", 1, CLASS_RUNNER, 0},       {"job-retry-all", 0, CLASS_RUNNER, 1},
};

static volatile int stop_requested;

int fu_cmd_jobs_is(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return 1;
    return 0;
}

void fu_cmd_jobs_usage(FILE *out)
{
    fprintf(out,
            "  job-list STATUS [--json]                                  list jobs (drafted queued running\n"
            "                                                            completed failed cancelled)\n"
            "  job-create ID | job-submit ID | job-delete ID             manage a job\n"
            "  job-submit-all | job-delete-all [--halt-on-error]\n"
            "  job-add-step ID [step options]                            add a step (-s -t -o and processing options)\n"
            "  job-remix-step ID INDEX [step options]                    a step on the output of step INDEX\n"
            "  job-insert-step ID INDEX [step options] | job-remove-step ID INDEX\n"
            "  job-run ID | job-retry ID | job-run-all | job-retry-all   run queued / retry failed jobs\n"
            "      with the job options (execution, download, memory, --temp-path) and\n"
            "      --jobs-path DIR (.jobs) --halt-on-error --ui-job-concurrency N (1)\n");
}

volatile int *fu_cli_install_stop(void)
{
    stop_requested = 0;
    fu_stop_install(&stop_requested);
    return &stop_requested;
}

static int fail_line(const char *fmt, const char *a, const char *b, int code)
{
    fprintf(stderr, "facefuse: error: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
    return code;
}

static int fail_err(const fu_err *err, int code)
{
    return fail_line("%s%s", err->msg[0] ? err->msg : facefuse_strerror(err->code), "", code);
}

/* ------------------------------------------------------------ which options a command takes */

/* As FaceFusion's parsers: every job command takes --jobs-path and the log
 * level (and facefuse's --config-path); job-list --json; the *-all ones
 * --halt-on-error; the step commands the step options (remix-step without
 * a target: it is the remixed step's output); the run commands the job
 * options and how many jobs run at once. */
static int applies(const command *cmd, const fu_option *o)
{
    const char *n = o->name;
    if (!strcmp(n, "--config-path") || !strcmp(n, "--jobs-path") || !strcmp(n, "--log-level"))
        return 1;
    if (!strcmp(n, "--halt-on-error"))
        return cmd->all;
    if (!strcmp(n, "--json"))
        return !strcmp(cmd->name, "job-list");
    if (cmd->cls == CLASS_STEP)
        return fu_job_step_option(o) && !(!strcmp(cmd->name, "job-remix-step") && !strcmp(n, "--target-path"));
    if (cmd->cls == CLASS_RUNNER)
        return (o->flags & FU_OPTF_JOB) || !strcmp(n, "--ui-job-concurrency");
    return 0;
}

/* Fails when an option given on the command line does not apply to cmd
 * (the ini may hold anything: it is read for every command). */
static facefuse_status check_applies(const command *cmd, const fu_optset *set, fu_err *err)
{
    for (int i = 0; i < set->count; i++) {
        const fu_option *o = fu_optset_option(set, i);
        if (set->vals[i].origin != FU_ORIGIN_ARG || applies(cmd, o))
            continue;
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s does not apply to %s%s", o->name, cmd->name,
                       fu_job_step_option(o) && cmd->cls != CLASS_STEP
                           ? " (step options go to job-add-step, job-remix-step, job-insert-step)"
                       : (o->flags & FU_OPTF_JOB) && cmd->cls != CLASS_RUNNER
                           ? " (job options go to job-run, job-run-all, job-retry, job-retry-all)"
                           : "");
    }
    return FACEFUSE_OK;
}

/* ------------------------------------------------------------ step options */

/* The step's paths made absolute, so the step runs the same from any
 * directory (FaceFusion keeps them as typed). Each word stays one word. */
static facefuse_status absolute_paths(fu_optset *set, fu_err *err)
{
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return FACEFUSE_OK;
    for (int i = 0; i < set->count; i++) {
        const fu_option *o = fu_optset_option(set, i);
        const fu_optval *v = &set->vals[i];
        if (!(o->flags & FU_OPTF_PATH) || v->n == 0)
            continue;
        char **abs = calloc((size_t)v->n, sizeof *abs);
        facefuse_status rc = abs ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
        for (int k = 0; k < v->n && rc == FACEFUSE_OK; k++) {
            const char *w = v->words[k];
            if (w[0] == '/')
                abs[k] = strdup(w);
            else if (asprintf(&abs[k], "%s/%s", cwd, w[0] == '.' && w[1] == '/' ? w + 2 : w) < 0)
                abs[k] = NULL;
            if (!abs[k])
                rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
        }
        if (rc == FACEFUSE_OK)
            rc = fu_optset_set_index(set, i, (const char *const *)abs, v->n, v->origin, err);
        for (int k = 0; abs && k < set->vals[i].n; k++)
            free(abs[k]);
        free(abs);
        if (rc != FACEFUSE_OK)
            return rc;
    }
    return FACEFUSE_OK;
}

/* The step of a step command: checked as a run configuration, its paths
 * absolute, as JSON (malloc'd). */
static facefuse_status step_json(fu_optset *set, char **json, fu_err *err)
{
    fu_run_config cfg;
    facefuse_status rc = fu_run_config_init(&cfg, set, err);
    fu_run_config_free(&cfg);
    if (rc == FACEFUSE_OK)
        rc = absolute_paths(set, err);
    if (rc == FACEFUSE_OK)
        rc = fu_job_step_json(set, json, err);
    return rc;
}

/* ------------------------------------------------------------ running steps */

/* The step runner, with the progress bar on a terminal beside the store's. */
typedef struct cli_steps {
    fu_step_runner *runner;
    const fu_job_progress *store;
    fu_progress_state bar;
} cli_steps;

static void both_progress(void *user, int64_t done, int64_t total, double fps)
{
    cli_steps *c = user;
    c->store->fn(c->store->ctx, done, total, fps);
    fu_video_progress_bar(&c->bar, done, total, fps);
}

static facefuse_status run_cli_step(void *user, const char *json, const fu_job_progress *progress,
                                    volatile int *cancel, fu_err *err)
{
    cli_steps *c = user;
    fu_job_progress mine = {both_progress, c};
    memset(&c->bar, 0, sizeof c->bar);
    c->store = progress;
    return fu_step_runner_run(c->runner, json, progress ? &mine : NULL, cancel, err);
}

/* ------------------------------------------------------------ the commands */

static void local_time(const char *iso, char *out, size_t size)
{
    struct tm tm = {0};
    if (!iso[0] || !strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm)) {
        snprintf(out, size, "-");
        return;
    }
    time_t t = timegm(&tm);
    localtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static int cmd_list(fu_job_store *s, const char *status_name, int as_json)
{
    fu_job_status status;
    fu_job_info *jobs;
    int n;
    fu_err err;
    if (fu_job_status_parse(status_name, &status) != 0)
        return fail_line("invalid job status '%s' (choices: drafted queued running completed failed cancelled)%s",
                         status_name, "", EXIT_INVALID);
    if (fu_job_list(s, (int)status, &jobs, &n, &err) != FACEFUSE_OK)
        return fail_err(&err, EXIT_FAILED);
    if (as_json) {
        printf("[");
        for (int i = 0; i < n; i++) {
            json_t *o = json_pack("{s:s,s:i,s:s,s:s?,s:s,s:f,s:s}", "id", jobs[i].id, "steps", jobs[i].step_count,
                                  "date_created", jobs[i].date_created, "date_updated",
                                  jobs[i].date_updated[0] ? jobs[i].date_updated : NULL, "status",
                                  fu_job_status_name(jobs[i].status), "progress", jobs[i].progress, "error",
                                  jobs[i].error);
            char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
            printf("%s%s", i ? "," : "", text ? text : "null");
            free(text);
            json_decref(o);
        }
        printf("]\n");
    } else if (n > 0) {
        int w = 6;
        for (int i = 0; i < n; i++)
            if ((int)strlen(jobs[i].id) > w)
                w = (int)strlen(jobs[i].id);
        printf("%-*s  %5s  %-19s  %-19s  %s\n", w, "job id", "steps", "date created", "date updated", "job status");
        for (int i = 0; i < n; i++) {
            char created[32], updated[32];
            local_time(jobs[i].date_created, created, sizeof created);
            local_time(jobs[i].date_updated, updated, sizeof updated);
            printf("%-*s  %5d  %-19s  %-19s  %s%s%s\n", w, jobs[i].id, jobs[i].step_count, created, updated,
                   fu_job_status_name(jobs[i].status), jobs[i].error[0] ? ": " : "", jobs[i].error);
        }
    } else {
        fu_info("no %s jobs", status_name);
    }
    free(jobs);
    /* FaceFusion: an empty list is exit 1. */
    return n > 0 ? EXIT_OK : EXIT_FAILED;
}

static int parse_index(const char *text, int *index)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < INT_MIN || v > INT_MAX)
        return -1;
    *index = (int)v;
    return 0;
}

/* Runs the manager command; messages as FaceFusion's translator strings. */
static int run_manager(const command *cmd, fu_job_store *s, const char *id, const char *index_text,
                       fu_optset *set, int halt_on_error)
{
    fu_err err;
    facefuse_status st = FACEFUSE_OK;
    int index = 0;
    char *json = NULL;
    fu_err_clear(&err);

    if (index_text && parse_index(index_text, &index) != 0)
        return fail_line("step index '%s' is not a number%s", index_text, "", EXIT_INVALID);
    if (cmd->cls == CLASS_STEP && step_json(set, &json, &err) != FACEFUSE_OK)
        return fail_err(&err, EXIT_INVALID);

    const char *name = cmd->name;
    if (!strcmp(name, "job-create"))
        st = fu_job_create(s, id, &err);
    else if (!strcmp(name, "job-submit"))
        st = fu_job_submit(s, id, &err);
    else if (!strcmp(name, "job-submit-all"))
        st = fu_job_submit_all(s, halt_on_error, &err);
    else if (!strcmp(name, "job-delete"))
        st = fu_job_delete(s, id, &err);
    else if (!strcmp(name, "job-delete-all"))
        st = fu_job_delete_all(s, halt_on_error, &err);
    else if (!strcmp(name, "job-add-step"))
        st = fu_job_add_step(s, id, json, &err);
    else if (!strcmp(name, "job-remix-step"))
        st = fu_job_remix_step(s, id, index, json, &err);
    else if (!strcmp(name, "job-insert-step"))
        st = fu_job_insert_step(s, id, index, json, &err);
    else if (!strcmp(name, "job-remove-step"))
        st = fu_job_remove_step(s, id, index, &err);
    free(json);
    if (st != FACEFUSE_OK)
        return fail_err(&err, EXIT_FAILED);

    if (!strcmp(name, "job-create"))
        fu_info("job %s created", id);
    else if (!strcmp(name, "job-submit"))
        fu_info("job %s submitted", id);
    else if (!strcmp(name, "job-submit-all"))
        fu_info("jobs submitted");
    else if (!strcmp(name, "job-delete"))
        fu_info("job %s deleted", id);
    else if (!strcmp(name, "job-delete-all"))
        fu_info("jobs deleted");
    else if (!strcmp(name, "job-add-step"))
        fu_info("step added to job %s", id);
    else if (!strcmp(name, "job-remix-step"))
        fu_info("step %s remixed from job %s", index_text, id);
    else if (!strcmp(name, "job-insert-step"))
        fu_info("step %s inserted to job %s", index_text, id);
    else
        fu_info("step %s removed from job %s", index_text, id);
    return EXIT_OK;
}

static int run_runner(const command *cmd, fu_job_store *s, const char *id, fu_optset *set, int halt_on_error)
{
    fu_run_config cfg;
    facefuse_context *ctx = NULL;
    cli_steps steps = {0};
    fu_job_runner r = {0};
    fu_err err;
    facefuse_status st;
    int concurrency = 1;
    const char *c = fu_optset_str(set, "--ui-job-concurrency");

    fu_err_clear(&err);
    if (c)
        concurrency = atoi(c);
    st = fu_run_config_init(&cfg, set, &err);
    if (st == FACEFUSE_OK)
        st = fu_cli_context_new(&cfg, 1, &ctx, &err);
    if (st == FACEFUSE_OK)
        st = fu_step_runner_new(ctx, set, &steps.runner, &err);
    fu_run_config_free(&cfg);
    if (st != FACEFUSE_OK) {
        facefuse_context_free(ctx);
        return fail_err(&err, EXIT_INVALID);
    }
    r.run_step = run_cli_step;
    r.user = &steps;
    r.concurrency = concurrency;
    r.halt_on_error = halt_on_error;
    r.stop = &stop_requested;

    if (!strcmp(cmd->name, "job-run")) {
        st = fu_job_run(s, &r, id, &err);
    } else if (!strcmp(cmd->name, "job-run-all")) {
        fu_info("running all queued jobs");
        st = fu_job_run_all(s, &r, &err);
    } else if (!strcmp(cmd->name, "job-retry")) {
        fu_info("retrying failed job %s", id);
        st = fu_job_retry(s, &r, id, &err);
    } else {
        fu_info("retrying all failed jobs");
        st = fu_job_retry_all(s, &r, &err);
    }
    fu_step_runner_free(steps.runner);
    facefuse_context_free(ctx);
    if (stop_requested)
        return fail_line("stopped%s%s", "", "", EXIT_STOPPED);
    if (st != FACEFUSE_OK)
        return fail_err(&err, EXIT_FAILED);
    if (cmd->positionals == 0)
        fu_info("processing of all jobs succeeded");
    return EXIT_OK;
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* "-3" is a step index, "-s" an option. */
static int is_option_word(const char *w)
{
    return w[0] == '-' && !(w[1] >= '0' && w[1] <= '9');
}

int fu_cmd_jobs(int argc, char **argv)
{
    const command *cmd = find_command(argv[1]);
    const char *pos[2] = {NULL, NULL};
    char id[FU_JOB_ID_MAX];
    fu_optset set;
    fu_job_settings js;
    fu_job_store *s = NULL;
    fu_err err;
    int i = 2, code = EXIT_INVALID;

    id[0] = '\0';
    memset(&set, 0, sizeof set);
    fu_err_clear(&err);
    if (!cmd)
        return fail_line("unknown command '%s'%s", argv[1], "", EXIT_INVALID);
    /* Positional arguments come first: job id, then step index or status. */
    for (int k = 0; k < cmd->positionals; k++) {
        if (i >= argc || is_option_word(argv[i]))
            return fail_line("%s needs %s", cmd->name,
                             !strcmp(cmd->name, "job-list") ? "a job status (drafted queued running completed "
                                                              "failed cancelled)"
                             : k == 0                       ? "a job id"
                                                            : "a step index",
                             EXIT_INVALID);
        pos[k] = argv[i++];
    }
    if (fu_cli_options_load(&set, argc, argv, i, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_INVALID);
        goto done;
    }
    if (set.positional_count > 0) {
        code = fail_line("unexpected argument '%s' for %s", set.positional[0], cmd->name, EXIT_INVALID);
        goto done;
    }
    if (check_applies(cmd, &set, &err) != FACEFUSE_OK ||
        fu_options_apply(&set, &fu_jobs_path_options, &js, &err) != FACEFUSE_OK ||
        fu_options_apply(&set, &fu_jobs_misc_options, &js, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_INVALID);
        goto done;
    }
    fu_log_set(fu_log_level_of(fu_optset_str(&set, "--log-level")), NULL, NULL);

    if (cmd->positionals > 0 && strcmp(cmd->name, "job-list") != 0) {
        if (fu_job_id_sanitize(pos[0], id, &err) != FACEFUSE_OK) {
            code = fail_err(&err, EXIT_INVALID);
            goto done;
        }
        if (strcmp(id, pos[0]) != 0)
            fu_info("job id '%s' is used as %s (letters, digits and '-' only)", pos[0], id);
    }
    if (fu_job_store_open(js.jobs_path, &s, &err) != FACEFUSE_OK || fu_job_recover(s, NULL, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_FAILED);
        goto done;
    }
    fu_cli_install_stop();
    if (!strcmp(cmd->name, "job-list"))
        code = cmd_list(s, pos[0], strcmp(fu_optset_str(&set, "--json"), "true") == 0);
    else if (cmd->cls == CLASS_RUNNER)
        code = run_runner(cmd, s, id, &set, js.halt_on_error);
    else
        code = run_manager(cmd, s, id, pos[1], &set, js.halt_on_error);
done:
    fu_job_store_close(s);
    fu_optset_free(&set);
    return code;
}
