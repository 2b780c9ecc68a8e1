/*
 * options.c — the option table, the command-line and ini parsers, and the
 * conversion to a typed fu_run_config (see options.h).
 */
#include "cli/options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "processors/processor.h"

#define SWAPPER_MODELS                                                                             \
    "blendswap_256 ghost_1_256 ghost_2_256 ghost_3_256 hififace_unofficial_256 hyperswap_1a_256 "  \
    "hyperswap_1b_256 hyperswap_1c_256 inswapper_128 inswapper_128_fp16 simswap_256 "              \
    "simswap_unofficial_512 uniface_256"
#define FRAME_ENHANCERS                                                                            \
    "clear_reality_x4 face_dat_x4 nomos8k_sc_x4 real_esrgan_x2 real_esrgan_x2_fp16 "               \
    "real_esrgan_x4 real_esrgan_x4_fp16 real_esrgan_x8 real_esrgan_x8_fp16 real_hatgan_x4 "        \
    "real_web_photo_x4 realistic_rescaler_x4 remacri_x4 siax_x4 span_kendata_x4 swin2_sr_x4 "      \
    "tghq_face_x8 ultra_sharp_x4 ultra_sharp_2_x4"

/* name, alias, ini section, kind, default, choices, min, max, implemented, help */
static const fu_option options[] = {
    /* paths */
    {"--config-path", NULL, NULL, FU_OPT_STRING, "facefuse.ini", NULL, 0, 0, 1, "ini file with option values"},
    {"--temp-path", NULL, "paths", FU_OPT_STRING, NULL, NULL, 0, 0, 1, "directory for temporary files"},
    {"--jobs-path", NULL, "paths", FU_OPT_STRING, ".jobs", NULL, 0, 0, 0, "job files directory"},
    {"--source-paths", "-s", "patterns", FU_OPT_LIST, NULL, NULL, 0, 0, 1, "source images (and an audio file)"},
    {"--target-path", "-t", "patterns", FU_OPT_STRING, NULL, NULL, 0, 0, 1, "target image or video"},
    {"--output-path", "-o", "patterns", FU_OPT_STRING, NULL, NULL, 0, 0, 1, "output file"},
    {"--source-pattern", NULL, "patterns", FU_OPT_STRING, NULL, NULL, 0, 0, 1, "batch-run: source glob"},
    {"--target-pattern", NULL, "patterns", FU_OPT_STRING, NULL, NULL, 0, 0, 1, "batch-run: target glob"},
    {"--output-pattern", NULL, "patterns", FU_OPT_STRING, NULL, NULL, 0, 0, 1,
     "batch-run: output with {index} {source_name} {target_name} {target_extension}"},
    {"--model-dir", NULL, "paths", FU_OPT_STRING, NULL, NULL, 0, 0, 1,
     "model cache (default $FACEFUSE_MODEL_DIR, else $XDG_CACHE_HOME/facefuse/models)"},
    /* face detector */
    {"--face-detector-model", NULL, "face_detector", FU_OPT_STRING, "yolo_face",
     "many retinaface scrfd yolo_face yunet", 0, 0, 1, "face detector"},
    {"--face-detector-size", NULL, "face_detector", FU_OPT_STRING, "640x640",
     "160x160 320x320 480x480 512x512 640x640", 0, 0, 1, "detector input size"},
    {"--face-detector-margin", NULL, "face_detector", FU_OPT_LIST, "0 0 0 0", NULL, 0, 100, 1,
     "frame padding top right bottom left, percent"},
    {"--face-detector-angles", NULL, "face_detector", FU_OPT_LIST, "0", "0 90 180 270", 0, 0, 1,
     "angles to detect at"},
    {"--face-detector-score", NULL, "face_detector", FU_OPT_FLOAT, "0.5", NULL, 0, 1, 1, "minimum detector score"},
    /* face landmarker */
    {"--face-landmarker-model", NULL, "face_landmarker", FU_OPT_STRING, "2dfan4", "many 2dfan4 peppa_wutz", 0, 0, 1,
     "68-point landmarker"},
    {"--face-landmarker-score", NULL, "face_landmarker", FU_OPT_FLOAT, "0.5", NULL, 0, 1, 1,
     "minimum landmarker score (0 skips it)"},
    /* face selector */
    {"--face-selector-mode", NULL, "face_selector", FU_OPT_STRING, "reference", "many one reference", 0, 0, 1,
     "which target faces to process"},
    {"--face-selector-order", NULL, "face_selector", FU_OPT_STRING, "large-small",
     "left-right right-left top-bottom bottom-top small-large large-small best-worst worst-best", 0, 0, 1,
     "face order"},
    {"--face-selector-age-start", NULL, "face_selector", FU_OPT_INT, NULL, NULL, 0, 100, 1, "minimum age"},
    {"--face-selector-age-end", NULL, "face_selector", FU_OPT_INT, NULL, NULL, 0, 100, 1, "maximum age"},
    {"--face-selector-gender", NULL, "face_selector", FU_OPT_STRING, NULL, "female male", 0, 0, 1, "gender filter"},
    {"--face-selector-race", NULL, "face_selector", FU_OPT_STRING, NULL, "white black latino asian indian arabic",
     0, 0, 1, "race filter"},
    {"--reference-face-position", NULL, "face_selector", FU_OPT_INT, "0", NULL, 0, 1000, 1,
     "index of the reference face"},
    {"--reference-face-distance", NULL, "face_selector", FU_OPT_FLOAT, "0.3", NULL, 0, 1, 1,
     "maximum distance to the reference face"},
    {"--reference-frame-number", NULL, "face_selector", FU_OPT_INT, "0", NULL, 0, 1e9, 1,
     "video frame holding the reference face"},
    /* face tracker */
    {"--face-tracker-score", NULL, "face_tracker", FU_OPT_FLOAT, "0.0", NULL, 0, 0.5, 0, "tracker IoU"},
    /* face masker */
    {"--face-occluder-model", NULL, "face_masker", FU_OPT_STRING, "xseg_1", "many xseg_1 xseg_2 xseg_3", 0, 0, 1,
     "occluder model"},
    {"--face-parser-model", NULL, "face_masker", FU_OPT_STRING, "bisenet_resnet_34",
     "bisenet_resnet_18 bisenet_resnet_34", 0, 0, 1, "parser model"},
    {"--face-mask-types", NULL, "face_masker", FU_OPT_LIST, "box", "box occlusion area region", 0, 0, 1,
     "masks, combined by minimum"},
    {"--face-mask-areas", NULL, "face_masker", FU_OPT_LIST, "upper-face lower-face mouth", "upper-face lower-face mouth",
     0, 0, 1, "68-landmark areas of the area mask"},
    {"--face-mask-regions", NULL, "face_masker", FU_OPT_LIST,
     "skin left-eyebrow right-eyebrow left-eye right-eye glasses nose mouth upper-lip lower-lip",
     "skin left-eyebrow right-eyebrow left-eye right-eye glasses nose mouth upper-lip lower-lip", 0, 0, 1,
     "face parser regions of the region mask"},
    {"--face-mask-blur", NULL, "face_masker", FU_OPT_FLOAT, "0.3", NULL, 0, 1, 1, "box mask blur"},
    {"--face-mask-padding", NULL, "face_masker", FU_OPT_LIST, "0 0 0 0", NULL, 0, 100, 1,
     "box mask padding top right bottom left, percent"},
    {"--face-color-match", NULL, "face_masker", FU_OPT_STRING, "none", "none reinhard histogram", 0, 0, 1,
     "match the swapped face's Lab colour statistics to the target's (facefuse only)"},
    {"--face-blend-mode", NULL, "face_masker", FU_OPT_STRING, "linear", "linear poisson", 0, 0, 1,
     "paste the swapped face linearly or by Poisson (seamless) cloning (facefuse only)"},
    /* voice extractor */
    {"--voice-extractor-model", NULL, "voice_extractor", FU_OPT_STRING, "kim_vocal_2", NULL, 0, 0, 0, "voice model"},
    /* frame extraction */
    {"--trim-frame-start", NULL, "frame_extraction", FU_OPT_INT, NULL, NULL, 0, 1e9, 1, "first frame"},
    {"--trim-frame-end", NULL, "frame_extraction", FU_OPT_INT, NULL, NULL, 0, 1e9, 1, "end frame (exclusive)"},
    {"--temp-frame-format", NULL, "frame_extraction", FU_OPT_STRING, "png", "bmp jpeg png tiff", 0, 0, 0, ""},
    {"--temp-pixel-format", NULL, "frame_extraction", FU_OPT_STRING, "bgr24", "bgr24 bgra", 0, 0, 0, ""},
    {"--target-frame-amount", NULL, "frame_distribution", FU_OPT_INT, "2", NULL, 0, 10, 0, ""},
    /* output creation */
    {"--output-image-quality", NULL, "output_creation", FU_OPT_INT, "80", NULL, 0, 100, 1, "image quality"},
    {"--output-image-scale", NULL, "output_creation", FU_OPT_FLOAT, "1.0", NULL, 0.25, 8, 1, "image scale"},
    {"--output-audio-encoder", NULL, "output_creation", FU_OPT_STRING, NULL,
     "flac aac libmp3lame libopus libvorbis pcm_s16le pcm_s32le", 0, 0, 1, "audio encoder"},
    {"--output-audio-quality", NULL, "output_creation", FU_OPT_INT, "80", NULL, 0, 100, 1, "audio quality"},
    {"--output-audio-volume", NULL, "output_creation", FU_OPT_INT, "100", NULL, 0, 100, 1, "audio volume"},
    {"--output-video-encoder", NULL, "output_creation", FU_OPT_STRING, NULL,
     "libx264 libx264rgb libx265 libvpx-vp9 ffv1 prores_ks rawvideo h264_nvenc hevc_nvenc h264_amf hevc_amf "
     "h264_qsv hevc_qsv h264_vaapi hevc_vaapi h264_videotoolbox hevc_videotoolbox", 0, 0, 1, "video encoder"},
    {"--output-video-preset", NULL, "output_creation", FU_OPT_STRING, "veryfast",
     "ultrafast superfast veryfast faster fast medium slow slower veryslow", 0, 0, 1, "encoder preset"},
    {"--output-video-quality", NULL, "output_creation", FU_OPT_INT, "80", NULL, 0, 100, 1, "video quality"},
    {"--output-video-scale", NULL, "output_creation", FU_OPT_FLOAT, "1.0", NULL, 0.25, 8, 1, "video scale"},
    {"--output-video-fps", NULL, "output_creation", FU_OPT_FLOAT, NULL, NULL, 1, 240, 1, "video fps"},
    {"--workflow-mode", NULL, "workflow", FU_OPT_STRING, "auto", "auto image-to-image image-to-video", 0, 0, 1, ""},
    {"--workflow-strategy", NULL, "workflow", FU_OPT_STRING, "memory", "memory disk", 0, 0, 1,
     "memory (always in-process in facefuse)"},
    /* processors */
    {"--processors", NULL, "processors", FU_OPT_LIST, "face_swapper", NULL, 0, 0, 1, "processor chain"},
    {"--face-debugger-items", NULL, "processors", FU_OPT_LIST, "face-landmark-5/68 face-mask",
     "bounding-box face-landmark-5 face-landmark-5/68 face-landmark-68 face-landmark-68/5 face-mask", 0, 0, 1,
     "what face_debugger draws"},
    {"--face-swapper-model", NULL, "processors", FU_OPT_STRING, "hyperswap_1a_256", SWAPPER_MODELS, 0, 0, 1,
     "face swapper model"},
    {"--face-swapper-pixel-boost", NULL, "processors", FU_OPT_STRING, NULL, NULL, 0, 0, 1, "swap resolution"},
    {"--face-swapper-weight", NULL, "processors", FU_OPT_FLOAT, "0.5", NULL, 0, 1, 1, "identity weight"},
    {"--face-enhancer-model", NULL, "processors", FU_OPT_STRING, "gfpgan_1.4",
     "codeformer gfpgan_1.2 gfpgan_1.3 gfpgan_1.4 gpen_bfr_256 gpen_bfr_512 gpen_bfr_1024 gpen_bfr_2048 "
     "restoreformer_plus_plus", 0, 0, 1, "face enhancer model"},
    {"--face-enhancer-blend", NULL, "processors", FU_OPT_INT, "80", NULL, 0, 100, 1, "share of the enhanced face"},
    {"--face-enhancer-weight", NULL, "processors", FU_OPT_FLOAT, "0.5", NULL, 0, 1, 1, "CodeFormer fidelity"},
    {"--frame-enhancer-model", NULL, "processors", FU_OPT_STRING, "span_kendata_x4", FRAME_ENHANCERS, 0, 0, 1,
     "frame enhancer model"},
    {"--frame-enhancer-blend", NULL, "processors", FU_OPT_INT, "80", NULL, 0, 100, 1, "share of the enhanced frame"},
    {"--expression-restorer-model", NULL, "processors", FU_OPT_STRING, "live_portrait", NULL, 0, 0, 0, ""},
    {"--expression-restorer-factor", NULL, "processors", FU_OPT_INT, "80", NULL, 0, 100, 0, ""},
    {"--lip-syncer-model", NULL, "processors", FU_OPT_STRING, "wav2lip_gan_96", NULL, 0, 0, 0, ""},
    {"--age-modifier-model", NULL, "processors", FU_OPT_STRING, "fran", NULL, 0, 0, 0, ""},
    {"--frame-colorizer-model", NULL, "processors", FU_OPT_STRING, "ddcolor", NULL, 0, 0, 0, ""},
    {"--deep-swapper-model", NULL, "processors", FU_OPT_STRING, NULL, NULL, 0, 0, 0, ""},
    {"--background-remover-model", NULL, "processors", FU_OPT_STRING, "modnet", NULL, 0, 0, 0, ""},
    /* download */
    {"--download-providers", NULL, "download", FU_OPT_LIST, "github huggingface", "github huggingface", 0, 0, 1,
     "where models come from, in order"},
    {"--download-scope", NULL, "download", FU_OPT_STRING, "lite", "lite full", 0, 0, 1, "models force-download gets"},
    /* execution */
    {"--execution-device-ids", NULL, "execution", FU_OPT_LIST, "0", NULL, 0, 64, 1, "GPU ids (first is used)"},
    {"--execution-providers", NULL, "execution", FU_OPT_LIST, "cpu",
     "cpu cuda tensorrt rocm migraphx openvino coreml directml qnn", 0, 0, 1, "execution providers"},
    {"--execution-thread-count", NULL, "execution", FU_OPT_INT, "0", NULL, 0, 128, 1,
     "threads (0 = number of cores)"},
    {"--video-memory-strategy", NULL, "memory", FU_OPT_STRING, "strict", "strict moderate tolerant", 0, 0, 1, ""},
    /* misc */
    {"--log-level", NULL, "misc", FU_OPT_STRING, "info", "error warn info debug", 0, 0, 1, "log level"},
    {"--halt-on-error", NULL, "misc", FU_OPT_FLAG, NULL, NULL, 0, 0, 0, ""},
    {"--progress", NULL, "misc", FU_OPT_STRING, "bar", "bar json none", 0, 0, 1, "progress display"},
    {"--json", NULL, NULL, FU_OPT_FLAG, NULL, NULL, 0, 0, 1, "detect: print JSON"},
    /* uis / benchmark (run command) */
    {"--open-browser", NULL, "uis", FU_OPT_FLAG, NULL, NULL, 0, 0, 0, ""},
    {"--ui-layouts", NULL, "uis", FU_OPT_LIST, "default", NULL, 0, 0, 0, ""},
    {"--ui-workflow", NULL, "uis", FU_OPT_STRING, "instant_runner", NULL, 0, 0, 0, ""},
    {"--benchmark-mode", NULL, "benchmark", FU_OPT_STRING, "warm", NULL, 0, 0, 0, ""},
    {"--benchmark-resolutions", NULL, "benchmark", FU_OPT_LIST, "240p", NULL, 0, 0, 0, ""},
    {"--benchmark-cycle-count", NULL, "benchmark", FU_OPT_INT, "5", NULL, 1, 10, 0, ""},
};
#define N_OPTIONS (int)(sizeof options / sizeof options[0])

