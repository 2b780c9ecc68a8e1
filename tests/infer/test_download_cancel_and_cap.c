/*
 * test_download_cancel_and_cap.c — downloads against a local HTTP server
 * (http_testserver.h): a stop request ends a trickling transfer within a
 * second and removes its partial file, for one file and for a whole model
 * (.hash and model, nothing left in the cache); a server streaming without a
 * size is cut at the limit and its partial removed; a server sending more
 * than it announced never gets more than the announced bytes into the file.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "infer/download.h"
#include "infer/registry.h"
#include "testlib.h"
#include "http_testserver.h"

static int port;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

typedef struct stopper {
    volatile int *flag;
    double at_s;
} stopper;

static void *stop_later(void *arg)
{
    stopper *s = arg;
    usleep(400000);
    s->at_s = now_s();
    *s->flag = 1;
    return NULL;
}

static int path_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void a_stop_ends_a_transfer_within_a_second(void)
{
    char url[256];
    const char *part = tl_tmp("slow.bin.download");
    volatile int cancel = 0;
    stopper s = {&cancel, 0};
    pthread_t t;
    fu_err err;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/slow/file.bin", port);
    fu_transfer_opts opts = {"file.bin", NULL, NULL, 0, &cancel};
    pthread_create(&t, NULL, stop_later, &s);
    facefuse_status st = fu_download_append(url, part, 0, &opts, NULL, &err);
    double took = now_s() - s.at_s;
    pthread_join(t, NULL);
    CHECK(st == FACEFUSE_ERR_CANCELLED, "status %d: %s", st, err.msg);
    CHECK(took < 1.0, "stopped %.2f s after the request", took);
    CHECK(!path_exists(part), "the partial file is left");
}

static void a_stream_without_size_is_cut_at_the_limit(void)
{
    char url[256];
    const char *part = tl_tmp("endless.bin.download");
    fu_err err;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/nolength/file.bin", port);
    fu_transfer_opts opts = {"file.bin", NULL, NULL, 100000, NULL};
    facefuse_status st = fu_download_append(url, part, 0, &opts, NULL, &err);
    CHECK(st == FACEFUSE_ERR_DOWNLOAD && strstr(err.msg, "100000 bytes"), "status %d: %s", st, err.msg);
    CHECK(!path_exists(part), "the partial file is left");
}

static void no_more_than_the_announced_size(void)
{
    char url[256];
    const char *part = tl_tmp("liar.bin.download");
    fu_err err;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/liar/file.bin", port);
    facefuse_status st = fu_download_append(url, part, 0, NULL, NULL, &err);
    CHECK(file_size(part) <= 1000, "%ld bytes written, 1000 announced (status %d: %s)", file_size(part), st, err.msg);
}

static void a_stopped_model_download_leaves_nothing(void)
{
    char base[256];
    fu_model_store store;
    volatile int cancel = 0;
    stopper s = {&cancel, 0};
    pthread_t t;
    char path[4096];
    fu_err err;
    memset(&store, 0, sizeof store);
    snprintf(store.dir, sizeof store.dir, "%s", tl_tmp("cache"));
    store.allow_download = 1;
    store.providers = "github";
    store.cancel = &cancel;
    snprintf(base, sizeof base, "http://127.0.0.1:%d/slow", port);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", base, 1);
    pthread_create(&t, NULL, stop_later, &s);
    facefuse_status st = fu_model_ensure(&store, fu_model_find("scrfd"), path, sizeof path, &err);
    double took = now_s() - s.at_s;
    pthread_join(t, NULL);
    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
    CHECK(st == FACEFUSE_ERR_CANCELLED, "status %d: %s", st, err.msg);
    CHECK(took < 1.0, "stopped %.2f s after the request", took);
    char cache_file[PATH_MAX + 64];
    snprintf(cache_file, sizeof cache_file, "%s/scrfd_2.5g.onnx.download", store.dir);
    CHECK(!path_exists(cache_file), "%s left", cache_file);
    snprintf(cache_file, sizeof cache_file, "%s/scrfd_2.5g.hash.download", store.dir);
    CHECK(!path_exists(cache_file), "%s left", cache_file);
    snprintf(cache_file, sizeof cache_file, "%s/scrfd_2.5g.onnx", store.dir);
    CHECK(!path_exists(cache_file), "%s appeared", cache_file);
}

int main(void)
{
    port = hs_start();
    if (port <= 0) {
        fprintf(stderr, "cannot start the test server\n");
        return 1;
    }
    RUN(a_stop_ends_a_transfer_within_a_second);
    RUN(a_stream_without_size_is_cut_at_the_limit);
    RUN(no_more_than_the_announced_size);
    RUN(a_stopped_model_download_leaves_nothing);
    hs_stop();
    return tl_finish();
}
