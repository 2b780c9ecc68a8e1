/*
 * run_options.c — the option groups a run is described by, and the run
 * configuration built from them (see config.h).
 *
 * The run owns its own groups here — paths, frame extraction, output
 * creation, workflow, the processor list — and gathers, in FaceFusion's
 * --help order, the groups the lower modules own: face detector,
 * landmarker, selector, tracker, masker, voice extractor, frame
 * distribution, every processor's, and the context's.
 */
#include "pipeline/config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "processors/processor.h"
#include "processors/voice_extractor.h"

#define P(field) offsetof(fu_paths_settings, field)
#define O(field) offsetof(fu_output_settings, field)

/* ---------------------------------------------------------------- paths */

static const fu_option paths_options[] = {
    {.name = "--temp-path", .section = "paths", .type = FU_OPT_STRING, .flags = FU_OPTF_JOB | FU_OPTF_FRONT,
     .offset = P(temp_path), .help = "directory for temporary files (default: beside the output)"},
    {.name = "--source-paths", .alias = "-s", .section = "paths", .type = FU_OPT_STRINGS, .count_max = 64,
     .flags = FU_OPTF_PATH, .offset = P(source_paths), .help = "source images (faces), and an audio file"},
    {.name = "--target-path", .alias = "-t", .section = "paths", .type = FU_OPT_STRING, .flags = FU_OPTF_PATH,
     .offset = P(target_path), .help = "target image or video"},
    {.name = "--output-path", .alias = "-o", .section = "paths", .type = FU_OPT_STRING, .flags = FU_OPTF_PATH,
     .offset = P(output_path), .help = "output file, or a directory"},
    {0}};

static const fu_option pattern_options[] = {
    {.name = "--source-pattern", .section = "patterns", .type = FU_OPT_STRING, .flags = FU_OPTF_FRONT,
     .offset = FU_OPT_NONE, .help = "batch-run: source glob (or -s)"},
    {.name = "--target-pattern", .section = "patterns", .type = FU_OPT_STRING, .flags = FU_OPTF_FRONT,
     .offset = FU_OPT_NONE, .help = "batch-run: target glob (or -t)"},
    {.name = "--output-pattern", .section = "patterns", .type = FU_OPT_STRING, .flags = FU_OPTF_FRONT,
     .offset = FU_OPT_NONE,
     .help = "batch-run: output with {index} {source_name} {target_name} {target_extension} (or -o)"},
    {0}};

/* ---------------------------------------------------------------- frames and output */

static const fu_option extraction_options[] = {
    {.name = "--trim-frame-start", .section = "frame_extraction", .type = FU_OPT_INT, .min = 0, .max = 1e9,
     .step = 1, .offset = O(trim_frame_start), .help = "first frame of the target processed"},
    {.name = "--trim-frame-end", .section = "frame_extraction", .type = FU_OPT_INT, .min = 0, .max = 1e9,
     .step = 1, .offset = O(trim_frame_end), .help = "frame at which processing stops (exclusive)"},
    {.name = "--temp-frame-format", .section = "frame_extraction", .type = FU_OPT_STRING, .def = "png",
     .choices = "bmp jpeg png tiff", .offset = FU_OPT_NONE,
     .help = "temp frame format of FaceFusion's disk strategy; facefuse keeps frames in memory, as its memory "
             "strategy does, so it writes none"},
    {.name = "--temp-pixel-format", .section = "frame_extraction", .type = FU_OPT_STRING, .def = "bgra",
     .choices = "bgr24 bgra", .offset = O(temp_pixel_format),
     .help = "frame format while processing: bgra keeps a target's alpha (facefuse's default), bgr24 drops it"},
    {0}};