const fu_option *fu_option_table(int *count)
{
    *count = N_OPTIONS;
    return options;
}

static int index_of(const char *name)
{
    for (int i = 0; i < N_OPTIONS; i++)
        if (strcmp(options[i].name, name) == 0 || (options[i].alias && strcmp(options[i].alias, name) == 0))
            return i;
    return -1;
}

const fu_option *fu_option_find(const char *name)
{
    int i = index_of(name);
    return i < 0 ? NULL : &options[i];
}

/* 1 if word is one of the space-separated choices. */
static int in_choices(const char *choices, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = choices; *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0';
}

/* Checks one word of a value against the option's domain. */
static facefuse_status check_word(const fu_option *o, const char *word, fu_err *err)
{
    double v;
    if (o->choices && !in_choices(o->choices, word))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for %s (choices: %s)", word,
                       o->name, o->choices);
    if (o->kind == FU_OPT_INT || o->kind == FU_OPT_FLOAT || (o->kind == FU_OPT_LIST && o->min < o->max)) {
        if (!parse_number(word, &v) || (o->kind == FU_OPT_INT && v != (long)v))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for %s (a number)", word,
                           o->name);
        if (o->min < o->max && (v < o->min || v > o->max))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "value %s for %s is out of range %g..%g", word,
                           o->name, o->min, o->max);
    }
    return FACEFUSE_OK;
}

