/*
 * test_options_facefusion_compat.c — every FaceFusion 3.8.1 option is
 * either taken or refused by name with a reason; none is unknown, and none
 * is accepted and ignored; the options of every processor in this build are
 * taken. A facefusion.ini with every key filled in loads
 * key by key (each key is taken, or refused naming its option), and whole
 * once nothing in it is refused. The lip syncer's and the voice
 * extractor's options are taken with FaceFusion's defaults, range, ini
 * section and key.
 *
 * FaceFusion's option list and full ini are data in tests/cli/data/.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "processors/processor.h"
#include "testlib.h"

#define DATA FACEFUSE_SOURCE_DIR "/tests/cli/data/"

static int refused_options;

/* Parses "facefuse <cmd> --name words…" through the command line's option set. */
static facefuse_status parse(char *line, fu_err *err)
{
    char *argv[64];
    int argc = 0;
    fu_optset set;
    for (char *save = NULL, *w = strtok_r(line, " \t", &save); w && argc < 64; w = strtok_r(NULL, " \t", &save))
        argv[argc++] = w;
    facefuse_status rc = fu_cli_options_load(&set, argc, argv, 0, err);
    fu_optset_free(&set);
    return rc;
}

/* The processor in this build that declares option `name`, or NULL. */
static const char *built_processor_of(const char *name)
{
    int n;
    const fu_processor *const *all = fu_processor_all(&n);
    for (int i = 0; i < n; i++)
        for (const fu_option *o = all[i]->options ? all[i]->options->options : NULL; o && o->name; o++)
            if (strcmp(o->name, name) == 0)
                return all[i]->name;
    return NULL;
}

static void test_every_option_is_taken_or_refused_by_name(void)
{
    FILE *f = fopen(DATA "facefusion-3.8.1-options.txt", "r");
    char line[512];
    int total = 0, taken = 0;
    REQUIRE(f, "no option list");
    while (fgets(line, sizeof line, f)) {
        char name[128];
        fu_err err;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        sscanf(line, "%127s", name);
        total++;
        facefuse_status rc = parse(line, &err);
        if (rc == FACEFUSE_OK) {
            taken++;
            continue;
        }
        refused_options++;
        CHECK(!built_processor_of(name), "%s is refused although its processor %s is in this build: %s", name,
              built_processor_of(name), err.msg);
        CHECK(rc == FACEFUSE_ERR_UNSUPPORTED && strstr(err.msg, name) && strstr(err.msg, "not supported: "),
              "%s: status %d, '%s' (must be taken, or refused naming the option and why)", name, rc, err.msg);
    }
    fclose(f);
    printf("    %d of FaceFusion's %d options taken, %d refused by name\n", taken, total, refused_options);
    CHECK(total == 105, "the list has %d options", total);
}

/* Writes an ini holding one section and one key line. */
static const char *one_key_ini(const char *section, const char *line)
{
    const char *path = tl_tmp("one.ini");
    FILE *f = fopen(path, "w");
    fprintf(f, "[%s]\n%s", section, line);
    fclose(f);
    return path;
}

static void test_full_facefusion_ini_loads(void)
{
    FILE *f = fopen(DATA "facefusion-full.ini", "r");
    char line[1024], section[64] = "", args[1200];
    int keys = 0, refused = 0;
    fu_err err;
    REQUIRE(f, "no ini");
    while (fgets(line, sizeof line, f)) {
        if (line[0] == ';' || line[0] == '\n')
            continue;
        if (line[0] == '[') {
            sscanf(line, "[%63[^]]", section);
            continue;
        }
        keys++;
        snprintf(args, sizeof args, "x --config-path %s", one_key_ini(section, line));
        facefuse_status rc = parse(args, &err);
        if (rc == FACEFUSE_OK)
            continue;
        refused++;
        CHECK(rc == FACEFUSE_ERR_UNSUPPORTED && strstr(err.msg, "one.ini:2:") && strstr(err.msg, "--") &&
                  strstr(err.msg, "not supported: "),
              "[%s] %s: status %d, '%s'", section, strtok(line, "\n"), rc, err.msg);
    }
    fclose(f);
    printf("    %d of %d keys taken, %d refused naming their option\n", keys - refused, keys, refused);
    CHECK(keys == 104, "the ini has %d keys", keys);
    CHECK(refused == 0 || refused_options > 0, "keys refused although every option is taken");
    snprintf(args, sizeof args, "x --config-path %s", DATA "facefusion-full.ini");
    facefuse_status rc = parse(args, &err);
    if (refused == 0)
        CHECK(rc == FACEFUSE_OK, "the full ini does not load: %s", err.msg);
    else
        CHECK(rc == FACEFUSE_ERR_UNSUPPORTED, "a refused key did not stop the load: %d %s", rc, err.msg);
}

/* 1 when "facefuse x <words>" loads. */
static int takes(const char *words)
{
    char line[256];
    fu_err err;
    snprintf(line, sizeof line, "x %s", words);
    return parse(line, &err) == FACEFUSE_OK;
}

static void test_lip_syncer_and_voice_extractor_options_are_taken(void)
{
    static const struct {
        const char *name, *section, *key, *def;
    } rows[] = {
        {"--lip-syncer-model", "processors", "lip_syncer_model", "wav2lip_gan_96"},
        {"--lip-syncer-weight", "processors", "lip_syncer_weight", "0.5"},
        {"--voice-extractor-model", "voice_extractor", "voice_extractor_model", "kim_vocal_2"},
    };
    char *argv[] = {"x"};
    fu_optset set;
    fu_err err;
    REQUIRE(fu_cli_options_load(&set, 1, argv, 0, &err) == FACEFUSE_OK, "%s", err.msg);
    for (int i = 0; i < 3; i++) {
        const fu_option *o = NULL;
        int at = fu_optset_find(&set, rows[i].name, &o);
        CHECK(at >= 0 && !o->reject, "%s is not taken", rows[i].name);
        CHECK(at >= 0 && fu_optset_find_key(&set, rows[i].section, rows[i].key, NULL) == at,
              "%s is not ini [%s] %s", rows[i].name, rows[i].section, rows[i].key);
        const char *v = fu_optset_str(&set, rows[i].name);
        CHECK(v && strcmp(v, rows[i].def) == 0, "%s defaults to %s, FaceFusion's to %s", rows[i].name,
              v ? v : "(unset)", rows[i].def);
    }
    fu_optset_free(&set);
    CHECK(takes("--lip-syncer-model edtalk_256") && takes("--lip-syncer-model wav2lip_96") &&
              !takes("--lip-syncer-model wav2lip_384"), "lip syncer models");
    CHECK(takes("--lip-syncer-weight 0") && takes("--lip-syncer-weight 1") && !takes("--lip-syncer-weight 1.05") &&
              !takes("--lip-syncer-weight -0.05"), "lip syncer weight range 0..1");
    CHECK(takes("--voice-extractor-model kim_vocal_1") && takes("--voice-extractor-model uvr_mdxnet") &&
              !takes("--voice-extractor-model none"), "voice extractor models");
}

int main(void)
{
    RUN(test_every_option_is_taken_or_refused_by_name);
    RUN(test_lip_syncer_and_voice_extractor_options_are_taken);
    RUN(test_full_facefusion_ini_loads);
    return tl_finish();
}