static const fu_option output_options[] = {
    {.name = "--output-image-quality", .section = "output_creation", .type = FU_OPT_INT, .def = "80", .min = 0,
     .max = 100, .step = 1, .offset = O(image_quality), .help = "image quality"},
    {.name = "--output-image-scale", .section = "output_creation", .type = FU_OPT_FLOAT, .def = "1.0", .min = 0.25,
     .max = 8, .step = 0.25, .offset = O(image_scale), .help = "image scale"},
    {.name = "--output-audio-encoder", .section = "output_creation", .type = FU_OPT_STRING,
     .choices = "flac aac libmp3lame libopus libvorbis pcm_s16le pcm_s32le", .offset = O(audio_encoder),
     .help = "audio encoder (default: copy the target's audio when the container takes it)"},
    {.name = "--output-audio-quality", .section = "output_creation", .type = FU_OPT_INT, .def = "80", .min = 0,
     .max = 100, .step = 1, .offset = O(audio_quality), .help = "audio quality"},
    {.name = "--output-audio-volume", .section = "output_creation", .type = FU_OPT_INT, .def = "100", .min = 0,
     .max = 100, .step = 1, .offset = O(audio_volume), .help = "audio volume (0 drops the audio)"},
    {.name = "--output-video-encoder", .section = "output_creation", .type = FU_OPT_STRING,
     .choices = "libx264 libx264rgb libx265 libvpx-vp9 ffv1 prores_ks rawvideo h264_nvenc hevc_nvenc h264_amf "
                "hevc_amf h264_qsv hevc_qsv h264_vaapi hevc_vaapi h264_videotoolbox hevc_videotoolbox",
     .offset = O(video_encoder), .help = "video encoder (default: libx264, or the container's own)"},
    {.name = "--output-video-preset", .section = "output_creation", .type = FU_OPT_STRING, .def = "veryfast",
     .choices = "ultrafast superfast veryfast faster fast medium slow slower veryslow", .offset = O(video_preset),
     .help = "encoder preset"},
    {.name = "--output-video-quality", .section = "output_creation", .type = FU_OPT_INT, .def = "80", .min = 0,
     .max = 100, .step = 1, .offset = O(video_quality), .help = "video quality"},
    {.name = "--output-video-scale", .section = "output_creation", .type = FU_OPT_FLOAT, .def = "1.0", .min = 0.25,
     .max = 8, .step = 0.25, .offset = O(video_scale), .help = "video scale"},
    {.name = "--output-video-fps", .section = "output_creation", .type = FU_OPT_FLOAT, .min = 1, .max = 240,
     .step = 0.01, .offset = O(video_fps), .help = "video frame rate (default: the target's timestamps)"},
    {0}};

static const fu_option workflow_options[] = {
    {.name = "--workflow-mode", .section = "workflow", .type = FU_OPT_STRING, .def = "auto",
     .choices = "auto image-to-image image-to-video", .offset = O(workflow_mode),
     .help = "detect the workflow from the target, or insist on one (a mismatch is an error)"},
    {.name = "--workflow-strategy", .section = "workflow", .type = FU_OPT_STRING, .def = "memory",
     .choices = "memory disk", .offset = FU_OPT_NONE, .unsupported = "disk",
     .reject = "facefuse keeps frames in memory and never extracts them to disk",
     .help = "how frames travel: memory (facefuse decodes, processes and encodes in one process)"},
    {0}};

/* ---------------------------------------------------------------- processors */

static facefuse_status check_processors(void *settings, fu_err *err)
{
    const fu_strs *chain = settings;
    for (int i = 0; i < chain->n; i++)
        for (int k = 0; k < i; k++)
            if (strcmp(chain->v[i], chain->v[k]) == 0)
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--processors names %s twice", chain->v[i]);
    return FACEFUSE_OK;
}

static const fu_option processors_options[] = {
    {.name = "--processors", .section = "processors", .type = FU_OPT_STRINGS, .def = "face_swapper",
     .choices = "age_modifier background_remover deep_swapper expression_restorer face_debugger face_editor "
                "face_enhancer face_swapper frame_colorizer frame_enhancer lip_syncer",
     .count_max = FU_MAX_PROCESSOR_KINDS, .offset = 0, .help = "the processors, run in this order"},
    {0}};

static const fu_option_group paths_group = {"paths", "paths", paths_options, sizeof(fu_paths_settings), NULL};
static const fu_option_group patterns_group = {"patterns", "patterns", pattern_options, 0, NULL};
static const fu_option_group extraction_group = {"frame_extraction", "frame extraction", extraction_options,
                                                 sizeof(fu_output_settings), NULL};
