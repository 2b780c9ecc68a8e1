/*
 * options.c — the command line's option groups and its option set (see
 * options.h).
 */
#include "cli/options.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/file.h"
#include "pipeline/benchmark.h"
#include "pipeline/config.h"

static const fu_option config_options[] = {
    {.name = "--config-path", .type = FU_OPT_STRING, .def = "facefuse.ini", .flags = FU_OPTF_FRONT,
     .offset = FU_OPT_NONE, .help = "ini file with option values (facefusion.ini is read when facefuse.ini is absent)"},
    {.name = "--jobs-path", .section = "paths", .type = FU_OPT_STRING, .flags = FU_OPTF_FRONT, .offset = FU_OPT_NONE,
     .reject = "jobs are not in this build of facefuse yet", .help = "job store directory"},
    {0}};

static const fu_option ui_options[] = {
    {.name = "--open-browser", .section = "uis", .type = FU_OPT_BOOL, .flags = FU_OPTF_FRONT, .offset = FU_OPT_NONE,
     .reject = "the web UI is not in this build of facefuse yet", .help = "open the UI in a browser"},
    {.name = "--ui-layouts", .section = "uis", .type = FU_OPT_STRINGS, .flags = FU_OPTF_FRONT, .offset = FU_OPT_NONE,
     .reject = "the web UI is not in this build of facefuse yet", .help = "UI layouts"},
    {.name = "--ui-workflow", .section = "uis", .type = FU_OPT_STRING, .flags = FU_OPTF_FRONT, .offset = FU_OPT_NONE,
     .reject = "the web UI is not in this build of facefuse yet", .help = "UI workflow"},
    {0}};

static const fu_option misc_options[] = {
    {.name = "--halt-on-error", .section = "misc", .type = FU_OPT_BOOL, .flags = FU_OPTF_FRONT, .offset = FU_OPT_NONE,
     .reject = "jobs are not in this build of facefuse yet", .help = "stop *-all job commands at the first error"},
    {.name = "--progress", .type = FU_OPT_STRING, .def = "bar", .choices = "bar json none", .flags = FU_OPTF_FRONT,
     .offset = FU_OPT_NONE, .help = "progress display: a bar on a terminal, one JSON object a second, or none"},
    {.name = "--json", .type = FU_OPT_BOOL, .flags = FU_OPTF_FRONT, .offset = FU_OPT_NONE,
     .help = "detect and benchmark: print JSON"},
    {0}};

static const fu_option_group config_group = {"cli_paths", "paths", config_options, 0, NULL};
static const fu_option_group ui_group = {"uis", "uis", ui_options, 0, NULL};
static const fu_option_group misc_group = {"cli_misc", "misc", misc_options, 0, NULL};

#define MAX_GROUPS 64

static const fu_option_group *groups[MAX_GROUPS];
static int group_count;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char config_used[4096];

static void build(void)
{
    int n;
    const fu_option_group *const *run = fu_run_option_groups(&n);
    groups[group_count++] = &config_group;
    for (int i = 0; i < n && group_count < MAX_GROUPS - 3; i++)
        groups[group_count++] = run[i];
    groups[group_count++] = &ui_group;
    groups[group_count++] = &fu_benchmark_options;
    groups[group_count++] = &misc_group;
}

facefuse_status fu_cli_options_load(fu_optset *set, int argc, char **argv, int first, fu_err *err)
{
    facefuse_status rc;
    pthread_once(&once, build);
    config_used[0] = '\0';
    if ((rc = fu_optset_init(set, groups, group_count, err)) != FACEFUSE_OK)
        return rc;
    if ((rc = fu_optset_parse_args(set, argc, argv, first, err)) != FACEFUSE_OK)
        return rc;
    const char *ini = fu_optset_str(set, "--config-path");
    if (!fu_optset_is_set(set, "--config-path") && !fu_file_exists(ini))
        ini = fu_file_exists("facefusion.ini") ? "facefusion.ini" : NULL;
    if (!ini)
        return FACEFUSE_OK;
    snprintf(config_used, sizeof config_used, "%s", ini);
    return fu_optset_load_ini(set, ini, err);
}

const char *fu_cli_config_path(void)
{
    return config_used[0] ? config_used : NULL;
}
