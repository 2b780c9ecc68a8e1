/*
 * test_job_runner_joins_outputs.c — the runner follows FaceFusion's
 * job_runner.py (its tests/test_job_runner.py with the same step layout):
 * only queued jobs run; steps sharing an output are joined (videos end to
 * end by stream copy, images moved); step outputs are removed after success
 * and after failure; retry runs a failed job again; *_all with halt-on-error.
 * Beyond FaceFusion: a cancel through the store (as the UI does) stops a
 * running step, and the machine slots let only N jobs run at once.
 */
#include <math.h>
#include <pthread.h>

#include "jobtest.h"
#include "core/clock.h"
#include "media/video_reader.h"
#include "../cli/clitest.h"
#include "../media/video_testutil.h"

static char clip[PATH_MAX], photo[PATH_MAX], lock_dir[PATH_MAX];

static void setup(void)
{
    vt_clip c = vt_clip_default(); /* 30 frames at 15 fps with aac */
    snprintf(clip, sizeof clip, "%s", tl_tmp("target-240p.mp4"));
    snprintf(photo, sizeof photo, "%s", tl_shared("samples/grace_hopper.jpg"));
    snprintf(lock_dir, sizeof lock_dir, "%s", tl_tmp("locks"));
    mkdir(lock_dir, 0755);
    if (vt_make_clip(clip, &c) != 0)
        clip[0] = '\0';
}

static fu_job_runner runner_for(jt_copy *c)
{
    fu_job_runner r = {0};
    r.run_step = jt_copy_step;
    r.user = c;
    r.concurrency = 1;
    r.lock_dir = lock_dir;
    r.halt_on_error = 1;
    r.quiet = 1;
    return r;
}

static fu_job_store *open_store(const char *name)
{
    fu_job_store *s = NULL;
    fu_err err;
    if (fu_job_store_open(tl_tmp(name), &s, &err) != FACEFUSE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(2);
    }
    return s;
}

/* tests/test_job_runner.py test_run_job + test_finalize_steps. */
static void test_run_job_joins(void)
{
    REQUIRE(clip[0], "no test clip");
    const char *dir = tl_tmp("out_run");
    mkdir(dir, 0755);
    char o1[PATH_MAX], o2[PATH_MAX], o3[PATH_MAX], a1[2 * PATH_MAX], a2[2 * PATH_MAX], a3[2 * PATH_MAX];
    snprintf(o1, sizeof o1, "%s/output-1.mp4", dir);
    snprintf(o2, sizeof o2, "%s/output-2.mp4", dir);
    snprintf(o3, sizeof o3, "%s/output-3.jpg", dir);
    jt_args(a1, sizeof a1, photo, clip, o1);
    jt_args(a2, sizeof a2, photo, clip, o2);
    jt_args(a3, sizeof a3, photo, photo, o3);
    fu_job_store *s = open_store("jobs_run");
    jt_copy c = {4, 0, 0, 0};
    fu_job_runner r = runner_for(&c);
    fu_err err;

    CHECK(fu_job_run(s, &r, "job-invalid", &err) != FACEFUSE_OK, "ran an unknown job");
    fu_job_create(s, "job-test-run-job", &err);
    fu_job_add_step(s, "job-test-run-job", a1, &err);
    fu_job_add_step(s, "job-test-run-job", a2, &err);
    fu_job_add_step(s, "job-test-run-job", a2, &err);
    fu_job_add_step(s, "job-test-run-job", a3, &err);
    CHECK(fu_job_run(s, &r, "job-test-run-job", &err) != FACEFUSE_OK, "ran a drafted job");
    fu_job_submit(s, "job-test-run-job", &err);
    if (fu_job_run(s, &r, "job-test-run-job", &err) != FACEFUSE_OK) {
        fu_job_info f;
        fu_job_get(s, "job-test-run-job", &f, NULL);
        CHECK(0, "run: %s (job error: %s)", err.msg, f.error);
        fu_job_store_close(s);
        return;
    }
    CHECK(c.calls == 4, "%d steps run", c.calls);

    fu_job_info j;
    fu_job_get(s, "job-test-run-job", &j, &err);
    CHECK(j.status == FU_JOB_COMPLETED && j.progress == 1.0, "status %s progress %.2f", fu_job_status_name(j.status),
          j.progress);
    CHECK(jt_files_equal(o1, clip), "output-1.mp4 is not the one step's output");
    CHECK(jt_files_equal(o3, photo), "output-3.jpg is not the step's image");
    fu_video_info info;
    REQUIRE(fu_video_probe(o2, &info, &err) == FACEFUSE_OK, "output-2.mp4: %s", err.msg);
    CHECK(info.frame_count == 60, "joined video has %lld frames, want 60", (long long)info.frame_count);
    CHECK(fabs(info.duration_s - 4.0) < 0.1, "joined video lasts %.3f s, want 4", info.duration_s);
    CHECK(!dir_has(dir, "-job-test-run-job-"), "step outputs left in %s", dir);
    CHECK(!dir_has(dir, ".partial-"), "partial files left in %s", dir);
    fu_job_step *steps;
    int n;
    fu_job_steps(s, "job-test-run-job", &steps, &n, &err);
    for (int i = 0; i < n; i++)
        CHECK(steps[i].status == FU_STEP_COMPLETED, "step %d %s", i, fu_step_status_name(steps[i].status));
    fu_job_steps_free(steps, n);
    CHECK(fu_job_run(s, &r, "job-test-run-job", &err) != FACEFUSE_OK, "a completed job ran again");
    fu_job_store_close(s);
}