static const fu_option_group output_group = {"output_creation", "output creation", output_options,
                                             sizeof(fu_output_settings), NULL};
static const fu_option_group workflow_group = {"workflow", "workflow", workflow_options, sizeof(fu_output_settings),
                                               NULL};
static const fu_option_group processors_group = {"processors", "processors", processors_options, sizeof(fu_strs),
                                                 check_processors};

/* ---------------------------------------------------------------- the list */

#define MAX_GROUPS 48

static const fu_option_group *groups[MAX_GROUPS];
static int group_count;
static pthread_once_t groups_once = PTHREAD_ONCE_INIT;

static void add(const fu_option_group *g)
{
    if (group_count < MAX_GROUPS)
        groups[group_count++] = g;
}

static void build_groups(void)
{
    int n;
    const fu_processor *const *all = fu_processor_all(&n);
    add(&paths_group);
    add(&fu_model_dir_options);
    add(&patterns_group);
    add(&fu_face_detector_options);
    add(&fu_face_landmarker_options);
    add(&fu_face_selector_options);
    add(&fu_face_tracker_options);
    add(&fu_face_masker_options);
    add(&fu_voice_extractor_options);
    add(&extraction_group);
    add(&fu_frame_distribution_options);
    add(&output_group);
    add(&workflow_group);
    add(&fu_provenance_options);
    add(&fu_watermark_options);
    add(&fu_quality_options);
    add(&fu_resume_options);
    add(&processors_group);
    for (int i = 0; i < n; i++)
        add(all[i]->options);
    add(&fu_pending_processor_options);
    add(&fu_download_options);
    add(&fu_execution_options);
    add(&fu_memory_options);
    add(&fu_log_options);
}

const fu_option_group *const *fu_run_option_groups(int *count)
{
    pthread_once(&groups_once, build_groups);
    *count = group_count;
    return groups;
}

/* ---------------------------------------------------------------- the config */

facefuse_status fu_run_config_init(fu_run_config *cfg, const fu_optset *set, fu_err *err)
{
    int n;
    const fu_processor *const *all = fu_processor_all(&n);
    facefuse_status rc = FACEFUSE_OK;

    memset(cfg, 0, sizeof *cfg);
    const struct {
        const fu_option_group *g;
        void *settings;
    } parts[] = {
        {&paths_group, &cfg->paths},
        {&fu_face_detector_options, &cfg->analysis_settings},
        {&fu_face_landmarker_options, &cfg->analysis_settings},
        {&fu_face_selector_options, &cfg->selector_settings},
        {&fu_face_tracker_options, &cfg->tracker},
        {&fu_frame_distribution_options, &cfg->tracker},
        {&fu_face_masker_options, &cfg->masker},
        {&fu_voice_extractor_options, &cfg->voice},
        {&extraction_group, &cfg->output},
        {&output_group, &cfg->output},
        {&workflow_group, &cfg->output},
        {&processors_group, &cfg->processors},
        {&fu_model_dir_options, &cfg->context},
        {&fu_download_options, &cfg->context},
        {&fu_execution_options, &cfg->context},
        {&fu_memory_options, &cfg->context},
        {&fu_log_options, &cfg->context},
        {&fu_provenance_options, &cfg->provenance},
        {&fu_watermark_options, &cfg->watermark},
        {&fu_quality_options, &cfg->quality},
        {&fu_resume_options, &cfg->resume},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && rc == FACEFUSE_OK; i++)
        rc = fu_options_apply(set, parts[i].g, parts[i].settings, err);
    for (int i = 0; i < n && i < FU_MAX_PROCESSOR_KINDS && rc == FACEFUSE_OK; i++) {
        cfg->processor_settings[i] = calloc(1, all[i]->options->settings_size ? all[i]->options->settings_size : 1);
        if (!cfg->processor_settings[i])
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for processor settings");
        else
            rc = fu_options_apply(set, all[i]->options, cfg->processor_settings[i], err);
    }
    if (rc != FACEFUSE_OK) {
        fu_run_config_free(cfg);
        return rc;
    }
    cfg->set = set;
    cfg->analysis = fu_analysis_params_of(&cfg->analysis_settings);
    cfg->selector = fu_selector_params_of(&cfg->selector_settings, &cfg->selector_gender_auto,
                                          &cfg->selector_race_auto);
    if (fu_selector_needs_classifier(&cfg->selector_settings))
        cfg->analysis.classifier_model = "fairface";
    return FACEFUSE_OK;
}

