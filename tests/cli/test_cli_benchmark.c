/*
 * test_cli_benchmark.c — `facefuse benchmark` times the user's own chain on
 * targets it makes itself: two small resolutions with the stand-in swapper
 * give a table with a header and one row each, and --json a list whose
 * entries (one per resolution) carry the resolution, frames, cycles and timings in order
 * (fastest ≤ average ≤ slowest, fps = frames × cycles / total time);
 * without a source photo it is refused, naming what it needs.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static const char *common(void)
{
    static char args[2048];
    snprintf(args, sizeof args,
             "benchmark -s '%s' --benchmark-mode cold --face-detector-model scrfd --face-detector-size 320x320 "
             "--face-swapper-model inswapper_128 --face-selector-mode many --execution-thread-count 2 "
             "--model-dir '%s' --log-level error --temp-path '%s'",
             tl_shared("samples/grace_hopper.jpg"), tl_test_models(""), tl_tmpdir());
    return args;
}

static void test_table_has_a_row_per_resolution(void)
{
    char *out = NULL, *err = NULL;
    char args[4096];
    snprintf(args, sizeof args, "%s --benchmark-resolutions 240p 360p --benchmark-cycle-count 1", common());
    int code = tl_run_cli(args, &out, &err);
    REQUIRE(code == 0, "exit %d: %s", code, err);
    int lines = 0;
    for (char *p = out; (p = strchr(p, '\n')); p++)
        lines++;
    CHECK(lines == 3 && strstr(out, "relative_fps") && strstr(out, "\n240p ") && strstr(out, "\n360p "),
          "table:\n%s", out);
    CHECK(strstr(out, "426x240") && strstr(out, "640x360"), "sizes:\n%s", out);
    free(out), free(err);
}

static void test_json_is_well_formed_and_consistent(void)
{
    char args[4096], *out = NULL, *err = NULL;
    snprintf(args, sizeof args, "%s --benchmark-resolutions 240p --json --benchmark-cycle-count 2", common());
    int code = tl_run_cli(args, &out, &err);
    REQUIRE(code == 0, "exit %d: %s", code, err);
    const char *json = tl_tmp("bench.json");
    FILE *f = fopen(json, "w");
    fputs(out, f);
    fclose(f);
    char check[1024];
    snprintf(check, sizeof check,
             "python3 -c \"import json,sys; d=json.load(open('%s')); "
             "assert [r['resolution'] for r in d]==['240p'], d; "
             "assert all(r['frames']==50 and r['cycle_count']==2 for r in d), d; "
             "assert all(0<r['fastest_run']<=r['average_run']+1e-3<=r['slowest_run']+2e-3 for r in d), d; "
             "assert all(abs(r['relative_fps']-100/(2*r['average_run']))<=0.05*r['relative_fps']+0.02 for r in d), d\"",
             json);
    CHECK(system(check) == 0, "json: %s", out);
    free(out), free(err);
}

static void test_needs_a_source_photo(void)
{
    char *err = NULL;
    int code = tl_run_cli("benchmark --benchmark-resolutions 240p", NULL, &err);
    CHECK(code == 2 && strstr(err, "-s SOURCE"), "exit %d: %s", code, err);
    free(err);
}

int main(void)
{
    RUN(test_table_has_a_row_per_resolution);
    RUN(test_json_is_well_formed_and_consistent);
    RUN(test_needs_a_source_photo);
    return tl_finish();
}
