/*
 * cmd_jobs.c — the job-* commands (see cmd_jobs.h): argument handling and
 * messages as FaceFusion's core.py route_job_manager / route_job_runner,
 * over the SQLite job store (src/pipeline/jobs).
 */
#include "cli/cmd_jobs.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/extra_options.h"
#include "cli/options.h"
#include "core/file.h"
#include "core/log.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_store.h"

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

static char last_error[FU_ERRMSG_MAX];
static volatile int stop_requested;

void fu_cli_note_error(const char *msg)
{
    snprintf(last_error, sizeof last_error, "%s", msg ? msg : "");
}

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
            "      job options: --jobs-path DIR (.jobs) --halt-on-error --ui-job-concurrency N (1)\n");
}

static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested) {
        fu_output_remove_all_partial();
        _exit(EXIT_STOPPED);
    }
    stop_requested = 1;
}

volatile int *fu_cli_install_stop(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGXFSZ, SIG_IGN);
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

/* ------------------------------------------------------------ option classes */

/* FaceFusion registers these as step keys (job_store.register_step_keys):
 * they describe one step and are stored with it. The rest are job keys,
 * given when a job runs (execution, download, memory, paths, log level). */
int fu_cli_is_step_option(const fu_option *o)
{
    static const char *const sections[] = {"face_detector", "face_landmarker",  "face_selector",
                                           "face_tracker",  "face_masker",      "voice_extractor",
                                           "frame_extraction", "frame_distribution", "output_creation",
                                           "workflow",      "processors"};
    if (!strcmp(o->name, "--source-paths") || !strcmp(o->name, "--target-path") || !strcmp(o->name, "--output-path"))
        return 1;
    for (size_t i = 0; o->section && i < sizeof sections / sizeof sections[0]; i++)
        if (strcmp(o->section, sections[i]) == 0)
            return 1;
    return 0;
}

/* Options every job command takes. */
static int is_common_option(const fu_option *o)
{
    return !strcmp(o->name, "--config-path") || !strcmp(o->name, "--log-level");
}

/* Fails when an option set on the command line does not apply to cmd. */
static facefuse_status check_applies(const command *cmd, const fu_optset *set, fu_err *err)
{
    int n;
    const fu_option *table = fu_option_table(&n);
    for (int i = 0; i < n; i++) {
        const fu_option *o = &table[i];
        if (!fu_optset_is_set(set, o->name) || is_common_option(o))
            continue;
        if (!strcmp(o->name, "--json") && !strcmp(cmd->name, "job-list"))
            continue;
        if (cmd->cls == CLASS_STEP && fu_cli_is_step_option(o))
            continue;
        if (cmd->cls == CLASS_RUNNER && !fu_cli_is_step_option(o) && strcmp(o->name, "--json") != 0)
            continue;
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s does not apply to %s%s", o->name, cmd->name,
                       fu_cli_is_step_option(o) ? " (step options go to job-add-step, job-remix-step, job-insert-step)" : "");
    }
    return FACEFUSE_OK;
}

/* ------------------------------------------------------------ ADAPTER: options → step JSON */

/* A path given relative to the current directory, made absolute, so the
 * step runs the same from any directory (FaceFusion keeps it as typed). */
static void absolute_path(const char *path, char *out, size_t size)
{
    char cwd[PATH_MAX];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(out, size, "%s", path);
    else
        snprintf(out, size, "%s/%s", cwd, path[0] == '.' && path[1] == '/' ? path + 2 : path);
}

/* ADAPTER (the lead swaps it for the option tables): the step options of a
 * parsed option set — every step option with a value, set or default, as
 * FaceFusion stores a step's args — as {option: [words]} JSON (malloc'd).
 * Today's parser keeps a list as one space-separated string, so a list word
 * cannot contain a space. */
static facefuse_status step_args_json(const fu_optset *set, char **json, fu_err *err)
{
    int n;
    const fu_option *table = fu_option_table(&n);
    json_t *root = json_object();
    *json = NULL;
    if (!root)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    for (int i = 0; i < n; i++) {
        const fu_option *o = &table[i];
        const char *value = fu_optset_get(set, o->name);
        int is_path = !strcmp(o->name, "--source-paths") || !strcmp(o->name, "--target-path") ||
                      !strcmp(o->name, "--output-path");
        if (!o->implemented || !fu_cli_is_step_option(o) || !value)
            continue;
        if (o->kind == FU_OPT_FLAG && !fu_optset_is_set(set, o->name))
            continue;
        json_t *words = json_array();
        if (o->kind == FU_OPT_LIST) {
            char *copy = strdup(value), *save = NULL;
            for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save)) {
                char abs[PATH_MAX];
                absolute_path(w, abs, sizeof abs);
                json_array_append_new(words, json_string(is_path ? abs : w));
            }
            free(copy);
        } else if (o->kind != FU_OPT_FLAG) {
            char abs[PATH_MAX];
            absolute_path(value, abs, sizeof abs);
            json_array_append_new(words, json_string(is_path ? abs : value));
        }
        json_object_set_new(root, o->name, words);
    }
    *json = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return *json ? FACEFUSE_OK : fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
}

