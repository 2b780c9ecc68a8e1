/*
 * test_ort_telemetry_off.c — ONNX Runtime's telemetry stays off: after a
 * model session is opened and closed, no ONNX Runtime thread is left
 * running (1.30's telemetry thread outlived every release and read freed
 * memory at process exit: the heap-use-after-free ASan reported under
 * load) and nothing was written under the cache directory (its device id
 * and event database, ~/.cache/Microsoft/DeveloperTools/.onnxruntime).
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "infer/ort.h"
#include "testlib.h"

static int thread_count(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void test_no_thread_nor_files_left(void)
{
    char home[1024], cache[1024], path[1200];
    struct stat st;
    fu_session *s = NULL;
    fu_err err;
    snprintf(home, sizeof home, "%s", tl_tmp("home"));
    snprintf(cache, sizeof cache, "%s", tl_tmp("cache"));
    mkdir(home, 0700);
    mkdir(cache, 0700);
    setenv("HOME", home, 1);
    setenv("XDG_CACHE_HOME", cache, 1);
    unsetenv("ORT_DISABLE_TELEMETRY"); /* as a user's shell has it */

    int before = thread_count();
    REQUIRE(fu_session_open(tl_test_models("scrfd_2.5g.onnx"), NULL, &s, &err) == FACEFUSE_OK, "%s", err.msg);
    fu_session_close(s);
    int after = thread_count();
    CHECK(after == before, "%d thread(s) left running after the session closed (%d before)", after - before, before);
    snprintf(path, sizeof path, "%s/Microsoft", cache);
    CHECK(stat(path, &st) != 0, "ONNX Runtime wrote %s", path);
    snprintf(path, sizeof path, "%s/.cache/Microsoft", home);
    CHECK(stat(path, &st) != 0, "ONNX Runtime wrote %s", path);
}

int main(void)
{
    RUN(test_no_thread_nor_files_left);
    return tl_finish();
}
