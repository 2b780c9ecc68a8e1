/*
 * test_download_offline.c — with the real download providers and no
 * network, fu_model_ensure fails fast (well under 30 s) with MODEL_MISSING
 * naming the file, a URL and the directory to put it in, and leaves no
 * stray files behind. Skipped when the network is actually reachable.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "infer/registry.h"
#include "testlib.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_offline_fails_fast(void)
{
    fu_model_store store = {0};
    char path[PATH_MAX + 64];
    fu_err err;
    double t0, elapsed;
    facefuse_status st;

    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
    snprintf(store.dir, sizeof store.dir, "%s", tl_tmp("cache"));
    store.allow_download = 1;
    store.providers = "github huggingface";
    t0 = now_s();
    st = fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err);
    elapsed = now_s() - t0;
    if (st == FACEFUSE_OK) {
        tl_skip("the network is reachable here");
        return;
    }
    CHECK(st == FACEFUSE_ERR_MODEL_MISSING, "status %d: %s", st, err.msg);
    CHECK(elapsed < 30.0, "took %.1f s", elapsed);
    CHECK(strstr(err.msg, "scrfd_2.5g.onnx") != NULL, "names the file: %s", err.msg);
    CHECK(strstr(err.msg, store.dir) != NULL, "names the directory: %s", err.msg);
    CHECK(strstr(err.msg, "https://github.com/facefusion/facefusion-assets/releases/download/"
                          "models-3.0.0/") != NULL,
          "names the first provider's URL: %s", err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "one line: %s", err.msg);
    CHECK(count_entries(store.dir) == 0, "%d files left in the cache", count_entries(store.dir));
}

static void test_unknown_provider(void)
{
    fu_model_store store = {0};
    char path[PATH_MAX + 64];
    fu_err err;

    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
    snprintf(store.dir, sizeof store.dir, "%s", tl_tmp("cache2"));
    store.allow_download = 1;
    store.providers = "github nowhere";
    CHECK(fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err) ==
              FACEFUSE_ERR_INVALID_ARGUMENT,
          "unknown provider accepted");
    CHECK(strstr(err.msg, "nowhere") != NULL, "names it: %s", err.msg);
}

int main(void)
{
    RUN(test_offline_fails_fast);
    RUN(test_unknown_provider);
    return tl_finish();
}