/* A failing step fails the job with a message naming the step, removes the
 * step outputs already made, writes no output; retry then completes it. */
static void test_failure_then_retry(void)
{
    const char *dir = tl_tmp("out_fail");
    mkdir(dir, 0755);
    char o1[PATH_MAX], o2[PATH_MAX], a1[2 * PATH_MAX], a2[2 * PATH_MAX];
    snprintf(o1, sizeof o1, "%s/first.jpg", dir);
    snprintf(o2, sizeof o2, "%s/second.jpg", dir);
    jt_args(a1, sizeof a1, photo, photo, o1);
    jt_args(a2, sizeof a2, photo, photo, o2);
    fu_job_store *s = open_store("jobs_fail");
    jt_copy c = {2, 0, 0, 2};
    fu_job_runner r = runner_for(&c);
    fu_err err;
    fu_job_create(s, "job-fail", &err);
    fu_job_add_step(s, "job-fail", a1, &err);
    fu_job_add_step(s, "job-fail", a2, &err);
    fu_job_submit(s, "job-fail", &err);
    CHECK(fu_job_run(s, &r, "job-fail", &err) == FACEFUSE_ERR_DECODE, "run: %s", err.msg);
    fu_job_info j;
    fu_job_get(s, "job-fail", &j, &err);
    CHECK(j.status == FU_JOB_FAILED, "status %s", fu_job_status_name(j.status));
    CHECK(strstr(j.error, "step 2 of 2") && strstr(j.error, "fails on purpose"), "error '%s'", j.error);
    CHECK(!path_exists(o1) && !path_exists(o2), "an output was written by a failed job");
    CHECK(!dir_has(dir, "-job-fail-"), "step outputs left after the failure");
    fu_job_step *steps;
    int n;
    fu_job_steps(s, "job-fail", &steps, &n, &err);
    CHECK(n == 2 && steps[0].status == FU_STEP_COMPLETED && steps[1].status == FU_STEP_FAILED, "step statuses");
    fu_job_steps_free(steps, n);

    CHECK(fu_job_retry(s, &r, "job-queued-never", &err) != FACEFUSE_OK, "retried an unknown job");
    c.fail_at_call = 0;
    CHECK(fu_job_retry(s, &r, "job-fail", &err) == FACEFUSE_OK, "retry: %s", err.msg);
    CHECK(jt_files_equal(o1, photo) && jt_files_equal(o2, photo), "outputs after retry");
    CHECK(fu_job_retry(s, &r, "job-fail", &err) != FACEFUSE_OK, "retried a completed job");
    fu_job_store_close(s);
}