void fu_run_config_free(fu_run_config *cfg)
{
    for (int i = 0; i < FU_MAX_PROCESSOR_KINDS; i++) {
        free(cfg->processor_settings[i]);
        cfg->processor_settings[i] = NULL;
    }
}

facefuse_status fu_run_config_from_args(fu_optset *set, fu_run_config *cfg, int argc, char **argv, fu_err *err)
{
    int n;
    const fu_option_group *const *all = fu_run_option_groups(&n);
    facefuse_status rc = fu_optset_init(set, all, n, err);
    memset(cfg, 0, sizeof *cfg);
    if (rc == FACEFUSE_OK)
        rc = fu_optset_parse_args(set, argc, argv, 0, err);
    if (rc == FACEFUSE_OK)
        rc = fu_run_config_init(cfg, set, err);
    return rc;
}

const void *fu_run_config_processor_settings(const fu_run_config *cfg, const char *name)
{
    int n;
    const fu_processor *const *all = fu_processor_all(&n);
    for (int i = 0; i < n && i < FU_MAX_PROCESSOR_KINDS; i++)
        if (strcmp(all[i]->name, name) == 0)
            return cfg->processor_settings[i];
    return NULL;
}

/* Options that leave the frames as they are. */
static int changes_frames(const fu_option *o, const fu_option_group *g)
{
    static const char *const same[] = {"--output-path", "--temp-path", "--quality-report", "--quality-threshold",
                                       "--resume", "--resume-checkpoint", "--output-provenance", NULL};
    if (o->flags & (FU_OPTF_FRONT | FU_OPTF_JOB))
        return 0;
    if (g == &fu_log_options || g == &fu_execution_options || g == &fu_memory_options || g == &fu_download_options ||
        g == &fu_model_dir_options)
        return 0;
    for (int i = 0; same[i]; i++)
        if (strcmp(o->name, same[i]) == 0)
            return 0;
    return 1;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return (h ^ 0xff) * 1099511628211ULL; /* a separator, so "ab" "c" differs from "a" "bc" */
}

void fu_run_config_fingerprint(const fu_run_config *cfg, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; cfg->set && i < cfg->set->count; i++) {
        const fu_option *o = fu_optset_option(cfg->set, i);
        const fu_optval *v = &cfg->set->vals[i];
        if (v->origin == FU_ORIGIN_DEFAULT || !changes_frames(o, fu_optset_group_of(cfg->set, i)))
            continue;
        h = fnv1a(h, o->name);
        for (int k = 0; k < v->n; k++)
            h = fnv1a(h, v->words[k]);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int fu_run_config_makes_alpha(const fu_run_config *cfg)
{
    for (int i = 0; i < cfg->processors.n; i++) {
        const fu_processor *p = fu_processor_find(cfg->processors.v[i]);
        if (p && p->makes_alpha && p->makes_alpha(fu_run_config_processor_settings(cfg, p->name)))
            return 1;
    }
    return 0;
}

facefuse_video_params fu_run_video_params(const fu_run_config *cfg)
{
    const fu_output_settings *o = &cfg->output;
    facefuse_video_params v = facefuse_video_default_params();
    v.video_encoder = o->video_encoder;
    v.video_preset = o->video_preset;
    v.video_quality = o->video_quality;
    v.output_scale = o->video_scale;
    v.output_fps = o->video_fps;
    v.audio_encoder = o->audio_encoder;
    v.audio_quality = o->audio_quality;
    v.audio_volume = o->audio_volume;
    v.trim_frame_start = o->trim_frame_start;
    v.trim_frame_end = o->trim_frame_end;
    v.thread_count = cfg->context.thread_count;
    return v;
}