static facefuse_status check_value(const fu_option *o, const char *value, fu_err *err)
{
    char buf[4096];
    facefuse_status rc;
    if (o->kind != FU_OPT_LIST)
        return check_word(o, value, err);
    if (o->choices == NULL && !(o->min < o->max))
        return FACEFUSE_OK;
    snprintf(buf, sizeof buf, "%s", value);
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
        if ((rc = check_word(o, w, err)) != FACEFUSE_OK)
            return rc;
    return FACEFUSE_OK;
}

facefuse_status fu_optset_set(fu_optset *set, const char *name, const char *value, fu_err *err)
{
    int i = index_of(name);
    facefuse_status rc;
    if (i < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %s", name);
    if (!options[i].implemented)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "option %s is not implemented in facefuse yet",
                       options[i].name);
    if ((rc = check_value(&options[i], value, err)) != FACEFUSE_OK)
        return rc;
    char *copy = strdup(value);
    if (!copy)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    free(set->values[i]);
    set->values[i] = copy;
    return FACEFUSE_OK;
}

static int looks_like_option(const char *arg)
{
    /* "-5" is a value (e.g. a negative number); "-s" or "--x" is an option. */
    return arg[0] == '-' && arg[1] && !isdigit((unsigned char)arg[1]) && arg[1] != '.';
}

