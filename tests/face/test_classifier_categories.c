/*
 * test_classifier_categories.c — FairFace's ids (race, gender, age, in the
 * model's output order) become facefuse's categories as FaceFusion maps
 * them (East Asian → asian, 1 → female, bucket 4 → [30, 39)), the selector's
 * gender/race/age filters act on them, and `detect --json` reports them when
 * the classifier is in the model directory.
 */
#include "facetest.h"

#include "../cli/clitest.h"

static facefuse_context *ctx;

static void ids_become_categories_and_filters_use_them(void)
{
    facefuse_image img = {0};
    facefuse_face *f = NULL;
    facefuse_analysis_params p = detector_only("scrfd");
    int n = 0;
    p.classifier_model = "fairface";
    REQUIRE(facefuse_image_load(ctx, tl_shared("samples/astronaut.png"), &img) == FACEFUSE_OK, "load");
    REQUIRE(facefuse_detect_faces(ctx, &img, &p, &f, &n) == FACEFUSE_OK, "%s", facefuse_context_errmsg(ctx));
    REQUIRE(n == 1, "%d faces", n);
    CHECK(f[0].gender == FACEFUSE_GENDER_FEMALE, "gender %d", f[0].gender);
    CHECK(f[0].race == FACEFUSE_RACE_ASIAN, "race %d", f[0].race);
    CHECK(f[0].age_start == 30 && f[0].age_end == 39, "age %d-%d", f[0].age_start, f[0].age_end);

    facefuse_selector_params s = facefuse_selector_default_params();
    s.mode = FACEFUSE_SELECT_MANY;
    s.gender = FACEFUSE_GENDER_MALE;
    int count = n;
    facefuse_select_faces(ctx, &s, NULL, 0, f, &count);
    CHECK(count == 0, "male filter kept %d", count);
    s.gender = FACEFUSE_GENDER_FEMALE;
    s.race = FACEFUSE_RACE_ASIAN;
    s.age_start = 35;
    s.age_end = 50;
    count = n;
    facefuse_select_faces(ctx, &s, NULL, 0, f, &count);
    CHECK(count == 1, "female/asian/35-50 kept %d", count);
    facefuse_faces_free(f);
    facefuse_image_free(&img);
}

static void detect_json_reports_gender_age_race(void)
{
    char args[2048], *o = NULL, *e = NULL;
    snprintf(args, sizeof args, "detect '%s' --json --face-detector-model scrfd --model-dir '%s' --log-level error",
             tl_shared("samples/astronaut.png"), tl_test_models("classifier"));
    int code = tl_run_cli(args, &o, &e);
    CHECK(code == 0, "exit %d: %s", code, e);
    CHECK(strstr(o, "\"gender\":\"female\"") && strstr(o, "\"age\":[30,39]") && strstr(o, "\"race\":\"asian\""),
          "json: %s", o);
    free(o);
    free(e);
}

int main(void)
{
    ctx = tl_context_at(tl_test_models("classifier"), FACEFUSE_LOG_ERROR);
    RUN(ids_become_categories_and_filters_use_them);
    RUN(detect_json_reports_gender_age_race);
    facefuse_context_free(ctx);
    return tl_finish();
}
