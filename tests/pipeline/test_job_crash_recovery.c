/*
 * test_job_crash_recovery.c — kill -9 loses nothing that was committed:
 *  - a runner process killed in the middle of a step leaves its job
 *    "running"; while the process lives nobody may recover it, once it is
 *    dead the next program to open the store fails it with the reason,
 *    removes its partial files, and retry produces the complete output;
 *  - a process killed while committing jobs as fast as it can leaves every
 *    job it reported committed, and the database passes integrity_check.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "jobtest.h"
#include "core/clock.h"
#include "../cli/clitest.h"

static char lock_dir[PATH_MAX];

static fu_job_runner runner_for(jt_copy *c)
{
    fu_job_runner r = {0};
    r.run_step = jt_copy_step;
    r.user = c;
    r.concurrency = 1;
    r.lock_dir = lock_dir;
    r.quiet = 1;
    return r;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_killed_runner_is_recovered_and_retried(void)
{
    const char *jobs = tl_tmp("jobs_kill");
    const char *dir = tl_tmp("out_kill");
    const char *target = tl_shared("samples/grace_hopper.jpg");
    char output[PATH_MAX], a[2 * PATH_MAX];
    fu_job_store *s = NULL;
    fu_err err;
    mkdir(dir, 0755);
    snprintf(output, sizeof output, "%s/result.jpg", dir);
    REQUIRE(fu_job_store_open(jobs, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_create(s, "job-kill", &err);
    fu_job_add_step(s, "job-kill", jt_args(a, sizeof a, target, target, output), &err);
    fu_job_submit(s, "job-kill", &err);

    pid_t child = fork();
    REQUIRE(child >= 0, "fork");
    if (child == 0) {
        /* The runner: slow enough (about 10 s) to be killed mid-step. */
        fu_job_store *cs = NULL;
        jt_copy c = {500, 20, 0, 0};
        fu_job_runner r = runner_for(&c);
        if (fu_job_store_open(jobs, &cs, NULL) != FACEFUSE_OK)
            _exit(3);
        fu_job_run(cs, &r, "job-kill", NULL);
        _exit(0);
    }
    /* Wait until it is well into the step. */
    fu_job_info j = {0};
    int64_t t0 = fu_now_ns();
    while (fu_now_ns() - t0 < 10000000000LL) {
        if (fu_job_get(s, "job-kill", &j, NULL) == FACEFUSE_OK && j.status == FU_JOB_RUNNING && j.progress > 0.05)
            break;
        sleep_ms(20);
    }
    CHECK(j.status == FU_JOB_RUNNING && j.progress > 0.05, "the child never got going (%s %.2f)",
          fu_job_status_name(j.status), j.progress);
    int recovered = -1;
    CHECK(fu_job_recover(s, &recovered, &err) == FACEFUSE_OK && recovered == 0,
          "a live runner's job was recovered (%d)", recovered);
    CHECK(jt_status(s, "job-kill") == FU_JOB_RUNNING, "recover touched a live job");

    kill(child, SIGKILL);
    int status;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child was not killed");
    CHECK(dir_has(dir, ".partial-"), "the kill left no partial file (was it mid-write?)");
    CHECK(!path_exists(output), "a half-written output appeared under its final name");
    fu_job_store_close(s);

    /* The next program opens the store. */
    REQUIRE(fu_job_store_open(jobs, &s, &err) == FACEFUSE_OK, "reopen: %s", err.msg);
    CHECK(fu_job_store_check(s, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(jt_status(s, "job-kill") == FU_JOB_RUNNING, "the committed status was lost");
    CHECK(fu_job_recover(s, &recovered, &err) == FACEFUSE_OK && recovered == 1, "recovered %d: %s", recovered,
          err.msg);
    fu_job_get(s, "job-kill", &j, &err);
    CHECK(j.status == FU_JOB_FAILED && strstr(j.error, "interrupted"), "after recovery: %s '%s'",
          fu_job_status_name(j.status), j.error);
    CHECK(!dir_has(dir, ".partial-") && !dir_has(dir, "-job-kill-"), "recovery left partial or step files");
    fu_job_step *steps;
    int n;
    fu_job_steps(s, "job-kill", &steps, &n, &err);
    CHECK(n == 1 && steps[0].status == FU_STEP_FAILED, "step status %s", fu_step_status_name(steps[0].status));
    fu_job_steps_free(steps, n);

    jt_copy fast = {4, 0, 0, 0};
    fu_job_runner r = runner_for(&fast);
    CHECK(fu_job_retry(s, &r, "job-kill", &err) == FACEFUSE_OK, "retry: %s", err.msg);
    CHECK(jt_status(s, "job-kill") == FU_JOB_COMPLETED, "not completed after retry");
    CHECK(jt_files_equal(output, target), "the retried output is not complete");
    CHECK(fu_job_store_check(s, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_store_close(s);
}

static void test_kill_during_commits_keeps_committed(void)
{
    const char *jobs = tl_tmp("jobs_commits");
    int fds[2];
    REQUIRE(pipe(fds) == 0, "pipe");
    pid_t child = fork();
    REQUIRE(child >= 0, "fork");
    if (child == 0) {
        fu_job_store *cs = NULL;
        char id[32], a[256];
        close(fds[0]);
        if (fu_job_store_open(jobs, &cs, NULL) != FACEFUSE_OK)
            _exit(3);
        for (int i = 0;; i++) {
            snprintf(id, sizeof id, "job-%d", i);
            if (fu_job_create(cs, id, NULL) != FACEFUSE_OK ||
                fu_job_add_step(cs, id, jt_args(a, sizeof a, "s.jpg", "t.jpg", "o.jpg"), NULL) != FACEFUSE_OK)
                _exit(4);
            /* Reported only after both commits returned. */
            if (write(fds[1], &i, sizeof i) != sizeof i)
                _exit(5);
        }
    }
    close(fds[1]);
    int last = -1, got;
    int64_t t0 = fu_now_ns();
    while (fu_now_ns() - t0 < 700000000LL && read(fds[0], &got, sizeof got) == sizeof got)
        last = got;
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    while (read(fds[0], &got, sizeof got) == sizeof got) /* reports already in the pipe */
        last = got;
    close(fds[0]);
    REQUIRE(last >= 3, "the child committed only %d jobs", last + 1);

    fu_job_store *s = NULL;
    fu_err err;
    REQUIRE(fu_job_store_open(jobs, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_store_check(s, &err) == FACEFUSE_OK, "%s", err.msg);
    int missing = 0;
    for (int i = 0; i <= last; i++) {
        char id[32];
        fu_job_info j;
        snprintf(id, sizeof id, "job-%d", i);
        if (fu_job_get(s, id, &j, NULL) != FACEFUSE_OK || j.step_count != 1)
            missing++;
    }
    CHECK(missing == 0, "%d of %d committed jobs lost", missing, last + 1);
    fu_job_store_close(s);
}

int main(void)
{
    snprintf(lock_dir, sizeof lock_dir, "%s", tl_tmp("locks"));
    mkdir(lock_dir, 0755);
    RUN(test_killed_runner_is_recovered_and_retried);
    RUN(test_kill_during_commits_keeps_committed);
    return tl_finish();
}
