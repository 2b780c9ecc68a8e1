/*
 * test_options_list_custom_models.c — the page's deep swapper model
 * dropdown offers the user's own models: GET /api/options (the pipeline
 * service's options) lists every file of <model dir>/custom as
 * "custom/<name without extension>" among --deep-swapper-model's choices,
 * beside the registry's, skipping names starting with "." or "__" as the
 * CLI does (processors/deep_swapper.h); the listed name is one the
 * service's validate accepts.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline/config.h"
#include "server/pipeline_service.h"
#include "testlib.h"

static int touch(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs("not a real model", f);
    return fclose(f);
}

static void custom_models_are_choices(void)
{
    char dir[1024], custom[1100], path[1200];
    int n;
    fu_err err;
    fu_optset set;
    fu_pipeline_service *svc = NULL;
    snprintf(dir, sizeof dir, "%s", tl_tmp("models"));
    snprintf(custom, sizeof custom, "%s/custom", dir);
    REQUIRE(mkdir(dir, 0755) == 0 && mkdir(custom, 0755) == 0, "dirs");
    snprintf(path, sizeof path, "%s/my_face.dfm", custom);
    REQUIRE(touch(path) == 0, "my_face.dfm");
    snprintf(path, sizeof path, "%s/.hidden.dfm", custom);
    REQUIRE(touch(path) == 0, ".hidden.dfm");
    const fu_option_group *const *groups = fu_run_option_groups(&n);
    REQUIRE(fu_optset_init(&set, groups, n, &err) == FACEFUSE_OK, "optset: %s", err.msg);
    facefuse_context *ctx = tl_context_at(dir, FACEFUSE_LOG_WARN);
    REQUIRE(fu_pipeline_service_new(ctx, &set, &svc, &err) == FACEFUSE_OK, "service: %s", err.msg);
    fu_service t = fu_pipeline_service_table(svc);
    char *text = NULL;
    REQUIRE(t.options(t.user, &text, &err) == FACEFUSE_OK, "options: %s", err.msg);
    json_t *list = json_loads(text, 0, NULL);
    json_t *choices = NULL;
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        if (!strcmp(json_string_value(json_object_get(o, "name")) ?: "", "--deep-swapper-model"))
            choices = json_object_get(o, "choices");
    }
    int mine = 0, hidden = 0, registry = 0;
    json_array_foreach(choices, i, o) {
        const char *c = json_string_value(o) ?: "";
        mine += !strcmp(c, "custom/my_face");
        hidden += strstr(c, "hidden") != NULL;
        registry += !strcmp(c, "iperov/elon_musk_224");
    }
    CHECK(mine == 1, "custom/my_face listed %d times in %s", mine, choices ? json_dumps(choices, 0) : "(none)");
    CHECK(hidden == 0, "a hidden file was listed");
    CHECK(registry == 1, "the registry's models are gone");
    CHECK(t.validate(t.user, "{\"--processors\":[\"deep_swapper\"],\"--deep-swapper-model\":[\"custom/my_face\"]}",
                     NULL, &err) == FACEFUSE_OK,
          "the listed name is refused: %s", err.msg);
    json_decref(list);
    free(text);
    fu_pipeline_service_free(svc);
    facefuse_context_free(ctx);
    fu_optset_free(&set);
}

int main(void)
{
    RUN(custom_models_are_choices);
    return tl_finish();
}
