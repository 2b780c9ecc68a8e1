/*
 * test_deep_swapper_model_option.c — --deep-swapper-model as FaceFusion
 * offers it, through the option tables and the processor chain:
 * - its choices (--help, UIs) are FaceFusion's 157 "<author>/<name>"
 *   models in FaceFusion's order, built from the registry;
 * - the processor's check takes every one of them and custom/<name>, and
 *   refuses anything else naming the option (an unknown author/name, a bare
 *   name, custom/ with an empty, hidden or nested name);
 * - at prepare, custom/<name> must be a file of the model cache's custom/
 *   folder: a missing one is refused naming that folder, a present one
 *   opens at the model's own size.
 */
#include <stdlib.h>
#include <string.h>

#include "configlib.h"
#include "core/option.h"
#include "infer/registry.h"
#include "pipeline/chain.h"
#include "testlib.h"

static const fu_option *model_option(void)
{
    tl_config c;
    const fu_option *o = NULL;
    tl_config_init(&c, "--processors deep_swapper");
    fu_optset_find(&c.set, "--deep-swapper-model", &o);
    tl_config_free(&c);
    return o; /* the static table's row */
}

static void choices_are_facefusions_models_in_order(void)
{
    const fu_option *o = model_option();
    REQUIRE(o, "no --deep-swapper-model");
    const char *choices = fu_option_choices(o);
    REQUIRE(choices, "no choices");
    char *copy = strdup(choices), *save = NULL;
    const char *first = NULL, *last = NULL;
    int n = 0, registry_order = 1;
    const fu_model_def *const *all = fu_model_all();
    int k = 0;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save), n++) {
        if (!first)
            first = w;
        last = w;
        while (all[k] && all[k]->kind != FACEFUSE_MODEL_DEEP_SWAPPER)
            k++;
        registry_order &= all[k] && strcmp(all[k]->name, w) == 0;
        if (all[k])
            k++;
    }
    CHECK(n == 157, "%d choices", n);
    CHECK(registry_order, "the choices are not the registry's deep swapper models in order");
    CHECK(first && strcmp(first, "druuzil/adam_levine_320") == 0 && last && strcmp(last, "rumateus/taylor_swift_224") == 0,
          "FaceFusion's list runs from druuzil/adam_levine_320 to rumateus/taylor_swift_224: %s .. %s",
          first ? first : "", last ? last : "");
    CHECK(fu_word_index(choices, "iperov/elon_musk_224") >= 0 && fu_word_index(choices, "iperov/jackie_chan_224") >= 0,
          "iperov's models missing");
    CHECK(fu_option_choices(o) == choices, "the list is built anew each time");
    free(copy);
}

static facefuse_status configure(const char *model, fu_err *err)
{
    char args[256];
    tl_config c;
    snprintf(args, sizeof args, "--processors deep_swapper --deep-swapper-model %s", model);
    facefuse_status rc = tl_config_try(&c, args, err);
    tl_config_free(&c);
    return rc;
}

static void check_takes_models_and_custom_names_only(void)
{
    const char *good[] = {"iperov/jackie_chan_224", "druuzil/adam_levine_320", "rumateus/taylor_swift_224",
                          "custom/my_model"};
    const char *bad[] = {"someone/nobody_224", "jackie_chan_224", "custom/", "custom/.hidden", "custom/a/b",
                         "custom/__pycache__", "fran"};
    fu_err err;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(configure(good[i], &err) == FACEFUSE_OK, "%s refused: %s", good[i], err.msg);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        facefuse_status rc = configure(bad[i], &err);
        CHECK(rc == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "--deep-swapper-model") && strstr(err.msg, bad[i]),
              "%s: status %d '%s'", bad[i], rc, rc == FACEFUSE_OK ? "" : err.msg);
    }
}

static facefuse_status chain_with(facefuse_context *ctx, const char *model, fu_err *err)
{
    char args[256];
    tl_config c;
    fu_chain *chain = NULL;
    snprintf(args, sizeof args, "--processors deep_swapper --deep-swapper-model %s", model);
    fu_run_config *cfg = tl_config_init(&c, args);
    facefuse_status rc = fu_chain_new(ctx, cfg, NULL, &chain, err);
    fu_chain_free(chain);
    tl_config_free(&c);
    return rc;
}

static void custom_model_must_be_in_the_cache(void)
{
    facefuse_context *ctx = tl_context();
    fu_err err;
    char folder[1200];
    snprintf(folder, sizeof folder, "%s", tl_test_models("custom"));
    facefuse_status rc = chain_with(ctx, "custom/not_there", &err);
    CHECK(rc == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "not_there") && strstr(err.msg, folder),
          "status %d '%s'", rc, err.msg);
    rc = chain_with(ctx, "custom/my_model", &err);
    CHECK(rc == FACEFUSE_OK, "custom/my_model: %s", err.msg);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(choices_are_facefusions_models_in_order);
    RUN(check_takes_models_and_custom_names_only);
    RUN(custom_model_must_be_in_the_cache);
    return tl_finish();
}
