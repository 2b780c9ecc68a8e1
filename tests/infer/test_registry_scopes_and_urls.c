/*
 * test_registry_scopes_and_urls.c — the age modifier and deep swapper
 * models in the registry, as FaceFusion 3.8.1 lists and fetches them:
 * - download scopes: lite holds 24 deep swapper models (iperov's), full all
 *   157; every other model is in both; "lite"/"full" parse, others do not;
 * - URLs: fran and styleganex_age from their release buckets (github
 *   first, then Hugging Face and its mirror, in the providers' order); a
 *   deep swapper model from Hugging Face's deepfacelive-models-<author>
 *   whatever the providers, its .hash beside it;
 * - layout: fetched from a file:// mirror, the model and its .hash land in
 *   the cache's <author>/ folder, verified, with no .download left;
 * - offline: the one-line error names the file and the path to put it at.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"
#include "infer/registry.h"
#include "testlib.h"

static void count_deep(fu_download_scope scope, int *deep, int *iperov, int *others_missing)
{
    const fu_model_def *const *all = fu_model_all();
    *deep = *iperov = *others_missing = 0;
    for (int i = 0; all[i]; i++) {
        int in = fu_model_in_scope(all[i], scope);
        if (all[i]->kind == FACEFUSE_MODEL_DEEP_SWAPPER) {
            *deep += in;
            *iperov += in && strncmp(all[i]->name, "iperov/", 7) == 0;
        } else {
            *others_missing += !in;
        }
    }
}

static void test_scopes(void)
{
    int deep, iperov, missing;
    fu_download_scope scope;
    fu_err err;
    count_deep(FU_SCOPE_LITE, &deep, &iperov, &missing);
    CHECK(deep == 24 && iperov == 24, "lite: %d deep swapper models, %d of them iperov's", deep, iperov);
    CHECK(missing == 0, "lite leaves out %d other models", missing);
    count_deep(FU_SCOPE_FULL, &deep, &iperov, &missing);
    CHECK(deep == 157 && iperov == 24, "full: %d deep swapper models, %d iperov's", deep, iperov);
    CHECK(missing == 0, "full leaves out %d other models", missing);
    CHECK(fu_model_in_scope(fu_model_find("iperov/elon_musk_224"), FU_SCOPE_LITE), "the default is not in lite");
    CHECK(!fu_model_in_scope(fu_model_find("druuzil/henry_cavill_448"), FU_SCOPE_LITE), "druuzil's in lite");
    CHECK(fu_download_scope_parse("full", &scope, &err) == FACEFUSE_OK && scope == FU_SCOPE_FULL, "full");
    CHECK(fu_download_scope_parse(NULL, &scope, &err) == FACEFUSE_OK && scope == FU_SCOPE_LITE, "default lite");
    CHECK(fu_download_scope_parse("everything", &scope, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "everything"), "'everything': %s", err.msg);
}

static void check_urls(const char *providers, const char *model, int hash, const char *const *want, int n_want)
{
    char urls[4][FU_URL_MAX];
    fu_err err;
    int n = fu_model_urls(providers, fu_model_find(model), hash, urls, 4, &err);
    CHECK(n == n_want, "%s with '%s': %d URLs, expected %d", model, providers, n, n_want);
    for (int i = 0; i < n && i < n_want; i++)
        CHECK(strcmp(urls[i], want[i]) == 0, "%s URL %d: %s, expected %s", model, i, urls[i], want[i]);
}

static void test_urls_as_facefusion_forms_them(void)
{
    static const char *const fran[] = {
        "https://github.com/facefusion/facefusion-assets/releases/download/models-3.6.0/fran.onnx",
        "https://huggingface.co/facefusion/models-3.6.0/resolve/main/fran.onnx",
        "https://hf-mirror.com/facefusion/models-3.6.0/resolve/main/fran.onnx"};
    static const char *const ganx_hash[] = {
        "https://huggingface.co/facefusion/models-3.1.0/resolve/main/styleganex_age.hash",
        "https://hf-mirror.com/facefusion/models-3.1.0/resolve/main/styleganex_age.hash",
        "https://github.com/facefusion/facefusion-assets/releases/download/models-3.1.0/styleganex_age.hash"};
    static const char *const elon[] = {
        "https://huggingface.co/facefusion/deepfacelive-models-iperov/resolve/main/elon_musk_224.dfm",
        "https://hf-mirror.com/facefusion/deepfacelive-models-iperov/resolve/main/elon_musk_224.dfm"};
    static const char *const henry_hash[] = {
        "https://huggingface.co/facefusion/deepfacelive-models-druuzil/resolve/main/henry_cavill_448.hash",
        "https://hf-mirror.com/facefusion/deepfacelive-models-druuzil/resolve/main/henry_cavill_448.hash"};
    char urls[4][FU_URL_MAX];
    fu_err err;

    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
    check_urls("github huggingface", "fran", 0, fran, 3);
    check_urls("huggingface github", "styleganex_age", 1, ganx_hash, 3);
    check_urls("github huggingface", "iperov/elon_musk_224", 0, elon, 2);
    check_urls("github", "iperov/elon_musk_224", 0, elon, 2); /* Hugging Face whatever the providers */
    check_urls("github", "druuzil/henry_cavill_448", 1, henry_hash, 2);
    CHECK(fu_model_urls("ftp", fu_model_find("fran"), 0, urls, 4, &err) == -1 && strstr(err.msg, "ftp"),
          "unknown provider: %s", err.msg);
}

