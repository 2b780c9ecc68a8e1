/*
 * test_cli_job_commands.c — the job-* commands move jobs through
 * FaceFusion's states with its exit codes (0 done, 1 the job command failed)
 * and facefuse's usage errors (2), store a step's options as JSON with
 * absolute paths, and run jobs for real: a two-step job whose second step
 * remixes the first's output (face_debugger twice) completes with both
 * outputs; a step that fails fails the job with headless-run's message.
 * The manager commands run in this process (fu_cmd_jobs, what main calls);
 * the runs go through the facefuse program, headless-run and all.
 */
#include <fcntl.h>

#include "clitest.h"
#include "cli/cmd_jobs.h"
#include "pipeline/jobs/job_args.h"
#include "pipeline/jobs/job_store.h"

static char jobs_arg[1200];

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *s = calloc(1, 65536);
    if (f) {
        size_t n = fread(s, 1, 65535, f);
        s[n] = '\0';
        fclose(f);
    }
    return s;
}

/* `facefuse ARGS --jobs-path ...` in this process: words split at spaces,
 * '+' inside a word stands for a space. stdout and stderr captured. */
static int run_cmd(const char *args, char **out_text, char **err_text)
{
    char buf[4096], *argv[64], *save = NULL;
    int argc = 0;
    snprintf(buf, sizeof buf, "facefuse %s %s", args, jobs_arg);
    for (char *w = strtok_r(buf, " ", &save); w && argc < 63; w = strtok_r(NULL, " ", &save)) {
        for (char *p = w; *p; p++)
            if (*p == '+')
                *p = ' ';
        argv[argc++] = w;
    }
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    int o = open(tl_tmp(".out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(tl_tmp(".err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    int code = fu_cmd_jobs(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(o);
    close(e);
    close(saved_out);
    close(saved_err);
    if (out_text)
        *out_text = read_all(tl_tmp(".out"));
    if (err_text)
        *err_text = read_all(tl_tmp(".err"));
    return code;
}

static int cli(const char *args, char **err_text)
{
    return run_cmd(args, NULL, err_text);
}

static int cli_out(const char *args, char **out_text)
{
    return run_cmd(args, out_text, NULL);
}

/* The facefuse program itself (for the commands that run steps). */
static int program(const char *args, char **err_text)
{
    char full[4096];
    char *out = NULL, *err = NULL;
    snprintf(full, sizeof full, "%s %s", args, jobs_arg);
    int code = tl_run_cli(full, &out, &err);
    if (err_text)
        *err_text = err;
    else
        free(err);
    free(out);
    return code;
}

static fu_job_store *store(void)
{
    fu_job_store *s = NULL;
    fu_job_store_open(tl_tmp("jobs"), &s, NULL);
    return s;
}

static void manager_transitions(void)
{
    char *err = NULL, *out = NULL;
    CHECK(cli("job-create a", NULL) == 0, "create");
    CHECK(cli("job-create a", &err) == 1 && error_lines(err) == 1 && strstr(err, "already exists"),
          "second create: %s", err);
    free(err);
    CHECK(cli_out("job-list drafted", &out) == 0 && strstr(out, "a ") && strstr(out, "drafted"), "list: %s", out);
    free(out);
    CHECK(cli("job-list queued", NULL) == 1, "an empty list is exit 1 (FaceFusion)");
    CHECK(cli("job-submit a", &err) == 1 && strstr(err, "no steps"), "submit without steps: %s", err);
    free(err);
    char args[2048];
    snprintf(args, sizeof args, "job-add-step a -t %s -o out.png --face-detector-model scrfd",
             tl_shared("samples/astronaut.png"));
    CHECK(cli(args, NULL) == 0, "add-step");
    fu_job_store *s = store();
    fu_job_step *steps;
    int n;
    char v[4096];
    int found;
    REQUIRE(fu_job_steps(s, "a", &steps, &n, NULL) == FACEFUSE_OK && n == 1, "steps");
    fu_job_args_first(steps[0].args, "--output-path", v, sizeof v, &found, NULL);
    CHECK(found && v[0] == '/' && strstr(v, "out.png"), "output path stored as '%s' (absolute expected)", v);
    fu_job_args_first(steps[0].args, "--face-detector-model", v, sizeof v, &found, NULL);
    CHECK(found && !strcmp(v, "scrfd"), "detector '%s'", v);
    fu_job_args_first(steps[0].args, "--face-selector-mode", v, sizeof v, &found, NULL);
    CHECK(found && !strcmp(v, "reference"), "defaults are stored with the step (FaceFusion): '%s'", v);
    fu_job_args_first(steps[0].args, "--execution-providers", v, sizeof v, &found, NULL);
    CHECK(!found, "a job option was stored in the step");
    fu_job_steps_free(steps, n);
    fu_job_store_close(s);

    CHECK(cli("job-insert-step a 99 -t x.png -o y.png", NULL) == 1, "insert at 99");
    CHECK(cli("job-insert-step a -1 -t x.png -o y.png", NULL) == 0, "insert at -1");
    CHECK(cli("job-remove-step a 0", NULL) == 0, "remove step 0");
    CHECK(cli("job-submit a", NULL) == 0, "submit");
    CHECK(cli("job-submit a", NULL) == 1, "submit twice");
    CHECK(cli("job-add-step a -t x.png -o y.png", &err) == 1 && strstr(err, "drafted"), "add to queued: %s", err);
    free(err);
    CHECK(cli_out("job-list queued --json", &out) == 0 && strstr(out, "\"id\":\"a\"") && strstr(out, "\"steps\":1"),
          "json list: %s", out);
    free(out);
    CHECK(cli("job-delete a", NULL) == 0 && cli("job-delete a", NULL) == 1, "delete");
    CHECK(cli("job-create b", NULL) == 0 && cli("job-create c", NULL) == 0, "create b c");
    CHECK(cli("job-submit-all --halt-on-error", NULL) == 1, "submit-all without steps");
    CHECK(cli("job-delete-all", NULL) == 0 && cli("job-delete-all", NULL) == 1, "delete-all");
}

static void usage_errors(void)
{
    char *err = NULL;
    CHECK(cli("job-create", &err) == 2 && strstr(err, "needs a job id"), "missing id: %s", err);
    free(err);
    CHECK(cli("job-remove-step a", &err) == 2 && strstr(err, "step index"), "missing index: %s", err);
    free(err);
    CHECK(cli("job-remove-step a x", &err) == 2 && strstr(err, "not a number"), "bad index: %s", err);
    free(err);
    CHECK(cli("job-list everything", &err) == 2 && strstr(err, "status"), "bad status: %s", err);
    free(err);
    CHECK(cli("job-run a --face-swapper-model inswapper_128", &err) == 2 && strstr(err, "does not apply"),
          "step option to job-run: %s", err);
    free(err);
    CHECK(cli("job-create a --halt-on-error", &err) == 2, "--halt-on-error on job-create");
    free(err);
    CHECK(cli("job-create my+job", &err) == 0 && strstr(err, "22b3f3b807b9611536a9d3a3553b194bfca3fb48"),
          "sanitised id not shown: %s", err);
    free(err);
}

static void run_remix_and_failure(void)
{
    char args[2048], out1[1200], out2[1200], *err = NULL;
    snprintf(out1, sizeof out1, "%s", tl_tmp("debug1.png"));
    snprintf(out2, sizeof out2, "%s", tl_tmp("debug2.png"));
    CHECK(cli("job-create r", NULL) == 0, "create r");
    snprintf(args, sizeof args,
             "job-add-step r -t %s -o %s --processors face_debugger --face-debugger-items bounding-box "
             "--face-detector-model scrfd",
             tl_shared("samples/grace_hopper.jpg"), out1);
    CHECK(cli(args, NULL) == 0, "add-step r");
    snprintf(args, sizeof args,
             "job-remix-step r 0 -o %s --processors face_debugger --face-debugger-items face-landmark-5 "
             "--face-detector-model scrfd",
             out2);
    CHECK(cli(args, NULL) == 0, "remix-step r");
    CHECK(program("job-run r", NULL) == 1, "a drafted job ran");
    CHECK(cli("job-submit r", NULL) == 0, "submit r");
    CHECK(program("job-run r", &err) == 0, "run r: %s", err);
    free(err);
    CHECK(path_exists(out1) && path_exists(out2), "outputs missing");
    CHECK(!dir_has(tl_tmpdir(), "-r-0.png") && !dir_has(tl_tmpdir(), "-r-1.png"), "step outputs left");
    CHECK(cli("job-list completed", NULL) == 0, "r not completed");

    CHECK(cli("job-create f", NULL) == 0, "create f");
    snprintf(args, sizeof args, "job-add-step f -t %s -o %s", tl_tmp("no-such-target.png"), tl_tmp("f.png"));
    CHECK(cli(args, NULL) == 0 && cli("job-submit f", NULL) == 0, "add/submit f");
    CHECK(program("job-run f", &err) == 1, "failing job: %s", err);
    free(err);
    fu_job_store *s = store();
    fu_job_info j;
    CHECK(fu_job_get(s, "f", &j, NULL) == FACEFUSE_OK && j.status == FU_JOB_FAILED &&
              strstr(j.error, "no-such-target.png"),
          "failed job's error: '%s'", j.error);
    fu_job_store_close(s);
    CHECK(program("job-retry-all", NULL) == 1, "retrying a broken job succeeded");
    s = store();
    CHECK(fu_job_get(s, "f", &j, NULL) == FACEFUSE_OK && j.status == FU_JOB_FAILED && strstr(j.error, "no-such"),
          "after retry-all: %s '%s'", fu_job_status_name(j.status), j.error);
    fu_job_store_close(s);
    /* These fail before any step would run (no headless-run needed here). */
    CHECK(cli("job-retry r", NULL) == 1, "retried a completed job");
    CHECK(cli("job-run-all", NULL) == 1, "run-all with nothing queued");
}

int main(void)
{
    char locks[1200];
    snprintf(locks, sizeof locks, "%s", tl_tmp("locks"));
    setenv("FACEFUSE_LOCK_DIR", locks, 1);
    snprintf(jobs_arg, sizeof jobs_arg, "--jobs-path %s", tl_tmp("jobs"));
    if (chdir(tl_tmpdir()) != 0)
        return 2;
    RUN(manager_transitions);
    RUN(usage_errors);
    RUN(run_remix_and_failure);
    return tl_finish();
}
