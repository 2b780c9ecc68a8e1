/*
 * test_registry_dir.c — the model cache directory is chosen in the
 * documented order: explicit, $FACEFUSE_MODEL_DIR, $XDG_CACHE_HOME, $HOME.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "infer/registry.h"
#include "testlib.h"

static void test_resolution_order(void)
{
    char dir[PATH_MAX];

    setenv("FACEFUSE_MODEL_DIR", "/env/models", 1);
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    setenv("HOME", "/home/someone", 1);

    fu_model_dir_resolve("/explicit", dir, sizeof dir);
    CHECK(strcmp(dir, "/explicit") == 0, "explicit first: %s", dir);

    fu_model_dir_resolve(NULL, dir, sizeof dir);
    CHECK(strcmp(dir, "/env/models") == 0, "then FACEFUSE_MODEL_DIR: %s", dir);
    fu_model_dir_resolve("", dir, sizeof dir);
    CHECK(strcmp(dir, "/env/models") == 0, "empty explicit counts as none: %s", dir);

    unsetenv("FACEFUSE_MODEL_DIR");
    fu_model_dir_resolve(NULL, dir, sizeof dir);
    CHECK(strcmp(dir, "/xdg/facefuse/models") == 0, "then XDG_CACHE_HOME: %s", dir);

    setenv("FACEFUSE_MODEL_DIR", "", 1);
    fu_model_dir_resolve(NULL, dir, sizeof dir);
    CHECK(strcmp(dir, "/xdg/facefuse/models") == 0, "empty variable counts as unset: %s", dir);

    unsetenv("XDG_CACHE_HOME");
    fu_model_dir_resolve(NULL, dir, sizeof dir);
    CHECK(strcmp(dir, "/home/someone/.cache/facefuse/models") == 0, "then HOME: %s", dir);

    unsetenv("HOME");
    fu_model_dir_resolve(NULL, dir, sizeof dir);
    CHECK(strstr(dir, "/.cache/facefuse/models") != NULL, "without HOME, the user's home: %s",
          dir);
}

int main(void)
{
    RUN(test_resolution_order);
    return tl_finish();
}
