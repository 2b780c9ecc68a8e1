/*
 * cmd_run.c — `facefuse run` (see cmd_run.h): options, the server with the
 * command line's processing service (cli_service.h), the printed address,
 * and waiting for Ctrl-C.
 */
#include "cli/cmd_run.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_service.h"
#include "cli/extra_options.h"
#include "cli/options.h"
#include "core/file.h"
#include "core/log.h"
#include "server/server.h"

extern char **environ;

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_INVALID = 2 };

enum { OPT_HOST, OPT_PORT, OPT_TOKEN, OPT_UPLOAD, OPT_CONCURRENCY, OPT_BROWSER, OPT_LAYOUTS, OPT_WORKFLOW, OPT_JOBS,
       OPT_COUNT };

static int fail_msg(const char *msg, int code)
{
    fprintf(stderr, "facefuse: error: %s\n", msg);
    return code;
}

static int int_value(const char *text, const char *name, int min, int max, int fallback, int *out)
{
    char *end;
    if (!text) {
        *out = fallback;
        return 0;
    }
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < min || v > max) {
        fprintf(stderr, "facefuse: error: invalid value '%s' for %s (%d..%d)\n", text, name, min, max);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* The run's options that are not step options, as words for every step
 * (execution providers, model dir, ...): the page chooses the step options. */
static char **job_words(const fu_optset *set, int *count)
{
    int n, used = 0, cap = 16;
    const fu_option *table = fu_option_table(&n);
    char **words = calloc((size_t)cap, sizeof *words);
    for (int i = 0; words && i < n; i++) {
        const fu_option *o = &table[i];
        if (!o->implemented || fu_cli_is_step_option(o) || !fu_optset_is_set(set, o->name) ||
            !strcmp(o->name, "--json"))
            continue;
        char *copy = strdup(fu_optset_get(set, o->name)), *save = NULL;
        if (used + 2 + (copy ? (int)strlen(copy) : 0) >= cap) {
            cap = (used + 2 + (copy ? (int)strlen(copy) : 0)) * 2;
            char **bigger = realloc(words, (size_t)cap * sizeof *words);
            if (!bigger) {
                free(copy);
                break;
            }
            words = bigger;
        }
        words[used++] = strdup(o->name);
        if (o->kind != FU_OPT_FLAG)
            for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save))
                words[used++] = strdup(w);
        free(copy);
    }
    *count = used;
    return words;
}

static void open_browser(const char *url)
{
    pid_t pid;
    char *argv[] = {"xdg-open", (char *)url, NULL};
    if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
        fu_warn("cannot open a browser (xdg-open); open %s yourself", url);
}

int fu_cmd_run(int argc, char **argv, fu_cli_command_fn headless)
{
    fu_extra_option extra[OPT_COUNT] = {
        {"--ui-host", 1, NULL},    {"--ui-port", 1, NULL},     {"--ui-token", 1, NULL},
        {"--ui-max-upload-mb", 1, NULL}, {"--ui-job-concurrency", 1, NULL}, {"--open-browser", 0, NULL},
        {"--ui-layouts", 1, NULL}, {"--ui-workflow", 1, NULL}, {"--jobs-path", 1, NULL},
    };
    fu_server_settings settings = fu_server_default_settings();
    char **v = calloc((size_t)argc + 1, sizeof *v), **words = NULL;
    int n = argc, nwords = 0, code = EXIT_INVALID;
    fu_optset set;
    fu_err err;
    fu_cli_service *service = NULL;
    fu_server *server = NULL;

    memset(&set, 0, sizeof set);
    if (!v)
        return fail_msg("out of memory", EXIT_FAILED);
    memcpy(v, argv, (size_t)argc * sizeof *v);
    if (fu_extra_take(&n, v, 2, extra, OPT_COUNT, &err) != FACEFUSE_OK ||
        fu_optset_parse(&set, n, v, 2, &err) != FACEFUSE_OK) {
        code = fail_msg(err.msg, EXIT_INVALID);
        goto done;
    }
    if (set.positional_count > 0) {
        fprintf(stderr, "facefuse: error: unexpected argument '%s' for run\n", set.positional[0]);
        goto done;
    }
    const char *ini = fu_optset_get(&set, "--config-path");
    if ((fu_optset_is_set(&set, "--config-path") || fu_file_exists(ini)) &&
        fu_optset_load_ini(&set, ini, &err) != FACEFUSE_OK) {
        code = fail_msg(err.msg, EXIT_INVALID);
        goto done;
    }
    if (extra[OPT_LAYOUTS].value && strcmp(extra[OPT_LAYOUTS].value, "default") != 0 &&
        strcmp(extra[OPT_LAYOUTS].value, "jobs") != 0) {
        fprintf(stderr, "facefuse: error: --ui-layouts %s is not available in facefuse yet (default, jobs)\n",
                extra[OPT_LAYOUTS].value);
        goto done;
    }
    if (extra[OPT_WORKFLOW].value && strcmp(extra[OPT_WORKFLOW].value, "instant_runner") != 0) {
        fprintf(stderr, "facefuse: error: --ui-workflow %s is not available in facefuse yet (instant_runner; the "
                        "page lists every job)\n", extra[OPT_WORKFLOW].value);
        goto done;
    }
    if (int_value(extra[OPT_PORT].value, "--ui-port", 0, 65535, 7860, &settings.port) != 0 ||
        int_value(extra[OPT_UPLOAD].value, "--ui-max-upload-mb", 1, 1 << 20, 2048, &settings.max_upload_mb) != 0 ||
        int_value(extra[OPT_CONCURRENCY].value, "--ui-job-concurrency", 1, 64, 1, &settings.job_concurrency) != 0)
        goto done;
    if (extra[OPT_HOST].value)
        settings.host = extra[OPT_HOST].value;
    settings.token = extra[OPT_TOKEN].value;
    settings.jobs_path = extra[OPT_JOBS].value ? extra[OPT_JOBS].value : ".jobs";

    volatile int *stop = fu_cli_install_stop();
    words = job_words(&set, &nwords);
    fu_cli_step_adapter step = {headless, words, nwords, stop};
    if (fu_cli_service_new(&set, &step, &service, &err) != FACEFUSE_OK) {
        code = fail_msg(err.msg, EXIT_FAILED);
        goto done;
    }
    fu_service table = fu_cli_service_table(service);
    if (fu_server_start(&settings, &table, &server, &err) != FACEFUSE_OK) {
        code = fail_msg(err.msg, err.code == FACEFUSE_ERR_INVALID_ARGUMENT ? EXIT_INVALID : EXIT_FAILED);
        goto done;
    }
    /* --ui-layouts jobs: the page opens on its job list. */
    char url[600];
    snprintf(url, sizeof url, "%s%s", fu_server_url(server),
             extra[OPT_LAYOUTS].value && !strcmp(extra[OPT_LAYOUTS].value, "jobs") ? "#jobs" : "");
    fprintf(stderr, "facefuse: the UI is at %s  (jobs in %s; Ctrl-C stops)\n", url, settings.jobs_path);
    if (extra[OPT_BROWSER].value)
        open_browser(url);
    while (!*stop) {
        struct timespec ts = {0, 200000000L};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "facefuse: stopping the UI\n");
    code = EXIT_OK;
done:
    fu_server_stop(server);
    fu_cli_service_free(service);
    for (int i = 0; words && i < nwords; i++)
        free(words[i]);
    free(words);
    fu_optset_free(&set);
    free(v);
    return code;
}