facefuse_status fu_optset_parse(fu_optset *set, int argc, char **argv, int first, fu_err *err)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        char name[128], value[8192];
        const char *eq = strchr(arg, '=');

        if (!looks_like_option(arg)) {
            if (set->positional_count == 8)
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "too many arguments at '%s'", arg);
            set->positional[set->positional_count++] = strdup(arg);
            continue;
        }
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
        int idx = index_of(name);
        if (idx < 0)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %s", name);
        const fu_option *o = &options[idx];
        if (o->kind == FU_OPT_FLAG) {
            if (fu_optset_set(set, name, "1", err) != FACEFUSE_OK)
                return err->code;
            continue;
        }
        value[0] = '\0';
        if (eq) {
            snprintf(value, sizeof value, "%s", eq + 1);
        } else {
            int taken = 0;
            while (i + 1 < argc && !looks_like_option(argv[i + 1])) {
                size_t len = strlen(value);
                snprintf(value + len, sizeof value - len, "%s%s", taken ? " " : "", argv[++i]);
                taken++;
                if (o->kind != FU_OPT_LIST)
                    break;
            }
            if (!taken)
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s needs a value", o->name);
        }
        if (fu_optset_set(set, name, value, err) != FACEFUSE_OK)
            return err->code;
    }
    return FACEFUSE_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