/* ------------------------------------------------------------ ADAPTER: step JSON → headless-run */

typedef struct cancel_watch {
    volatile int *cancel;
    volatile int done;
} cancel_watch;

/* headless-run stops on SIGINT (main.c's handler): a cancel from the store
 * (the web UI) becomes one SIGINT while the step runs. */
static void *watch_cancel(void *p)
{
    cancel_watch *w = p;
    struct timespec ts = {0, 50000000L};
    while (!w->done) {
        if (*w->cancel) {
            raise(SIGINT);
            break;
        }
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static pthread_mutex_t headless_lock = PTHREAD_MUTEX_INITIALIZER;

facefuse_status fu_cli_run_step(void *user, const char *step_args_json, const fu_job_progress *progress,
                                volatile int *cancel, fu_err *err)
{
    fu_cli_step_adapter *a = user;
    char **words = NULL;
    int count = 0, code;
    facefuse_status st = fu_job_args_to_argv(step_args_json, &words, &count, err);
    (void)progress; /* headless-run shows its own progress; the real service reports it */
    if (st != FACEFUSE_OK)
        return st;
    char **argv = calloc((size_t)(count + a->job_argc + 3), sizeof *argv);
    if (!argv) {
        free(words);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    }
    int n = 0;
    argv[n++] = "facefuse";
    argv[n++] = "headless-run";
    for (int i = 0; i < count; i++)
        argv[n++] = words[i];
    for (int i = 0; i < a->job_argc; i++)
        argv[n++] = a->job_argv[i];
    argv[n] = NULL;

    /* headless-run uses process-wide state (signals, its stop flag): one at a time. */
    pthread_mutex_lock(&headless_lock);
    cancel_watch w = {cancel, 0};
    pthread_t t;
    int watching = pthread_create(&t, NULL, watch_cancel, &w) == 0;
    last_error[0] = '\0';
    code = a->headless(n, argv);
    w.done = 1;
    if (watching)
        pthread_join(t, NULL);
    fu_cli_install_stop(); /* headless-run installed its own handlers */
    pthread_mutex_unlock(&headless_lock);

    free(argv);
    free(words);
    if (code == EXIT_OK)
        return FACEFUSE_OK;
    if (code == EXIT_STOPPED) {
        if (a->stop && !*cancel)
            *a->stop = 1; /* Ctrl-C: stop the whole command, not just this step */
        return fu_fail(err, FACEFUSE_ERR_CANCELLED, "stopped");
    }
    return fu_fail(err, code == EXIT_INVALID ? FACEFUSE_ERR_INVALID_ARGUMENT : FACEFUSE_ERR_INTERNAL, "%s",
                   last_error[0] ? last_error : "headless-run failed");
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
                       const fu_optset *set, int halt_on_error)
{
    fu_err err;
    facefuse_status st = FACEFUSE_OK;
    int index = 0;
    char *json = NULL;
    fu_err_clear(&err);

    if (index_text && parse_index(index_text, &index) != 0)
        return fail_line("step index '%s' is not a number%s", index_text, "", EXIT_INVALID);
    if (cmd->cls == CLASS_STEP && step_args_json(set, &json, &err) != FACEFUSE_OK)
        return fail_err(&err, EXIT_FAILED);

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

static int run_runner(const command *cmd, fu_job_store *s, const char *id, char **job_argv, int job_argc,
                      fu_cli_command_fn headless, int halt_on_error, int concurrency)
{
    fu_cli_step_adapter adapter = {headless, job_argv, job_argc, &stop_requested};
    fu_job_runner r = {0};
    fu_err err;
    facefuse_status st;
    r.run_step = fu_cli_run_step;
    r.user = &adapter;
    r.concurrency = concurrency;
    r.halt_on_error = halt_on_error;
    r.stop = &stop_requested;
    fu_err_clear(&err);

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

static facefuse_log_level level_of(const char *name)
{
    if (name && !strcmp(name, "error"))
        return FACEFUSE_LOG_ERROR;
    if (name && !strcmp(name, "warn"))
        return FACEFUSE_LOG_WARN;
    if (name && !strcmp(name, "debug"))
        return FACEFUSE_LOG_DEBUG;
    return FACEFUSE_LOG_INFO;
}

int fu_cmd_jobs(int argc, char **argv, fu_cli_command_fn headless)
{
    const command *cmd = find_command(argv[1]);
    fu_extra_option extra[] = {{"--jobs-path", 1, NULL}, {"--halt-on-error", 0, NULL}, {"--ui-job-concurrency", 1, NULL}};
    char **v = calloc((size_t)argc + 1, sizeof *v);
    const char *pos[2] = {NULL, NULL};
    char id[FU_JOB_ID_MAX];
    fu_optset set;
    fu_job_store *s = NULL;
    fu_err err;
    int n = argc, i = 2, code = EXIT_INVALID;

    id[0] = '\0';
    memset(&set, 0, sizeof set);
    fu_err_clear(&err);
    if (!cmd || !v) {
        free(v);
        return fail_line("unknown command '%s'%s", argv[1], "", EXIT_INVALID);
    }
    memcpy(v, argv, (size_t)argc * sizeof *v);
    if (fu_extra_take(&n, v, 2, extra, 3, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_INVALID);
        goto done;
    }
    /* Positional arguments come first: job id, then step index or status. */
    for (int k = 0; k < cmd->positionals; k++) {
        if (i >= n || (v[i][0] == '-' && !(v[i][1] >= '0' && v[i][1] <= '9'))) {
            code = fail_line("%s needs %s", cmd->name,
                             !strcmp(cmd->name, "job-list") ? "a job status (drafted queued running completed "
                                                              "failed cancelled)"
                             : k == 0                       ? "a job id"
                                                            : "a step index",
                             EXIT_INVALID);
            goto done;
        }
        pos[k] = v[i++];
    }
    if (fu_optset_parse(&set, n, v, i, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_INVALID);
        goto done;
    }
    if (set.positional_count > 0) {
        code = fail_line("unexpected argument '%s' for %s", set.positional[0], cmd->name, EXIT_INVALID);
        goto done;
    }
    const char *ini = fu_optset_get(&set, "--config-path");
    if ((fu_optset_is_set(&set, "--config-path") || fu_file_exists(ini)) &&
        fu_optset_load_ini(&set, ini, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_INVALID);
        goto done;
    }
    if (check_applies(cmd, &set, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_INVALID);
        goto done;
    }
    if (extra[1].value && !cmd->all) {
        code = fail_line("option --halt-on-error does not apply to %s%s", cmd->name, "", EXIT_INVALID);
        goto done;
    }
    int concurrency = extra[2].value ? atoi(extra[2].value) : 1;
    if (concurrency < 1 || concurrency > 64) {
        code = fail_line("invalid value '%s' for --ui-job-concurrency (1..64)%s", extra[2].value, "", EXIT_INVALID);
        goto done;
    }
    fu_log_set(level_of(fu_optset_get(&set, "--log-level")), NULL, NULL);

    if (cmd->positionals > 0 && strcmp(cmd->name, "job-list") != 0) {
        if (fu_job_id_sanitize(pos[0], id, &err) != FACEFUSE_OK) {
            code = fail_err(&err, EXIT_INVALID);
            goto done;
        }
        if (strcmp(id, pos[0]) != 0)
            fu_info("job id '%s' is used as %s (letters, digits and '-' only)", pos[0], id);
    }
    const char *jobs_path = extra[0].value ? extra[0].value : ".jobs";
    if (fu_job_store_open(jobs_path, &s, &err) != FACEFUSE_OK || fu_job_recover(s, NULL, &err) != FACEFUSE_OK) {
        code = fail_err(&err, EXIT_FAILED);
        goto done;
    }
    fu_cli_install_stop();
    if (!strcmp(cmd->name, "job-list"))
        code = cmd_list(s, pos[0], fu_optset_is_set(&set, "--json"));
    else if (cmd->cls == CLASS_RUNNER)
        code = run_runner(cmd, s, id, v + i, n - i, headless, extra[1].value != NULL, concurrency);
    else
        code = run_manager(cmd, s, id, pos[1], &set, extra[1].value != NULL);
done:
    fu_job_store_close(s);
    fu_optset_free(&set);
    free(v);
    return code;
}
