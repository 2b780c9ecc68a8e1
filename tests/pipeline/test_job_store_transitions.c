/*
 * test_job_store_transitions.c — the job store follows FaceFusion's job
 * manager (its tests/test_job_manager.py and test_job_helper.py, case by
 * case): create, submit, delete, steps added, remixed, inserted and removed
 * (negative indexes from the end), statuses; plus facefuse's additions:
 * steps change only while drafted, cancel, retry, ids sanitised, and the
 * database passing PRAGMA integrity_check.
 */
#include "jobtest.h"
#include "pipeline/jobs/job_id.h"

static fu_job_store *open_fresh(const char *name)
{
    fu_job_store *s = NULL;
    fu_err err;
    if (fu_job_store_open(tl_tmp(name), &s, &err) != FACEFUSE_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        exit(2);
    }
    return s;
}

static const char *args_n(int n)
{
    static char bufs[4][512];
    char s[32], t[32], o[32];
    snprintf(s, sizeof s, "source-%d.jpg", n);
    snprintf(t, sizeof t, "target-%d.jpg", n);
    snprintf(o, sizeof o, "output-%d.jpg", n);
    return jt_args(bufs[n % 4], sizeof bufs[0], s, t, o);
}

static void test_create_job(void)
{
    fu_job_store *s = open_fresh("create");
    fu_err err;
    CHECK(fu_job_create(s, "job-test-create-job", &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_create(s, "job-test-create-job", &err) != FACEFUSE_OK, "created twice");
    CHECK(strstr(err.msg, "already exists") != NULL, "message: %s", err.msg);
    fu_job_add_step(s, "job-test-create-job", args_n(1), &err);
    fu_job_submit(s, "job-test-create-job", &err);
    CHECK(fu_job_create(s, "job-test-create-job", &err) != FACEFUSE_OK, "created over a queued job");
    CHECK(fu_job_create(s, "../evil", &err) != FACEFUSE_OK, "an unsanitised id was accepted");
    fu_job_store_close(s);
}

static void test_submit_job(void)
{
    fu_job_store *s = open_fresh("submit");
    fu_err err;
    CHECK(fu_job_submit(s, "job-invalid", &err) == FACEFUSE_ERR_NOT_FOUND, "unknown job submitted");
    fu_job_create(s, "job-test-submit-job", &err);
    CHECK(fu_job_submit(s, "job-test-submit-job", &err) != FACEFUSE_OK, "a job without steps was submitted");
    fu_job_add_step(s, "job-test-submit-job", args_n(1), &err);
    CHECK(fu_job_submit(s, "job-test-submit-job", &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_submit(s, "job-test-submit-job", &err) != FACEFUSE_OK, "submitted twice");
    CHECK(jt_status(s, "job-test-submit-job") == FU_JOB_QUEUED, "not queued");
    fu_job_step *steps;
    int n;
    REQUIRE(fu_job_steps(s, "job-test-submit-job", &steps, &n, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(n == 1 && steps[0].status == FU_STEP_QUEUED, "step status %s", fu_step_status_name(steps[0].status));
    fu_job_steps_free(steps, n);
    fu_job_store_close(s);
}

static void test_submit_jobs(void)
{
    fu_job_store *s = open_fresh("submit_all");
    fu_err err;
    CHECK(fu_job_submit_all(s, 1, &err) != FACEFUSE_OK, "nothing to submit, yet OK");
    fu_job_create(s, "job-test-submit-jobs-1", &err);
    fu_job_create(s, "job-test-submit-jobs-2", &err);
    CHECK(fu_job_submit_all(s, 1, &err) != FACEFUSE_OK, "jobs without steps submitted");
    fu_job_add_step(s, "job-test-submit-jobs-1", args_n(1), &err);
    fu_job_add_step(s, "job-test-submit-jobs-2", args_n(2), &err);
    CHECK(fu_job_submit_all(s, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_submit_all(s, 1, &err) != FACEFUSE_OK, "submitted again");
    fu_job_store_close(s);
}

static void test_delete_jobs(void)
{
    fu_job_store *s = open_fresh("delete");
    fu_err err;
    CHECK(fu_job_delete(s, "job-invalid", &err) != FACEFUSE_OK, "deleted an unknown job");
    fu_job_create(s, "job-test-delete-job", &err);
    CHECK(fu_job_delete(s, "job-test-delete-job", &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_delete(s, "job-test-delete-job", &err) != FACEFUSE_OK, "deleted twice");
    CHECK(fu_job_delete_all(s, 1, &err) != FACEFUSE_OK, "nothing to delete, yet OK");
    fu_job_create(s, "job-test-delete-jobs-1", &err);
    fu_job_create(s, "job-test-delete-jobs-2", &err);
    CHECK(fu_job_delete_all(s, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_info *jobs;
    int n;
    fu_job_list(s, -1, &jobs, &n, &err);
    CHECK(n == 0, "%d jobs left", n);
    free(jobs);
    /* A running job is not deleted under its runner. */
    fu_job_create(s, "job-running", &err);
    fu_job_add_step(s, "job-running", args_n(1), &err);
    fu_job_submit(s, "job-running", &err);
    fu_job_claim(s, "job-running", &err);
    CHECK(fu_job_delete(s, "job-running", &err) != FACEFUSE_OK, "a running job was deleted");
    CHECK(strstr(err.msg, "running") != NULL, "message: %s", err.msg);
    fu_job_store_close(s);
}

static void test_find_job_ids(void)
{
    fu_job_store *s = open_fresh("find");
    fu_err err;
    fu_job_info *jobs;
    int n;
    const char *ids[] = {"job-test-find-job-ids-1", "job-test-find-job-ids-2", "job-test-find-job-ids-3"};
    for (int i = 0; i < 3; i++) {
        fu_job_create(s, ids[i], &err);
        fu_job_add_step(s, ids[i], args_n(i), &err);
    }
    fu_job_list(s, FU_JOB_DRAFTED, &jobs, &n, &err);
    CHECK(n == 3 && !strcmp(jobs[0].id, ids[0]) && !strcmp(jobs[2].id, ids[2]), "drafted order");
    free(jobs);
    for (int i = 0; i < 3; i++)
        fu_job_submit(s, ids[i], &err);
    fu_job_list(s, FU_JOB_QUEUED, &jobs, &n, &err);
    CHECK(n == 3 && !strcmp(jobs[0].id, ids[0]) && !strcmp(jobs[1].id, ids[1]), "queued order");
    CHECK(jobs[0].step_count == 1 && jobs[0].date_created[0] && jobs[0].date_updated[0], "job fields");
    free(jobs);
    fu_job_list(s, FU_JOB_DRAFTED, &jobs, &n, &err);
    CHECK(n == 0, "%d still drafted", n);
    free(jobs);
    fu_job_store_close(s);
}

static void check_args(fu_job_step *steps, int i, const char *name, const char *want)
{
    char v[PATH_MAX];
    int found;
    fu_job_args_first(steps[i].args, name, v, sizeof v, &found, NULL);
    CHECK(found && strcmp(v, want) == 0, "step %d %s = '%s', want '%s'", i, name, v, want);
}

static void test_remix_step(void)
{
    fu_job_store *s = open_fresh("remix");
    fu_err err;
    fu_job_step *steps;
    int n;
    char want[PATH_MAX];
    CHECK(fu_job_remix_step(s, "job-invalid", 0, args_n(1), &err) != FACEFUSE_OK, "remixed an unknown job");
    fu_job_create(s, "job-test-remix-step", &err);
    fu_job_add_step(s, "job-test-remix-step", args_n(1), &err);
    fu_job_add_step(s, "job-test-remix-step", args_n(2), &err);
    CHECK(fu_job_remix_step(s, "job-test-remix-step", 99, args_n(1), &err) != FACEFUSE_OK, "step 99 remixed");
    CHECK(fu_job_remix_step(s, "job-test-remix-step", 0, args_n(2), &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_remix_step(s, "job-test-remix-step", -1, args_n(2), &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_job_steps(s, "job-test-remix-step", &steps, &n, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(n == 4, "%d steps", n);
    check_args(steps, 2, FU_ARG_SOURCE_PATHS, "source-2.jpg");
    fu_job_step_output_path("job-test-remix-step", 0, "output-1.jpg", want, sizeof want, NULL);
    check_args(steps, 2, FU_ARG_TARGET_PATH, want);
    check_args(steps, 2, FU_ARG_OUTPUT_PATH, "output-2.jpg");
    fu_job_step_output_path("job-test-remix-step", 2, "output-2.jpg", want, sizeof want, NULL);
    check_args(steps, 3, FU_ARG_TARGET_PATH, want);
    CHECK(strcmp(want, "output-2-job-test-remix-step-2.jpg") == 0, "step output %s", want);
    fu_job_steps_free(steps, n);
    fu_job_store_close(s);
}

static void test_insert_step(void)
{
    fu_job_store *s = open_fresh("insert");
    fu_err err;
    fu_job_step *steps;
    int n;
    char a1[512], a2[512], a3[512];
    snprintf(a1, sizeof a1, "%s", args_n(1));
    snprintf(a2, sizeof a2, "%s", args_n(2));
    snprintf(a3, sizeof a3, "%s", args_n(3));
    CHECK(fu_job_insert_step(s, "job-invalid", 0, a1, &err) != FACEFUSE_OK, "inserted into an unknown job");
    fu_job_create(s, "job-test-insert-step", &err);
    fu_job_add_step(s, "job-test-insert-step", a1, &err);
    fu_job_add_step(s, "job-test-insert-step", a1, &err);
    CHECK(fu_job_insert_step(s, "job-test-insert-step", 99, a1, &err) != FACEFUSE_OK, "inserted at 99");
    CHECK(fu_job_insert_step(s, "job-test-insert-step", 0, a2, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_insert_step(s, "job-test-insert-step", -1, a3, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_job_steps(s, "job-test-insert-step", &steps, &n, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(n == 4, "%d steps", n);
    CHECK(!strcmp(steps[0].args, a2) && !strcmp(steps[1].args, a1) && !strcmp(steps[2].args, a3) &&
              !strcmp(steps[3].args, a1),
          "order after inserts");
    fu_job_steps_free(steps, n);
    fu_job_store_close(s);
}

static void test_remove_step(void)
{
    fu_job_store *s = open_fresh("remove");
    fu_err err;
    fu_job_step *steps;
    int n;
    char a1[512], a2[512], a3[512];
    snprintf(a1, sizeof a1, "%s", args_n(1));
    snprintf(a2, sizeof a2, "%s", args_n(2));
    snprintf(a3, sizeof a3, "%s", args_n(3));
    CHECK(fu_job_remove_step(s, "job-invalid", 0, &err) != FACEFUSE_OK, "removed from an unknown job");
    fu_job_create(s, "job-test-remove-step", &err);
    fu_job_add_step(s, "job-test-remove-step", a1, &err);
    fu_job_add_step(s, "job-test-remove-step", a2, &err);
    fu_job_add_step(s, "job-test-remove-step", a1, &err);
    fu_job_add_step(s, "job-test-remove-step", a3, &err);
    CHECK(fu_job_remove_step(s, "job-test-remove-step", 99, &err) != FACEFUSE_OK, "removed step 99");
    CHECK(strstr(err.msg, "no step 99") != NULL, "message: %s", err.msg);
    CHECK(fu_job_remove_step(s, "job-test-remove-step", 0, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_remove_step(s, "job-test-remove-step", -1, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_job_steps(s, "job-test-remove-step", &steps, &n, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(n == 2 && !strcmp(steps[0].args, a2) && !strcmp(steps[1].args, a1), "steps after removal");
    fu_job_steps_free(steps, n);
    fu_job_store_close(s);
}

static void test_step_status(void)
{
    fu_job_store *s = open_fresh("step_status");
    fu_err err;
    fu_job_step *steps;
    int n;
    CHECK(fu_job_set_step_status(s, "job-invalid", 0, FU_STEP_COMPLETED, &err) != FACEFUSE_OK, "unknown job");
    fu_job_create(s, "job-test-set-step-status", &err);
    fu_job_add_step(s, "job-test-set-step-status", args_n(1), &err);
    fu_job_add_step(s, "job-test-set-step-status", args_n(2), &err);
    CHECK(fu_job_set_step_status(s, "job-test-set-step-status", 99, FU_STEP_COMPLETED, &err) != FACEFUSE_OK,
          "step 99");
    fu_job_set_step_status(s, "job-test-set-step-status", 0, FU_STEP_COMPLETED, &err);
    fu_job_set_step_status(s, "job-test-set-step-status", 1, FU_STEP_FAILED, &err);
    fu_job_steps(s, "job-test-set-step-status", &steps, &n, &err);
    CHECK(n == 2 && steps[0].status == FU_STEP_COMPLETED && steps[1].status == FU_STEP_FAILED, "step statuses");
    fu_job_steps_free(steps, n);
    fu_job_set_steps_status(s, "job-test-set-step-status", FU_STEP_QUEUED, &err);
    fu_job_steps(s, "job-test-set-step-status", &steps, &n, &err);
    CHECK(steps[0].status == FU_STEP_QUEUED && steps[1].status == FU_STEP_QUEUED, "all queued");
    fu_job_steps_free(steps, n);
    fu_job_store_close(s);
}

/* facefuse: steps change only in drafted jobs; runs claim atomically;
 * cancel and retry move through cancelled/failed back to queued. */
static void test_lifecycle_beyond_facefusion(void)
{
    fu_job_store *s = open_fresh("life");
    fu_err err;
    fu_job_create(s, "j", &err);
    fu_job_add_step(s, "j", args_n(1), &err);
    fu_job_submit(s, "j", &err);
    CHECK(fu_job_add_step(s, "j", args_n(2), &err) != FACEFUSE_OK, "step added to a queued job");
    CHECK(strstr(err.msg, "drafted") != NULL, "message: %s", err.msg);
    CHECK(fu_job_remove_step(s, "j", 0, &err) != FACEFUSE_OK, "step removed from a queued job");
    CHECK(fu_job_claim(s, "j", &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_claim(s, "j", &err) != FACEFUSE_OK, "claimed twice: two runners would run it");
    CHECK(fu_job_set_progress(s, "j", 0.25, 5, 20, 30.0, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_info j;
    fu_job_get(s, "j", &j, &err);
    CHECK(j.status == FU_JOB_RUNNING && j.progress == 0.25 && j.frames_done == 5 && j.frames_total == 20,
          "progress %.2f %lld/%lld", j.progress, (long long)j.frames_done, (long long)j.frames_total);
    CHECK(fu_job_request_cancel(s, "j", &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_cancel_requested(s, "j"), "cancel not recorded");
    CHECK(fu_job_finish(s, "j", FU_JOB_CANCELLED, "cancelled", &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(fu_job_requeue(s, "j", &err) == FACEFUSE_OK, "cancelled job not retried: %s", err.msg);
    CHECK(jt_status(s, "j") == FU_JOB_QUEUED, "not queued after retry");
    /* A queued job is cancelled at once. */
    CHECK(fu_job_request_cancel(s, "j", &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(jt_status(s, "j") == FU_JOB_CANCELLED, "queued job not cancelled");
    CHECK(fu_job_request_cancel(s, "j", &err) != FACEFUSE_OK, "cancelled twice");
    CHECK(fu_job_requeue(s, "j", &err) == FACEFUSE_OK && fu_job_claim(s, "j", &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_finish(s, "j", FU_JOB_FAILED, "broken", &err);
    fu_job_get(s, "j", &j, &err);
    CHECK(j.status == FU_JOB_FAILED && strcmp(j.error, "broken") == 0, "failed with '%s'", j.error);
    CHECK(fu_job_requeue(s, "j", &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_get(s, "j", &j, &err);
    CHECK(j.error[0] == '\0' && j.progress == 0, "retry keeps the old error '%s'", j.error);
    CHECK(fu_job_store_check(s, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_job_store_close(s);
}

static void test_ids_and_step_paths(void)
{
    char id[FU_JOB_ID_MAX], path[PATH_MAX];
    fu_err err;
    /* FaceFusion's sanitize_job_id: dashes and alphanumerics are kept, anything
     * else becomes hashlib.sha1(id).hexdigest() (values from Python). */
    fu_job_id_sanitize("job-2024-05-01", id, &err);
    CHECK(strcmp(id, "job-2024-05-01") == 0, "%s", id);
    fu_job_id_sanitize("job 1", id, &err);
    CHECK(strcmp(id, "7b3e672d83fc2c6e0794f01e68eec1b85a0d96c4") == 0, "%s", id);
    fu_job_id_sanitize("../etc/passwd", id, &err);
    CHECK(strcmp(id, "e96c47eabf3d85aeea0d3921a414e847ceb4e49b") == 0, "%s", id);
    CHECK(fu_job_id_sanitize("", id, &err) != FACEFUSE_OK, "empty id accepted");
    /* job_helper.get_step_output_path */
    CHECK(fu_job_step_output_path("test-job", 0, "test.mp4", path, sizeof path, &err) == FACEFUSE_OK &&
              strcmp(path, "test-test-job-0.mp4") == 0,
          "%s", path);
    CHECK(fu_job_step_output_path("test-job", 0, "test/test.mp4", path, sizeof path, &err) == FACEFUSE_OK &&
              strcmp(path, "test/test-test-job-0.mp4") == 0,
          "%s", path);
    CHECK(fu_job_step_output_path("test-job", 0, "invalid", path, sizeof path, &err) != FACEFUSE_OK,
          "no extension accepted");
}

static void test_bad_step_args(void)
{
    fu_job_store *s = open_fresh("badargs");
    fu_err err;
    fu_job_create(s, "j", &err);
    CHECK(fu_job_add_step(s, "j", "{\"--target-path\": [\"a.jpg\"", &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "malformed JSON stored");
    CHECK(fu_job_add_step(s, "j", "{\"--target-path\": \"a.jpg\"}", &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "a value that is not a list stored");
    CHECK(strstr(err.msg, "--target-path") != NULL, "message does not name the option: %s", err.msg);
    CHECK(fu_job_add_step(s, "j", "{\"target\": [\"a.jpg\"]}", &err) == FACEFUSE_ERR_INVALID_ARGUMENT,
          "a key that is not an option stored");
    fu_job_info j;
    fu_job_get(s, "j", &j, &err);
    CHECK(j.step_count == 0, "%d steps stored", j.step_count);
    fu_job_store_close(s);
}

/* Two handles (as two processes) see each other's jobs. */
static void test_shared_between_handles(void)
{
    fu_job_store *a = open_fresh("shared"), *b = open_fresh("shared");
    fu_err err;
    fu_job_create(a, "from-a", &err);
    CHECK(jt_status(b, "from-a") == FU_JOB_DRAFTED, "b does not see a's job");
    fu_job_delete(b, "from-a", &err);
    CHECK(jt_status(a, "from-a") == (fu_job_status)-1, "a still sees the deleted job");
    fu_job_store_close(a);
    fu_job_store_close(b);
}

int main(void)
{
    RUN(test_create_job);
    RUN(test_submit_job);
    RUN(test_submit_jobs);
    RUN(test_delete_jobs);
    RUN(test_find_job_ids);
    RUN(test_remix_step);
    RUN(test_insert_step);
    RUN(test_remove_step);
    RUN(test_step_status);
    RUN(test_lifecycle_beyond_facefusion);
    RUN(test_ids_and_step_paths);
    RUN(test_bad_step_args);
    RUN(test_shared_between_handles);
    return tl_finish();
}