facefuse_status fu_optset_load_ini(fu_optset *set, const char *path, fu_err *err)
{
    char line[8192], section[128] = "";
    int lineno = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open config file %s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line), opt[160];
        lineno++;
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end) {
                fclose(f);
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s:%d: bad section line", path, lineno);
            }
            *end = '\0';
            snprintf(section, sizeof section, "%s", trim(s + 1));
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            fclose(f);
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s:%d: expected key = value", path, lineno);
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        if (!*value)
            continue; /* empty = built-in default, as FaceFusion */
        /* key face_detector_model -> option --face-detector-model */
        snprintf(opt, sizeof opt, "--%s", key);
        for (char *p = opt + 2; *p; p++)
            if (*p == '_')
                *p = '-';
        int idx = index_of(opt);
        if (idx < 0) {
            /* batch patterns use *_pattern keys; paths use *_path keys */
            fclose(f);
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s:%d: unknown key '%s' in [%s]", path, lineno,
                           key, section);
        }
        if (set->values[idx])
            continue; /* the command line wins */
        if (fu_optset_set(set, opt, value, err) != FACEFUSE_OK) {
            char msg[FU_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            fclose(f);
            return fu_fail(err, err->code, "%s:%d: %s", path, lineno, msg);
        }
    }
    fclose(f);
    return FACEFUSE_OK;
}

