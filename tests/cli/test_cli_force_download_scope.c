/*
 * test_cli_force_download_scope.c — `facefuse force-download` fetches the
 * models of --download-scope: lite, the default, holds 24 deep swapper
 * models, full all 157 (FaceFusion's create_static_model_set(scope)). With
 * an unreachable source every fetch fails fast, and the closing line says
 * how many models the scope holds; an unknown scope is refused.
 */
#include <stdio.h>
#include <string.h>

#include "clitest.h"
#include "infer/registry.h"

static int in_scope(fu_download_scope scope)
{
    const fu_model_def *const *all = fu_model_all();
    int n = 0;
    for (int i = 0; all[i]; i++)
        n += fu_model_in_scope(all[i], scope);
    return n;
}

static void check_scope(const char *flag, int want)
{
    char args[2048], line[128], *err = NULL;
    snprintf(args, sizeof args, "force-download %s --model-dir '%s'", flag, tl_tmp("cache"));
    int code = tl_run_cli(args, NULL, &err);
    snprintf(line, sizeof line, "%d of %d models could not be fetched", want, want);
    CHECK(code != 0 && err && strstr(err, line), "'%s': exit %d, expected \"%s\" in:\n%.300s", flag, code, line,
          err ? err : "");
    free(err);
}

static void test_scope_decides_what_is_fetched(void)
{
    int lite = in_scope(FU_SCOPE_LITE), full = in_scope(FU_SCOPE_FULL);
    CHECK(full - lite == 157 - 24, "full adds %d models to lite's %d", full - lite, lite);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-facefuse-mirror", 1);
    check_scope("", lite); /* lite is the default */
    check_scope("--download-scope full", full);
    char *err = NULL;
    int code = tl_run_cli("force-download --download-scope everything", NULL, &err);
    CHECK(code != 0 && err && strstr(err, "everything") && error_lines(err) == 1, "unknown scope: exit %d: %s", code,
          err ? err : "");
    free(err);
    unsetenv("FACEFUSE_DOWNLOAD_BASE_URL");
}

int main(void)
{
    RUN(test_scope_decides_what_is_fetched);
    return tl_finish();
}
