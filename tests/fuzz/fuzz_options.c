/*
 * fuzz_options.c — the option machinery (src/core/option.c): the command
 * line parser and the ini reader over a table with every type, flag and
 * refusal the product's tables use. The input is split at its first NUL
 * byte: before it, argv words (one a line); after it, an ini file's bytes
 * (given to fu_optset_load_ini through a memory file, so it is read exactly
 * as a regular file on disk). A parse that succeeds is applied to the
 * settings struct and the help is printed. Must never crash, overflow,
 * leak or accept a non-finite or out-of-range number.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/option.h"

typedef struct demo {
    const char *name;
    fu_strs paths;
    fu_ints margin;
    fu_ints ids;
    float score;
    int count;
    int flag;
    const char *mode;
    const char *model;
} demo;

#define D(f) offsetof(demo, f)

static const char *models(void)
{
    return "a1 b2 c3";
}

static const fu_option options[] = {
    {.name = "--name", .section = "demo", .type = FU_OPT_STRING, .def = "anon", .offset = D(name), .help = "a name"},
    {.name = "--paths", .alias = "-p", .section = "paths", .key = "source_paths", .type = FU_OPT_STRINGS,
     .flags = FU_OPTF_PATH, .offset = D(paths), .help = "paths"},
    {.name = "--margin", .section = "demo", .type = FU_OPT_INTS, .def = "0 0 0 0", .min = 0, .max = 100,
     .count_min = 1, .count_max = 4, .flags = FU_OPTF_TRBL, .offset = D(margin), .help = "margin"},
    {.name = "--ids", .section = "demo", .type = FU_OPT_INTS, .min = 0, .max = 7, .offset = D(ids), .help = "ids"},
    {.name = "--score", .section = "demo", .type = FU_OPT_FLOAT, .def = "0.5", .min = 0, .max = 1, .step = 0.05,
     .offset = D(score), .help = "score"},
    {.name = "--count", .section = "demo", .type = FU_OPT_INT, .min = -10, .max = 10, .offset = D(count),
     .help = "count"},
    {.name = "--flag", .section = "other", .type = FU_OPT_BOOL, .flags = FU_OPTF_JOB, .offset = D(flag),
     .help = "flag"},
    {.name = "--mode", .section = "demo", .type = FU_OPT_STRING, .def = "fast", .choices = "fast slow disk",
     .unsupported = "disk", .reject = "disks are slow", .offset = D(mode), .help = "mode"},
    {.name = "--legacy", .section = "demo", .type = FU_OPT_STRING, .flags = FU_OPTF_FRONT, .offset = FU_OPT_NONE,
     .reject = "gone since 2.0", .help = "legacy"},
    {.name = "--model", .section = "demo", .type = FU_OPT_STRING, .def = "a1", .choices_fn = models,
     .offset = D(model), .help = "model"},
    {0}};

static const fu_option_group group = {"demo", "demo", options, sizeof(demo), NULL};
static const fu_option_group *const groups[] = {&group};

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t args_len = nul ? (size_t)(nul - data) : size;
    char *args = malloc(args_len + 1), *argv[MAX_WORDS + 1];
    int argc = 0;
    fu_optset set;
    fu_err err;
    demo d;

    if (!args)
        return 0;
    memcpy(args, data, args_len);
    args[args_len] = '\0';
    argv[argc++] = "facefuse";
    for (char *save = NULL, *w = strtok_r(args, "\n", &save); w && argc < MAX_WORDS; w = strtok_r(NULL, "\n", &save))
        argv[argc++] = w;
    argv[argc] = NULL;

    memset(&set, 0, sizeof set);
    if (fu_optset_init(&set, groups, 1, &err) != FACEFUSE_OK)
        abort();
    facefuse_status rc = fu_optset_parse_args(&set, argc, argv, 1, &err);
    if (rc == FACEFUSE_OK && nul) {
        char path[64];
        int fd = memfd_create("fuzz.ini", MFD_CLOEXEC);
        if (fd < 0)
            abort();
        size_t ini_len = size - args_len - 1;
        if (ini_len && write(fd, nul + 1, ini_len) != (ssize_t)ini_len)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        rc = fu_optset_load_ini(&set, path, &err);
        close(fd);
    }
    if (rc != FACEFUSE_OK) {
        /* the message is one line of printable text */
        for (const char *c = err.msg; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                abort();
    } else {
        memset(&d, 0, sizeof d);
        if (fu_options_apply(&set, &group, &d, &err) == FACEFUSE_OK) {
            if (!isfinite(d.score) || d.score < 0 || d.score > 1 || d.count < -10 || d.count > 10)
                abort();
            for (int i = 0; i < d.margin.n; i++)
                if (d.margin.v[i] < 0 || d.margin.v[i] > 100)
                    abort();
        }
        char *help = NULL;
        size_t help_len = 0;
        FILE *out = open_memstream(&help, &help_len);
        if (out) {
            fu_options_print_help(&set, out);
            fclose(out);
        }
        free(help);
    }
    fu_optset_free(&set);
    free(args);
    return 0;
}