void fu_optset_free(fu_optset *set)
{
    for (int i = 0; i < FU_MAX_OPTIONS; i++) {
        free(set->values[i]);
        free(set->words[i]);
    }
    for (int i = 0; i < set->positional_count; i++)
        free(set->positional[i]);
    memset(set, 0, sizeof *set);
}

const char *fu_optset_get(const fu_optset *set, const char *name)
{
    int i = index_of(name);
    if (i < 0)
        return NULL;
    return set->values[i] ? set->values[i] : options[i].default_value;
}

int fu_optset_is_set(const fu_optset *set, const char *name)
{
    int i = index_of(name);
    return i >= 0 && set->values[i] != NULL;
}

/* Splits the value (set or default) of option `name` into at most max
 * words. The words live in a tokenised copy kept by the option set, so they
 * stay valid as long as the set. */
static int split_words(fu_optset *set, const char *name, const char **words, int max)
{
    int idx = index_of(name), n = 0;
    const char *value = fu_optset_get(set, name);
    if (idx < 0 || !value)
        return 0;
    free(set->words[idx]);
    set->words[idx] = strdup(value);
    if (!set->words[idx])
        return 0;
    for (char *save = NULL, *w = strtok_r(set->words[idx], " ", &save); w && n < max; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    return n;
}

static int word_index(const char *choices, const char *word)
{
    int i = 0;
    size_t n = strlen(word);
    for (const char *p = choices; *p; i++) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return i;
        if (!end)
            break;
        p = end + 1;
    }
    return -1;
}

