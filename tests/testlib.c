/*
 * testlib.c — see testlib.h.
 */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int tl_failed_checks;
static int tests_passed, tests_failed, tests_skipped;
static int current_failed, current_skipped;
static char tmpdir[512];

void tl_fail_at(const char *file, int line, const char *expr)
{
    tl_failed_checks++;
    current_failed = 1;
    fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, expr);
}

void tl_skip(const char *reason)
{
    current_skipped = 1;
    printf("  skipped: %s\n", reason);
}

void tl_run(const char *name, void (*fn)(void))
{
    current_failed = current_skipped = 0;
    printf("-- %s\n", name);
    fflush(stdout);
    fn();
    if (current_failed)
        tests_failed++;
    else if (current_skipped)
        tests_skipped++;
    else
        tests_passed++;
    printf("   %s %s\n", current_failed ? "FAILED" : current_skipped ? "SKIPPED" : "ok", name);
    fflush(stdout);
}

int tl_finish(void)
{
    if (tmpdir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    printf("%d passed, %d failed, %d skipped\n", tests_passed, tests_failed, tests_skipped);
    if (tests_failed)
        return 1;
    /* nothing ran, all skipped: ctest reports the test skipped (SKIP_RETURN_CODE) */
    return tests_passed == 0 && tests_skipped > 0 ? TL_SKIP_EXIT : 0;
}

static const char *ring(const char *fmt, const char *a, const char *b)
{
    static char bufs[16][1024];
    static int next;
    char *buf = bufs[next++ % 16];
    snprintf(buf, 1024, fmt, a, b);
    return buf;
}

const char *tl_shared(const char *rel)
{
    return ring("%s/../shared/%s", FACEFUSE_SOURCE_DIR, rel);
}

const char *tl_test_models(const char *rel)
{
    return ring("%s/%s", FACEFUSE_TEST_MODELS, rel);
}

const char *tl_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/facefuse-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

const char *tl_tmp(const char *name)
{
    return ring("%s/%s", tl_tmpdir(), name);
}

char *tl_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

const char *tl_cli_binary(void)
{
    const char *cli = getenv("FACEFUSE_CLI");
    return cli && cli[0] ? cli : FACEFUSE_BINARY;
}

int tl_run_cli(const char *args, char **out, char **err)
{
    return tl_run_cli_within(0, args, out, err);
}

int tl_run_cli_within(int seconds, const char *args, char **out, char **err)
{
    char cmd[8192], limit[64] = "";
    const char *o = tl_tmp(".cli-stdout"), *e = tl_tmp(".cli-stderr");
    setenv("FACEFUSE_MODEL_DIR", FACEFUSE_TEST_MODELS, 0); /* ctest sets it; a direct run may not */
    if (seconds > 0)
        snprintf(limit, sizeof limit, "timeout -s KILL %d ", seconds);
    snprintf(cmd, sizeof cmd, "%s%s %s </dev/null >'%s' 2>'%s'", limit, tl_cli_binary(), args, o, e);
    int status = system(cmd);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (out)
        *out = tl_slurp(o);
    if (err)
        *err = tl_slurp(e);
    return code;
}

facefuse_context *tl_context_at(const char *model_dir, facefuse_log_level level)
{
    facefuse_context_params p = facefuse_context_default_params();
    facefuse_context *ctx = NULL;
    p.model_dir = model_dir;
    p.allow_download = 0;
    p.log_level = level;
    if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK) {
        fprintf(stderr, "cannot create a context on %s\n", model_dir);
        exit(2);
    }
    return ctx;
}

facefuse_context *tl_context(void)
{
    return tl_context_at(FACEFUSE_TEST_MODELS, FACEFUSE_LOG_WARN);
}

static void link_test_model(const char *dir, const char *link_as, const char *model)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, link_as);
    unlink(path);
    if (symlink(tl_test_models(model), path) != 0)
        perror("symlink");
}

const char *tl_model_dir(const char *name, const char *const *links)
{
    static char dir[1024]; /* tl_tmp's ring would be reused by the links below */
    snprintf(dir, sizeof dir, "%s", tl_tmp(name));
    mkdir(dir, 0755);
    link_test_model(dir, "scrfd_2.5g.onnx", "scrfd_2.5g.onnx");
    for (int i = 0; links && links[i]; i += 2)
        link_test_model(dir, links[i + 1], links[i]);
    return dir;
}

const char *tl_model_dir_with(const char *name, const char *link_as, const char *stand_in)
{
    const char *links[] = {stand_in, link_as, NULL};
    return tl_model_dir(name, links);
}

facefuse_image tl_load(facefuse_context *ctx, const char *rel)
{
    facefuse_image im = {0};
    if (facefuse_image_load(ctx, tl_shared(rel), &im) != FACEFUSE_OK) {
        fprintf(stderr, "cannot load %s: %s\n", rel, facefuse_context_errmsg(ctx));
        exit(2);
    }
    return im;
}
