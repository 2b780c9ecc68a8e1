/*
 * test_option_tables.c — the option machinery on a table of its own:
 * - list values are lists of whole words (a path with a space stays one);
 * - 1 to 4 margin values expand as FaceFusion's (a → aaaa, ab → abab, abc → abcb);
 * - numbers must be finite decimals in range: nan, inf, 1e999, 0x10, "abc"
 *   and an empty list are refused naming the option, never replaced by a
 *   default;
 * - refused options and refused values say why;
 * - the ini reader reads as ConfigParser: "=" or ":", keys without case,
 *   comments, continuation lines, a BOM, quotes grouping list words, empty
 *   values meaning the default, the command line winning; errors give
 *   file:line, escape binary bytes, and long lines are read whole (a long
 *   comment cannot smuggle a setting in);
 * - choices a module builds (choices_fn) are what fu_option_choices and
 *   --help give, and the group's check, not the list, decides what is taken
 *   (values found at run time, like a user's own models, pass).
 */
#include <stdlib.h>
#include <string.h>

#include "core/option.h"
#include "testlib.h"

typedef struct demo {
    const char *name;
    fu_strs paths;
    fu_ints margin;
    float score;
    int count;
    int flag;
    const char *mode;
    const char *model;
} demo;

#define D(f) offsetof(demo, f)

/* A module's list too long to write out, built at first use. */
static const char *demo_models(void)
{
    static char list[32];
    if (!list[0])
        snprintf(list, sizeof list, "%s %s", "a1", "b2");
    return list;
}

/* --model: a listed model or local/<name> (found at run time). */
static facefuse_status check_demo(void *settings, fu_err *err)
{
    const demo *d = settings;
    if (fu_word_index(demo_models(), d->model) >= 0 || (strncmp(d->model, "local/", 6) == 0 && d->model[6]))
        return FACEFUSE_OK;
    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for --model", d->model);
}

static const fu_option demo_options[] = {
    {.name = "--name", .section = "demo", .type = FU_OPT_STRING, .def = "anon", .offset = D(name), .help = "a name"},
    {.name = "--paths", .alias = "-p", .section = "demo", .type = FU_OPT_STRINGS, .offset = D(paths), .help = "paths"},
    {.name = "--margin", .section = "demo", .type = FU_OPT_INTS, .def = "0 0 0 0", .min = 0, .max = 100,
     .flags = FU_OPTF_TRBL, .offset = D(margin), .help = "margin"},
    {.name = "--score", .section = "demo", .type = FU_OPT_FLOAT, .def = "0.5", .min = 0, .max = 1, .step = 0.05,
     .offset = D(score), .help = "score"},
    {.name = "--count", .section = "demo", .type = FU_OPT_INT, .min = -10, .max = 10, .offset = D(count),
     .help = "count"},
    {.name = "--flag", .section = "other", .type = FU_OPT_BOOL, .offset = D(flag), .help = "flag"},
    {.name = "--mode", .section = "demo", .type = FU_OPT_STRING, .def = "fast", .choices = "fast slow disk",
     .unsupported = "disk", .reject = "disks are slow", .offset = D(mode), .help = "mode"},
    {.name = "--legacy", .section = "demo", .type = FU_OPT_STRING, .offset = FU_OPT_NONE, .reject = "gone since 2.0",
     .help = "legacy"},
    {.name = "--model", .section = "demo", .type = FU_OPT_STRING, .def = "a1", .choices_fn = demo_models,
     .offset = D(model), .help = "model"},
    {0}};

static const fu_option_group demo_group = {"demo", "demo", demo_options, sizeof(demo), check_demo};
static const fu_option_group *const groups[] = {&demo_group};

static facefuse_status parse(fu_optset *set, demo *d, char **argv, int argc, fu_err *err)
{
    facefuse_status rc = fu_optset_init(set, groups, 1, err);
    if (rc == FACEFUSE_OK)
        rc = fu_optset_parse_args(set, argc, argv, 0, err);
    if (rc == FACEFUSE_OK)
        rc = fu_options_apply(set, &demo_group, d, err);
    return rc;
}

