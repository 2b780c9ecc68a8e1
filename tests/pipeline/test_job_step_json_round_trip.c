/*
 * test_job_step_json_round_trip.c — a step's options survive the job store:
 * an option set written as step JSON (fu_job_step_json) and applied to a
 * fresh set (fu_job_step_apply) gives the same words for every step option
 * — a path with spaces stays one word, lists keep their words and order,
 * a margin keeps its words (1 2, read as 1 2 1 2), flags are "true"/"false" — defaults are
 * stored beside what the user set (FaceFusion's steps hold every step key),
 * job keys and the front end's options are not stored, and the JSON is the
 * same text when written again. Applying refuses, naming the option: an
 * unknown option, a job key, a bad value, a value that is not a list of
 * words.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "configlib.h"
#include "pipeline/jobs/job_step.h"
#include "testlib.h"

static void set_words(fu_optset *set, const char *name, const char *const *words, int n)
{
    fu_err err;
    if (fu_optset_set(set, name, words, n, FU_ORIGIN_ARG, &err) != FACEFUSE_OK)
        fprintf(stderr, "    %s: %s\n", name, err.msg);
}

static int init_run_set(fu_optset *set)
{
    int n;
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    return fu_optset_init(set, groups, n, NULL) == FACEFUSE_OK;
}

static void test_round_trip_keeps_every_word(void)
{
    fu_optset a, b;
    char *json = NULL, *again = NULL;
    fu_err err;
    REQUIRE(init_run_set(&a) && init_run_set(&b), "optsets");
    const char *sources[] = {"/data/my photos/face one.jpg", "/data/b.jpg"};
    const char *target[] = {"/data/clips/the target.mp4"};
    const char *types[] = {"occlusion", "box"};
    const char *margin[] = {"1", "2"};
    const char *weight[] = {"0.75"};
    const char *providers[] = {"cpu"};
    const char *threads[] = {"3"};
    set_words(&a, "--source-paths", sources, 2);
    set_words(&a, "--target-path", target, 1);
    set_words(&a, "--face-mask-types", types, 2);
    set_words(&a, "--face-detector-margin", margin, 2);
    set_words(&a, "--face-swapper-weight", weight, 1);
    set_words(&a, "--execution-providers", providers, 1); /* job keys */
    set_words(&a, "--execution-thread-count", threads, 1);
    REQUIRE(fu_job_step_json(&a, &json, &err) == FACEFUSE_OK, "%s", err.msg);

    json_t *root = json_loads(json, 0, NULL);
    REQUIRE(json_is_object(root), "not JSON: %s", json);
    json_t *s = json_object_get(root, "--source-paths");
    CHECK(json_array_size(s) == 2 && !strcmp(json_string_value(json_array_get(s, 0)), sources[0]),
          "source paths: %s", json);
    CHECK(json_array_size(json_object_get(root, "--face-detector-margin")) == 2, "margin not as given");
    CHECK(!strcmp(json_string_value(json_array_get(json_object_get(root, "--face-selector-mode"), 0)) ?: "",
                  "reference"),
          "the default selector mode is not stored");
    CHECK(!json_object_get(root, "--execution-providers") && !json_object_get(root, "--execution-thread-count") &&
              !json_object_get(root, "--video-memory-strategy") && !json_object_get(root, "--log-level") &&
              !json_object_get(root, "--temp-path") && !json_object_get(root, "--model-dir"),
          "a job key was stored: %s", json);
    CHECK(!json_object_get(root, "--output-path"), "an option without value or default was stored");
    json_decref(root);

    REQUIRE(fu_job_step_apply(&b, json, &err) == FACEFUSE_OK, "apply: %s", err.msg);
    int compared = 0;
    for (int i = 0; i < a.count; i++) {
        const fu_option *o = fu_optset_option(&a, i);
        const fu_optval *x = &a.vals[i], *y = &b.vals[i];
        if (!fu_job_step_option(o)) {
            CHECK(y->origin == FU_ORIGIN_DEFAULT, "job key %s was applied", o->name);
            continue;
        }
        int same = x->n == y->n;
        for (int k = 0; same && k < x->n; k++)
            same = !strcmp(x->words[k], y->words[k]);
        CHECK(same, "%s: %d words before, %d after (%s / %s)", o->name, x->n, y->n, x->n ? x->words[0] : "-",
              y->n ? y->words[0] : "-");
        CHECK(y->n == 0 || y->origin == FU_ORIGIN_ARG, "%s not applied as an argument", o->name);
        compared++;
    }
    CHECK(compared > 40, "only %d step options", compared);
    REQUIRE(fu_job_step_json(&b, &again, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(!strcmp(json, again), "written again, the step differs:\n%s\n%s", json, again);

    /* and the applied set makes the run configuration the first one does */
    fu_run_config ca, cb;
    REQUIRE(fu_run_config_init(&ca, &a, &err) == FACEFUSE_OK && fu_run_config_init(&cb, &b, &err) == FACEFUSE_OK,
            "%s", err.msg);
    CHECK(cb.paths.source_paths.n == 2 && !strcmp(cb.paths.source_paths.v[0], sources[0]) &&
              !strcmp(cb.paths.target_path, target[0]),
          "paths in the config");
    CHECK(cb.analysis_settings.detector_margin.n == 4 && cb.analysis_settings.detector_margin.v[2] == 1 &&
              cb.analysis_settings.detector_margin.v[3] == 2,
          "detector margin 1 2 → 1 2 1 2");
    CHECK(cb.masker.blur == ca.masker.blur && cb.output.image_quality == ca.output.image_quality, "defaults differ");
    fu_run_config_free(&ca);
    fu_run_config_free(&cb);
    free(json);
    free(again);
    fu_optset_free(&a);
    fu_optset_free(&b);
}

static void expect_refused(const char *json, const char *named)
{
    fu_optset set;
    fu_err err;
    REQUIRE(init_run_set(&set), "optset");
    facefuse_status rc = fu_job_step_apply(&set, json, &err);
    CHECK(rc != FACEFUSE_OK && strstr(err.msg, named), "%s: status %d, '%s' (must name %s)", json, rc, err.msg,
          named);
    fu_optset_free(&set);
}

static void test_apply_refuses_by_name(void)
{
    expect_refused("{\"--no-such-option\":[\"1\"]}", "--no-such-option");
    expect_refused("{\"--execution-providers\":[\"cpu\"]}", "--execution-providers");
    expect_refused("{\"--config-path\":[\"x.ini\"]}", "--config-path");
    expect_refused("{\"--face-swapper-weight\":[\"7\"]}", "--face-swapper-weight");
    expect_refused("{\"--face-selector-mode\":\"one\"}", "--face-selector-mode");
    expect_refused("{\"--face-mask-types\":[\"box\",3]}", "--face-mask-types");
    expect_refused("[\"--target-path\"]", "JSON object");
    expect_refused("{\"--target-path\":", "JSON");
}

int main(void)
{
    RUN(test_round_trip_keeps_every_word);
    RUN(test_apply_refuses_by_name);
    return tl_finish();
}