static int get_int(const fu_optset *set, const char *name, int fallback)
{
    const char *v = fu_optset_get(set, name);
    return v ? atoi(v) : fallback;
}

static float get_float(const fu_optset *set, const char *name, float fallback)
{
    const char *v = fu_optset_get(set, name);
    return v ? strtof(v, NULL) : fallback;
}

facefuse_status fu_options_to_config(fu_optset *set, fu_run_config *cfg, fu_err *err)
{
    const char *words[FU_MAX_SOURCES];
    int n;

    memset(cfg, 0, sizeof *cfg);
    cfg->source_count = split_words(set, "--source-paths", cfg->source_paths, FU_MAX_SOURCES);
    cfg->target_path = fu_optset_get(set, "--target-path");
    cfg->output_path = fu_optset_get(set, "--output-path");
    cfg->temp_path = fu_optset_get(set, "--temp-path");

    facefuse_analysis_params *a = &cfg->analysis;
    *a = facefuse_analysis_default_params();
    a->detector_model = fu_optset_get(set, "--face-detector-model");
    a->detector_size = atoi(fu_optset_get(set, "--face-detector-size"));
    a->detector_score = get_float(set, "--face-detector-score", 0.5f);
    n = split_words(set, "--face-detector-angles", words, 4);
    a->detector_angle_count = n;
    for (int i = 0; i < n; i++)
        a->detector_angles[i] = atoi(words[i]);
    n = split_words(set, "--face-detector-margin", words, 4);
    for (int i = 0; i < 4; i++)
        a->detector_margin[i] = n == 1 ? atoi(words[0]) : i < n ? atoi(words[i]) : 0;
    a->landmarker_model = fu_optset_get(set, "--face-landmarker-model");
    if (a->landmarker_model && strcmp(a->landmarker_model, "many") == 0)
        a->landmarker_model = "2dfan4";
    a->landmarker_score = get_float(set, "--face-landmarker-score", 0.5f);
    if (strcmp(a->detector_model, "yunet") == 0 || strcmp(a->detector_model, "yolo_face") == 0) {
        if (a->detector_size != 640)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--face-detector-size must be 640x640 for %s",
                           a->detector_model);
    }

    facefuse_selector_params *s = &cfg->selector;
    *s = facefuse_selector_default_params();
    s->mode = (facefuse_selector_mode)word_index("reference one many", fu_optset_get(set, "--face-selector-mode"));
    s->order = (facefuse_selector_order)word_index(
        "left-right right-left top-bottom bottom-top small-large large-small best-worst worst-best",
        fu_optset_get(set, "--face-selector-order"));
    const char *gender = fu_optset_get(set, "--face-selector-gender");
    s->gender = gender ? (facefuse_gender)word_index("male female", gender) : FACEFUSE_GENDER_UNKNOWN;
    const char *race = fu_optset_get(set, "--face-selector-race");
    s->race = race ? (facefuse_race)word_index("white black latino asian indian arabic", race)
                   : FACEFUSE_RACE_UNKNOWN;
    s->age_start = get_int(set, "--face-selector-age-start", -1);
    s->age_end = get_int(set, "--face-selector-age-end", -1);
    s->reference_face_position = get_int(set, "--reference-face-position", 0);
    s->reference_face_distance = get_float(set, "--reference-face-distance", 0.3f);
    cfg->reference_frame_number = get_int(set, "--reference-frame-number", 0);
    if (gender || race || s->age_start >= 0 || s->age_end >= 0)
        a->classifier_model = "fairface";

    cfg->processor_count = split_words(set, "--processors", cfg->processors, FU_MAX_PROCESSORS);
    cfg->debugger_item_count = split_words(set, "--face-debugger-items", cfg->debugger_items, FU_MAX_ITEMS);
    cfg->swapper_model = fu_optset_get(set, "--face-swapper-model");
    const char *boost = fu_optset_get(set, "--face-swapper-pixel-boost");
    cfg->swapper_pixel_boost = boost ? atoi(boost) : 0;
    cfg->swapper_weight = get_float(set, "--face-swapper-weight", 0.5f);
    cfg->face_enhancer_model = fu_optset_get(set, "--face-enhancer-model");
    cfg->face_enhancer_blend = get_int(set, "--face-enhancer-blend", 80);
    cfg->face_enhancer_weight = get_float(set, "--face-enhancer-weight", 0.5f);
    cfg->frame_enhancer_model = fu_optset_get(set, "--frame-enhancer-model");
    cfg->frame_enhancer_blend = get_int(set, "--frame-enhancer-blend", 80);
    for (int i = 0; i + 1 < cfg->processor_count; i++)
        if (strcmp(cfg->processors[i], "frame_enhancer") == 0)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "frame_enhancer must be the last of --processors (it enlarges the frame, and the "
                           "faces the processors after it use were found on the original)");

    cfg->mask_type_count = split_words(set, "--face-mask-types", cfg->mask_types, 4);
    cfg->occluder_model = fu_optset_get(set, "--face-occluder-model");
    cfg->parser_model = fu_optset_get(set, "--face-parser-model");
    cfg->mask_region_count = split_words(set, "--face-mask-regions", cfg->mask_regions, 10);
    cfg->mask_area_count = split_words(set, "--face-mask-areas", cfg->mask_areas, 3);
    cfg->color_match = fu_optset_get(set, "--face-color-match");
    cfg->blend_mode = fu_optset_get(set, "--face-blend-mode");
    cfg->mask_blur = get_float(set, "--face-mask-blur", 0.3f);
    n = split_words(set, "--face-mask-padding", words, 4);
    for (int i = 0; i < 4; i++)
        cfg->mask_padding[i] = n == 1 ? atoi(words[0]) : i < n ? atoi(words[i]) : 0;

    cfg->output_image_quality = get_int(set, "--output-image-quality", 80);
    cfg->output_image_scale = get_float(set, "--output-image-scale", 1.0f);
    facefuse_video_params *v = &cfg->video;
    *v = facefuse_video_default_params();
    v->video_encoder = fu_optset_get(set, "--output-video-encoder");
    v->video_preset = fu_optset_get(set, "--output-video-preset");
    v->video_quality = get_int(set, "--output-video-quality", 80);
    v->output_scale = get_float(set, "--output-video-scale", 1.0f);
    v->output_fps = get_float(set, "--output-video-fps", 0);
    v->audio_encoder = fu_optset_get(set, "--output-audio-encoder");
    v->audio_quality = get_int(set, "--output-audio-quality", 80);
    v->audio_volume = get_int(set, "--output-audio-volume", 100);
    v->trim_frame_start = get_int(set, "--trim-frame-start", -1);
    v->trim_frame_end = get_int(set, "--trim-frame-end", -1);
    cfg->execution_thread_count = get_int(set, "--execution-thread-count", 0);
    v->thread_count = cfg->execution_thread_count; /* video workers; 0 = number of cores */
    cfg->progress_mode = fu_optset_get(set, "--progress");
    return FACEFUSE_OK;
}

void fu_options_print_help(FILE *out)
{
    for (int i = 0; i < N_OPTIONS; i++) {
        const fu_option *o = &options[i];
        if (!o->implemented)
            continue;
        fprintf(out, "  %s%s%-32s %s", o->alias ? o->alias : "", o->alias ? ", " : "", o->name, o->help);
        if (o->choices)
            fprintf(out, " {%s}", o->choices);
        if (o->default_value)
            fprintf(out, " (default: %s)", o->default_value);
        fputc('\n', out);
    }
}