static int write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok;
}

static void test_download_lands_in_the_author_folder(void)
{
    char root[PATH_MAX - 200], p[PATH_MAX + 64], url[PATH_MAX], hash[16], path[PATH_MAX];
    const char *model = tl_test_models("iperov/elon_musk_224.dfm");
    uint32_t crc;
    fu_err err;
    FILE *f = fopen(model, "rb");
    REQUIRE(f, "no stand-in at %s", model);
    static unsigned char bytes[1 << 16];
    size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    REQUIRE(fu_file_crc32(model, &crc, &err) == FACEFUSE_OK, "%s", err.msg);

    /* the mirror: <root>/deepfacelive-models-iperov/elon_musk_224.{dfm,hash} */
    snprintf(root, sizeof root, "%s", tl_tmp("mirror"));
    snprintf(p, sizeof p, "%s/deepfacelive-models-iperov", root);
    mkdir(root, 0755), mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/deepfacelive-models-iperov/elon_musk_224.dfm", root);
    write_bytes(p, bytes, n);
    snprintf(p, sizeof p, "%s/deepfacelive-models-iperov/elon_musk_224.hash", root);
    snprintf(hash, sizeof hash, "%08x", (unsigned)crc);
    write_bytes(p, hash, 8);
    snprintf(url, sizeof url, "file://%s", root);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", url, 1);

    fu_model_store store = {0};
    snprintf(store.dir, sizeof store.dir, "%s", tl_tmp("cache"));
    store.allow_download = 1;
    store.providers = "github huggingface";
    facefuse_status st = fu_model_ensure(&store, fu_model_find("iperov/elon_musk_224"), path, sizeof path, &err);
    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
    REQUIRE(st == FACEFUSE_OK, "download: %s", err.msg);
    snprintf(p, sizeof p, "%s/iperov/elon_musk_224.dfm", store.dir);
    CHECK(strcmp(path, p) == 0 && fu_file_exists(p), "model at %s, expected %s", path, p);
    snprintf(p, sizeof p, "%s/iperov/elon_musk_224.hash", store.dir);
    CHECK(fu_file_exists(p), "no hash at %s", p);
    snprintf(p, sizeof p, "%s/iperov/elon_musk_224.dfm.download", store.dir);
    CHECK(!fu_file_exists(p), "a .download was left behind");
    /* present and verified: no source needed any more */
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent", 1);
    CHECK(fu_model_ensure(&store, fu_model_find("iperov/elon_musk_224"), path, sizeof path, &err) == FACEFUSE_OK,
          "cached model: %s", err.msg);
    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
}

static void test_offline_error_names_file_and_place(void)
{
    fu_model_store store = {0};
    char path[PATH_MAX], want[PATH_MAX + 64];
    fu_err err;
    snprintf(store.dir, sizeof store.dir, "%s", tl_tmp("offline"));
    store.allow_download = 0;
    facefuse_status st = fu_model_ensure(&store, fu_model_find("mats/yu_jimin_352"), path, sizeof path, &err);
    snprintf(want, sizeof want, "Put the file at %s/mats/yu_jimin_352.dfm", store.dir);
    CHECK(st == FACEFUSE_ERR_MODEL_MISSING && strstr(err.msg, "mats/yu_jimin_352.dfm") && strstr(err.msg, want) &&
              !strchr(err.msg, '\n'), "offline: %s", err.msg);
    /* downloads allowed but the source unreachable: the same, naming the URL tried */
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent", 1);
    store.allow_download = 1;
    st = fu_model_ensure(&store, fu_model_find("mats/yu_jimin_352"), path, sizeof path, &err);
    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
    CHECK(st == FACEFUSE_ERR_MODEL_MISSING && strstr(err.msg, "deepfacelive-models-mats/yu_jimin_352") &&
              strstr(err.msg, want), "unreachable: %s", err.msg);
}

int main(void)
{
    RUN(test_scopes);
    RUN(test_urls_as_facefusion_forms_them);
    RUN(test_download_lands_in_the_author_folder);
    RUN(test_offline_error_names_file_and_place);
    return tl_finish();
}