/* run-all / retry-all (FaceFusion's test_run_jobs / test_retry_jobs). */
static void test_all_commands(void)
{
    const char *dir = tl_tmp("out_all");
    mkdir(dir, 0755);
    char a[3][2 * PATH_MAX], o[PATH_MAX];
    for (int i = 0; i < 3; i++) {
        snprintf(o, sizeof o, "%s/all-%d.jpg", dir, i);
        jt_args(a[i], sizeof a[i], photo, photo, o);
    }
    fu_job_store *s = open_store("jobs_all");
    jt_copy c = {1, 0, 0, 0};
    fu_job_runner r = runner_for(&c);
    fu_err err;
    CHECK(fu_job_run_all(s, &r, &err) != FACEFUSE_OK, "run-all with nothing queued succeeded");
    CHECK(fu_job_retry_all(s, &r, &err) != FACEFUSE_OK, "retry-all with nothing failed succeeded");
    fu_job_create(s, "job-all-1", &err);
    fu_job_create(s, "job-all-2", &err);
    fu_job_add_step(s, "job-all-1", a[0], &err);
    fu_job_add_step(s, "job-all-1", a[1], &err);
    fu_job_add_step(s, "job-all-2", a[2], &err);
    fu_job_submit_all(s, 1, &err);
    c.fail_at_call = 1; /* job-all-1 fails; halt-on-error stops before job-all-2 */
    CHECK(fu_job_run_all(s, &r, &err) != FACEFUSE_OK, "run-all hid a failure");
    CHECK(jt_status(s, "job-all-1") == FU_JOB_FAILED && jt_status(s, "job-all-2") == FU_JOB_QUEUED,
          "halt-on-error did not stop the run");
    c.fail_at_call = 0;
    CHECK(fu_job_run_all(s, &r, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_retry_all(s, &r, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(jt_status(s, "job-all-1") == FU_JOB_COMPLETED && jt_status(s, "job-all-2") == FU_JOB_COMPLETED,
          "not all completed");
    fu_job_store_close(s);
}

static void *cancel_later(void *p)
{
    fu_job_store *other = NULL;
    fu_err err;
    struct timespec ts = {0, 300000000L};
    nanosleep(&ts, NULL);
    /* Another handle, as the web UI in another process would be. */
    if (fu_job_store_open(p, &other, &err) == FACEFUSE_OK) {
        fu_job_request_cancel(other, "job-cancel", &err);
        fu_job_store_close(other);
    }
    return NULL;
}

static void test_cancel_through_store(void)
{
    const char *dir = tl_tmp("out_cancel");
    mkdir(dir, 0755);
    char o[PATH_MAX], a[2 * PATH_MAX];
    snprintf(o, sizeof o, "%s/cancelled.jpg", dir);
    jt_args(a, sizeof a, photo, photo, o);
    fu_job_store *s = open_store("jobs_cancel");
    jt_copy c = {200, 20, 0, 0}; /* 4 s unless cancelled */
    fu_job_runner r = runner_for(&c);
    fu_err err;
    pthread_t t;
    fu_job_create(s, "job-cancel", &err);
    fu_job_add_step(s, "job-cancel", a, &err);
    fu_job_submit(s, "job-cancel", &err);
    pthread_create(&t, NULL, cancel_later, (void *)tl_tmp("jobs_cancel"));
    int64_t t0 = fu_now_ns();
    CHECK(fu_job_run(s, &r, "job-cancel", &err) == FACEFUSE_ERR_CANCELLED, "run: %s", err.msg);
    double took = (fu_now_ns() - t0) / 1e9;
    pthread_join(t, NULL);
    CHECK(took < 1.5, "cancel took effect after %.2f s", took);
    CHECK(jt_status(s, "job-cancel") == FU_JOB_CANCELLED, "status %s", fu_job_status_name(jt_status(s, "job-cancel")));
    CHECK(!path_exists(o) && !dir_has(dir, ".partial-") && !dir_has(dir, "-job-cancel-"), "files left");
    fu_job_store_close(s);
}

/* ------------------------------------------------------------ slots */

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static int running_now, running_max;

static facefuse_status counting_step(void *user, const char *args, const fu_job_progress *p, volatile int *cancel,
                                     fu_err *err)
{
    pthread_mutex_lock(&gate);
    if (++running_now > running_max)
        running_max = running_now;
    pthread_mutex_unlock(&gate);
    facefuse_status st = jt_copy_step(user, args, p, cancel, err);
    pthread_mutex_lock(&gate);
    running_now--;
    pthread_mutex_unlock(&gate);
    return st;
}

typedef struct slot_run {
    const char *store;
    char id[32];
    int concurrency;
    facefuse_status st;
} slot_run;

static void *run_in_thread(void *p)
{
    slot_run *sr = p;
    fu_job_store *s = NULL;
    fu_err err;
    jt_copy c = {10, 30, 0, 0};
    fu_job_runner r = runner_for(&c);
    r.run_step = counting_step;
    r.concurrency = sr->concurrency;
    sr->st = fu_job_store_open(sr->store, &s, &err);
    if (sr->st == FACEFUSE_OK)
        sr->st = fu_job_run(s, &r, sr->id, &err);
    fu_job_store_close(s);
    return NULL;
}

static int max_parallel(int concurrency, const char *store_name)
{
    fu_job_store *s = open_store(store_name);
    slot_run runs[3];
    pthread_t t[3];
    fu_err err;
    char o[PATH_MAX], a[2 * PATH_MAX];
    running_now = running_max = 0;
    for (int i = 0; i < 3; i++) {
        runs[i].store = tl_tmp(store_name);
        runs[i].concurrency = concurrency;
        snprintf(runs[i].id, sizeof runs[i].id, "job-slot-%d", i);
        snprintf(o, sizeof o, "%s/slot-%d-%d.jpg", tl_tmp(store_name), concurrency, i);
        fu_job_create(s, runs[i].id, &err);
        fu_job_add_step(s, runs[i].id, jt_args(a, sizeof a, photo, photo, o), &err);
        fu_job_submit(s, runs[i].id, &err);
    }
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, run_in_thread, &runs[i]);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        CHECK(runs[i].st == FACEFUSE_OK, "job %d did not complete", i);
    }
    fu_job_store_close(s);
    return running_max;
}

static void test_slots_limit_running_jobs(void)
{
    int one = max_parallel(1, "jobs_slots1");
    CHECK(one == 1, "%d jobs ran at once with one slot", one);
    int two = max_parallel(2, "jobs_slots2");
    CHECK(two == 2, "%d jobs ran at once with two slots (3 jobs)", two);
}

int main(void)
{
    setup();
    RUN(test_run_job_joins);
    RUN(test_failure_then_retry);
    RUN(test_all_commands);
    RUN(test_cancel_through_store);
    RUN(test_slots_limit_running_jobs);
    return tl_finish();
}
