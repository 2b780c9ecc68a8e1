/*
 * context_options.c — option tables of the context: model cache, execution
 * providers and threads, download sources and scope, memory strategy, log
 * level (see context_options.h).
 *
 * --video-memory-strategy decides what a long-lived process (the web UI's
 * server, job-run-all) keeps loaded between runs: strict unloads every
 * model session after a run, moderate the processors' own, tolerant keeps
 * everything. A one-shot headless-run ends with the process either way.
 */
#include "infer/context_options.h"

#include <stdio.h>
#include <string.h>

#define C(field) offsetof(fu_context_settings, field)

static const fu_option model_dir_options[] = {
    {.name = "--model-dir", .section = "paths", .type = FU_OPT_STRING, .flags = FU_OPTF_JOB | FU_OPTF_FRONT,
     .offset = C(model_dir), .help = "model cache (default $FACEFUSE_MODEL_DIR, else ~/.cache/facefuse/models)"},
    {0}};

static const fu_option execution_options[] = {
    {.name = "--execution-device-ids", .section = "execution", .type = FU_OPT_INTS, .def = "0", .min = 0, .max = 64,
     .step = 1, .count_max = 8, .flags = FU_OPTF_JOB, .offset = C(device_ids),
     .help = "GPU ids; with several, each model gets a session per device and calls alternate between them"},
    {.name = "--execution-providers", .section = "execution", .type = FU_OPT_STRINGS, .def = "cpu",
     .choices = "cpu cuda tensorrt rocm migraphx openvino coreml directml qnn", .count_max = 8,
     .flags = FU_OPTF_JOB, .offset = C(providers), .help = "execution providers, in order of preference"},
    {.name = "--execution-thread-count", .section = "execution", .type = FU_OPT_INT, .def = "0", .min = 0,
     .max = 128, .step = 1, .flags = FU_OPTF_JOB, .offset = C(thread_count),
     .help = "frames processed at once (0 = number of cores)"},
    {0}};

static facefuse_status join_download_providers(void *settings, fu_err *err)
{
    fu_context_settings *s = settings;
    size_t o = 0;
    s->download_providers_joined[0] = '\0';
    for (int i = 0; i < s->download_providers.n; i++) {
        int n = snprintf(s->download_providers_joined + o, sizeof s->download_providers_joined - o, "%s%s",
                         i ? " " : "", s->download_providers.v[i]);
        if (n < 0 || (size_t)n >= sizeof s->download_providers_joined - o)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--download-providers: too many values");
        o += (size_t)n;
    }
    return FACEFUSE_OK;
}

static const fu_option download_options[] = {
    {.name = "--download-providers", .section = "download", .type = FU_OPT_STRINGS, .def = "github huggingface",
     .choices = "github huggingface", .count_max = 2, .flags = FU_OPTF_JOB, .offset = C(download_providers),
     .help = "where models are downloaded from, in order"},
    {.name = "--download-scope", .section = "download", .type = FU_OPT_STRING, .def = "lite", .choices = "lite full",
     .flags = FU_OPTF_JOB, .offset = C(download_scope),
     .help = "which models force-download fetches (full adds every deep_swapper model)"},
    {0}};

static const fu_option memory_options[] = {
    {.name = "--video-memory-strategy", .section = "memory", .type = FU_OPT_STRING, .def = "strict",
     .choices = "strict moderate tolerant", .flags = FU_OPTF_JOB, .offset = C(memory_strategy),
     .help = "what stays loaded between runs of one process: strict nothing, moderate the face analysers, "
             "tolerant everything"},
    {0}};

static const fu_option log_options[] = {
    {.name = "--log-level", .section = "misc", .type = FU_OPT_STRING, .def = "info",
     .choices = "error warn info debug", .flags = FU_OPTF_JOB, .offset = C(log_level), .help = "log level"},
    {0}};

const fu_option_group fu_model_dir_options = {"model_dir", "paths", model_dir_options, sizeof(fu_context_settings),
                                              NULL};
const fu_option_group fu_execution_options = {"execution", "execution", execution_options,
                                              sizeof(fu_context_settings), NULL};
const fu_option_group fu_download_options = {"download", "download", download_options, sizeof(fu_context_settings),
                                             join_download_providers};
const fu_option_group fu_memory_options = {"memory", "memory", memory_options, sizeof(fu_context_settings), NULL};
const fu_option_group fu_log_options = {"log", "misc", log_options, sizeof(fu_context_settings), NULL};

facefuse_log_level fu_log_level_of(const char *name)
{
    if (name && strcmp(name, "error") == 0)
        return FACEFUSE_LOG_ERROR;
    if (name && strcmp(name, "warn") == 0)
        return FACEFUSE_LOG_WARN;
    if (name && strcmp(name, "debug") == 0)
        return FACEFUSE_LOG_DEBUG;
    return FACEFUSE_LOG_INFO;
}

facefuse_context_params fu_context_params_of(const fu_context_settings *s, int intra_op_threads)
{
    facefuse_context_params p = facefuse_context_default_params();
    int n = 0;
    p.model_dir = s->model_dir;
    p.log_level = fu_log_level_of(s->log_level);
    p.download_providers = s->download_providers_joined;
    p.execution_thread_count = intra_op_threads;
    p.execution_device_id = s->device_ids.n ? s->device_ids.v[0] : 0;
    p.execution_device_count = s->device_ids.n < FACEFUSE_MAX_PROVIDERS ? s->device_ids.n : FACEFUSE_MAX_PROVIDERS;
    for (int i = 0; i < p.execution_device_count; i++)
        p.execution_device_ids[i] = s->device_ids.v[i];
    for (; n < s->providers.n && n < FACEFUSE_MAX_PROVIDERS; n++)
        p.execution_providers[n] = s->providers.v[n];
    if (n == 0)
        p.execution_providers[n++] = "cpu";
    p.execution_providers[n] = NULL;
    return p;
}