static void test_lists_are_whole_words(void)
{
    char *argv[] = {"-p", "/my photos/me.jpg", "b.jpg", "--count", "-3", "--name", "x y", "rest"};
    fu_optset set;
    demo d;
    fu_err err;
    REQUIRE(parse(&set, &d, argv, 8, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(d.paths.n == 2 && strcmp(d.paths.v[0], "/my photos/me.jpg") == 0, "paths %d '%s'", d.paths.n,
          d.paths.n ? d.paths.v[0] : "");
    CHECK(d.count == -3, "a negative number is a value: %d", d.count);
    CHECK(strcmp(d.name, "x y") == 0, "name '%s'", d.name);
    CHECK(set.positional_count == 1 && strcmp(set.positional[0], "rest") == 0, "positional");
    CHECK(d.score == 0.5f && strcmp(d.mode, "fast") == 0 && d.flag == 0, "defaults");
    fu_optset_free(&set);
}

static void test_margins_expand_as_facefusion(void)
{
    const char *cases[][2] = {{"7", "7 7 7 7"}, {"1 2", "1 2 1 2"}, {"1 2 3", "1 2 3 2"}, {"1 2 3 4", "1 2 3 4"}};
    for (int i = 0; i < 4; i++) {
        char buf[64], *argv[8] = {"--margin"};
        int argc = 1;
        snprintf(buf, sizeof buf, "%s", cases[i][0]);
        for (char *s = NULL, *w = strtok_r(buf, " ", &s); w; w = strtok_r(NULL, " ", &s))
            argv[argc++] = w;
        fu_optset set;
        demo d;
        fu_err err;
        REQUIRE(parse(&set, &d, argv, argc, &err) == FACEFUSE_OK, "%s", err.msg);
        char got[64];
        snprintf(got, sizeof got, "%d %d %d %d", d.margin.v[0], d.margin.v[1], d.margin.v[2], d.margin.v[3]);
        CHECK(d.margin.n == 4 && strcmp(got, cases[i][1]) == 0, "%s -> %s", cases[i][0], got);
        fu_optset_free(&set);
    }
}

static void expect_refused(char **argv, int argc, facefuse_status code, const char *needle)
{
    fu_optset set;
    demo d;
    fu_err err;
    facefuse_status rc = parse(&set, &d, argv, argc, &err);
    CHECK(rc == code && strstr(err.msg, argv[0]) && strstr(err.msg, needle), "%s %s: status %d '%s'", argv[0],
          argc > 1 ? argv[1] : "", rc, err.msg);
    fu_optset_free(&set);
}

static void test_bad_values_are_refused_by_name(void)
{
    const char *bad[] = {"nan", "inf", "-inf", "1e999", "0x10", "abc", "", "0.5.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {"--score", (char *)bad[i]};
        expect_refused(argv, 2, FACEFUSE_ERR_INVALID_ARGUMENT, "");
    }
    char *out_of_range[] = {"--score", "1.5"}, *fraction[] = {"--count", "2.5"}, *no_value[] = {"--paths"},
         *choice[] = {"--mode", "medium"}, *too_many[] = {"--margin", "1", "2", "3", "4", "5"},
         *unknown[] = {"--nosuch", "1"};
    expect_refused(out_of_range, 2, FACEFUSE_ERR_INVALID_ARGUMENT, "out of range");
    expect_refused(fraction, 2, FACEFUSE_ERR_INVALID_ARGUMENT, "whole number");
    expect_refused(no_value, 1, FACEFUSE_ERR_INVALID_ARGUMENT, "needs a value");
    expect_refused(choice, 2, FACEFUSE_ERR_INVALID_ARGUMENT, "choices");
    expect_refused(too_many, 6, FACEFUSE_ERR_INVALID_ARGUMENT, "1 to 4");
    expect_refused(unknown, 2, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown");
}

static void test_refusals_say_why(void)
{
    char *value[] = {"--mode", "disk"}, *whole[] = {"--legacy", "x"}, *ok[] = {"--mode", "slow"};
    expect_refused(value, 2, FACEFUSE_ERR_UNSUPPORTED, "disks are slow");
    expect_refused(whole, 2, FACEFUSE_ERR_UNSUPPORTED, "gone since 2.0");
    fu_optset set;
    demo d;
    fu_err err;
    CHECK(parse(&set, &d, ok, 2, &err) == FACEFUSE_OK && strcmp(d.mode, "slow") == 0, "a supported value refused");
    fu_optset_free(&set);
}

static const char *write_file(const char *name, const char *text, size_t len)
{
    const char *path = tl_tmp(name);
    FILE *f = fopen(path, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

static void test_ini_reads_as_configparser(void)
{
    static const char text[] = "\xef\xbb\xbf# comment\n"
                               "[demo]\n"
                               "NAME: from ini\n"
                               "; another comment\n"
                               "paths = \"/my photos/a.jpg\" 'b c.jpg'\n"
                               "    d.jpg\n"
                               "score =\n"
                               "count = 4\n"
                               "[other]\n"
                               "flag = yes\n";
    const char *path = write_file("demo.ini", text, sizeof text - 1);
    char *argv[] = {"--count", "9"};
    fu_optset set;
    demo d;
    fu_err err;
    REQUIRE(fu_optset_init(&set, groups, 1, &err) == FACEFUSE_OK, "init");
    REQUIRE(fu_optset_parse_args(&set, 2, argv, 0, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_optset_load_ini(&set, path, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(fu_options_apply(&set, &demo_group, &d, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(strcmp(d.name, "from ini") == 0, "name '%s'", d.name);
    CHECK(d.paths.n == 3 && strcmp(d.paths.v[0], "/my photos/a.jpg") == 0 && strcmp(d.paths.v[1], "b c.jpg") == 0 &&
              strcmp(d.paths.v[2], "d.jpg") == 0,
          "paths %d", d.paths.n);
    CHECK(d.score == 0.5f, "an empty value is the default: %g", d.score);
    CHECK(d.count == 9, "the command line wins: %d", d.count);
    CHECK(d.flag == 1, "flag in [other]");
    fu_optset_free(&set);
}

static facefuse_status load(const char *name, const char *text, size_t len, fu_err *err)
{
    fu_optset set;
    fu_optset_init(&set, groups, 1, err);
    facefuse_status rc = fu_optset_load_ini(&set, write_file(name, text, len), err);
    fu_optset_free(&set);
    return rc;
}

static void test_ini_errors_name_file_and_line(void)
{
    fu_err err;
    static const char wrong_section[] = "[demo]\nname = a\nflag = true\n";
    CHECK(load("w.ini", wrong_section, sizeof wrong_section - 1, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "w.ini:3:") && strstr(err.msg, "[other]"),
          "%s", err.msg);
    static const char binary[] = "[demo]\nna\x01\xffme = a\n";
    CHECK(load("b.ini", binary, sizeof binary - 1, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "b.ini:2:") && strstr(err.msg, "\\x01\\xff") && !strchr(err.msg, '\x01'),
          "%s", err.msg);
    static const char nul[] = "[demo]\nname = a\0b\n";
    CHECK(load("n.ini", nul, sizeof nul - 1, &err) == FACEFUSE_ERR_INVALID_ARGUMENT && strstr(err.msg, "n.ini:2:"),
          "%s", err.msg);
    static const char bad_value[] = "[demo]\n\nscore = nan\n";
    CHECK(load("v.ini", bad_value, sizeof bad_value - 1, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "v.ini:3:") && strstr(err.msg, "--score"),
          "%s", err.msg);
    static const char no_section[] = "name = a\n";
    CHECK(load("s.ini", no_section, sizeof no_section - 1, &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "s.ini:1:"),
          "%s", err.msg);
    CHECK(fu_optset_load_ini(&(fu_optset){0}, tl_tmpdir(), &err) == FACEFUSE_ERR_INVALID_ARGUMENT &&
              strstr(err.msg, "not a regular file"),
          "a directory: %s", err.msg);

    /* a 100 000-character comment ending in "\nflag=1" must stay a comment */
    size_t n = 100000;
    char *big = malloc(n + 64);
    memcpy(big, "[other]\n#", 9);
    memset(big + 9, 'x', n);
    memcpy(big + 9 + n, "flag = 1\n", 9);
    fu_optset set;
    demo d;
    fu_optset_init(&set, groups, 1, &err);
    CHECK(fu_optset_load_ini(&set, write_file("long.ini", big, 9 + n + 9), &err) == FACEFUSE_OK, "%s", err.msg);
    fu_options_apply(&set, &demo_group, &d, &err);
    CHECK(d.flag == 0, "a long comment set a value");
    fu_optset_free(&set);
    free(big);
}

static void test_help_lists_every_option(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fu_optset set;
    fu_err err;
    fu_optset_init(&set, groups, 1, &err);
    fu_options_print_help(&set, out);
    fclose(out);
    for (const fu_option *o = demo_options; o->name; o++)
        CHECK(strstr(text, o->name) != NULL, "%s missing from help", o->name);
    CHECK(strstr(text, "not supported: gone since 2.0") && strstr(text, "{fast slow disk}") && strstr(text, "[0..1]"),
          "help: %s", text);
    fu_optset_free(&set);
    free(text);
}

static void test_built_choices_are_listed_and_the_check_decides(void)
{
    const fu_option *model = NULL, *mode = NULL, *name = NULL;
    fu_optset set;
    demo d;
    fu_err err;
    fu_optset_init(&set, groups, 1, &err);
    fu_optset_find(&set, "--model", &model);
    fu_optset_find(&set, "--mode", &mode);
    fu_optset_find(&set, "--name", &name);
    REQUIRE(model && mode && name, "options not found");
    CHECK(fu_option_choices(model) && strcmp(fu_option_choices(model), "a1 b2") == 0, "built: %s",
          fu_option_choices(model) ? fu_option_choices(model) : "(null)");
    CHECK(strcmp(fu_option_choices(mode), "fast slow disk") == 0, "written out: %s", fu_option_choices(mode));
    CHECK(fu_option_choices(name) == NULL, "an option without choices has some");
    fu_optset_free(&set);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fu_optset_init(&set, groups, 1, &err);
    fu_options_print_help(&set, out);
    fclose(out);
    CHECK(strstr(text, "model {a1 b2} (default: a1)"), "help: %s", text);
    fu_optset_free(&set);
    free(text);

    char *listed[] = {"--model", "b2"}, *found[] = {"--model", "local/mine"}, *unknown[] = {"--model", "c3"};
    CHECK(parse(&set, &d, listed, 2, &err) == FACEFUSE_OK && strcmp(d.model, "b2") == 0, "listed: %s", err.msg);
    fu_optset_free(&set);
    CHECK(parse(&set, &d, found, 2, &err) == FACEFUSE_OK && strcmp(d.model, "local/mine") == 0,
          "a value the list does not hold is the check's to take: %s", err.msg);
    fu_optset_free(&set);
    expect_refused(unknown, 2, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value 'c3'");
}

int main(void)
{
    RUN(test_lists_are_whole_words);
    RUN(test_margins_expand_as_facefusion);
    RUN(test_bad_values_are_refused_by_name);
    RUN(test_refusals_say_why);
    RUN(test_ini_reads_as_configparser);
    RUN(test_ini_errors_name_file_and_line);
    RUN(test_help_lists_every_option);
    RUN(test_built_choices_are_listed_and_the_check_decides);
    return tl_finish();
}
