/*
 * face_options.c — option tables of the face detector, landmarker and
 * selector (see face_options.h), with FaceFusion 3.8.1's names, ini keys,
 * domains and defaults.
 */
#include "face/face_options.h"

#include <stdlib.h>
#include <string.h>

#define A(field) offsetof(fu_analysis_settings, field)
#define S(field) offsetof(fu_selector_settings, field)

static facefuse_status check_detector(void *settings, fu_err *err)
{
    const fu_analysis_settings *s = settings;
    int fixed = strcmp(s->detector_model, "scrfd") != 0 && strcmp(s->detector_model, "retinaface") != 0;
    if (fixed && strcmp(s->detector_size, "640x640") != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "--face-detector-size %s is not available for %s (only 640x640)", s->detector_size,
                       s->detector_model);
    return FACEFUSE_OK;
}

static const fu_option detector_options[] = {
    {.name = "--face-detector-model", .section = "face_detector", .type = FU_OPT_STRING, .def = "yolo_face",
     .choices = "many retinaface scrfd yolo_face yunet", .offset = A(detector_model), .help = "face detector model"},
    {.name = "--face-detector-size", .section = "face_detector", .type = FU_OPT_STRING, .def = "640x640",
     .choices = "160x160 320x320 480x480 512x512 640x640", .offset = A(detector_size),
     .help = "detector input size (retinaface and scrfd: any; others: 640x640)"},
    {.name = "--face-detector-margin", .section = "face_detector", .type = FU_OPT_INTS, .def = "0 0 0 0",
     .min = 0, .max = 100, .step = 1, .flags = FU_OPTF_TRBL, .offset = A(detector_margin),
     .help = "frame padding before detection, percent: top right bottom left (1 to 4 values)"},
    {.name = "--face-detector-angles", .section = "face_detector", .type = FU_OPT_INTS, .def = "0",
     .choices = "0 90 180 270", .count_max = 4, .offset = A(detector_angles), .help = "angles to detect faces at"},
    {.name = "--face-detector-score", .section = "face_detector", .type = FU_OPT_FLOAT, .def = "0.5", .min = 0,
     .max = 1, .step = 0.05, .offset = A(detector_score), .help = "minimum detector score"},
    {0}};

static const fu_option landmarker_options[] = {
    {.name = "--face-landmarker-model", .section = "face_landmarker", .type = FU_OPT_STRING, .def = "2dfan4",
     .choices = "many 2dfan4 peppa_wutz", .offset = A(landmarker_model), .help = "68-point face landmarker"},
    {.name = "--face-landmarker-score", .section = "face_landmarker", .type = FU_OPT_FLOAT, .def = "0.5", .min = 0,
     .max = 1, .step = 0.05, .offset = A(landmarker_score), .help = "minimum landmarker score (0 skips it)"},
    {0}};

static const fu_option selector_options[] = {
    {.name = "--face-selector-mode", .section = "face_selector", .type = FU_OPT_STRING, .def = "reference",
     .choices = "many one reference", .offset = S(mode), .help = "which target faces are processed"},
    {.name = "--face-selector-order", .section = "face_selector", .type = FU_OPT_STRING, .def = "large-small",
     .choices = "left-right right-left top-bottom bottom-top small-large large-small best-worst worst-best",
     .offset = S(order), .help = "order of the faces"},
    {.name = "--face-selector-age-start", .section = "face_selector", .type = FU_OPT_INT, .min = 0, .max = 100,
     .step = 1, .offset = S(age_start), .help = "keep faces at least this old"},
    {.name = "--face-selector-age-end", .section = "face_selector", .type = FU_OPT_INT, .min = 0, .max = 100,
     .step = 1, .offset = S(age_end), .help = "keep faces at most this old"},
    {.name = "--face-selector-gender", .section = "face_selector", .type = FU_OPT_STRING,
     .choices = "auto female male", .offset = S(gender),
     .help = "keep faces of this gender (auto: the largest source face's)"},
    {.name = "--face-selector-race", .section = "face_selector", .type = FU_OPT_STRING,
     .choices = "auto white black latino asian indian arabic", .offset = S(race),
     .help = "keep faces of this race (auto: the largest source face's)"},
    {.name = "--reference-face-position", .section = "face_selector", .type = FU_OPT_INT, .def = "0", .min = 0,
     .max = 1000, .step = 1, .offset = S(reference_face_position),
     .help = "index of the reference face among the reference frame's faces"},
    {.name = "--reference-face-distance", .section = "face_selector", .type = FU_OPT_FLOAT, .def = "0.3", .min = 0,
     .max = 1, .step = 0.05, .offset = S(reference_face_distance),
     .help = "maximum distance of a processed face to the reference face"},
    {.name = "--reference-frame-number", .section = "face_selector", .type = FU_OPT_INT, .def = "0", .min = 0,
     .max = 1e9, .step = 1, .offset = S(reference_frame_number), .help = "video frame holding the reference face"},
    {0}};

const fu_option_group fu_face_detector_options = {"face_detector", "face detector", detector_options,
                                                  sizeof(fu_analysis_settings), check_detector};
const fu_option_group fu_face_landmarker_options = {"face_landmarker", "face landmarker", landmarker_options,
                                                    sizeof(fu_analysis_settings), NULL};
const fu_option_group fu_face_selector_options = {"face_selector", "face selector", selector_options,
                                                  sizeof(fu_selector_settings), NULL};

facefuse_analysis_params fu_analysis_params_of(const fu_analysis_settings *s)
{
    facefuse_analysis_params a = facefuse_analysis_default_params();
    a.detector_model = s->detector_model;
    a.detector_size = atoi(s->detector_size);
    a.detector_score = s->detector_score;
    a.detector_angle_count = s->detector_angles.n < 4 ? s->detector_angles.n : 4;
    for (int i = 0; i < a.detector_angle_count; i++)
        a.detector_angles[i] = s->detector_angles.v[i];
    for (int i = 0; i < 4; i++)
        a.detector_margin[i] = s->detector_margin.v[i];
    /* "many" landmarkers: FaceFusion runs 2dfan4 and peppa_wutz and keeps the
     * better-scored set; facefuse runs 2dfan4, its strongest. */
    a.landmarker_model = strcmp(s->landmarker_model, "many") == 0 ? "2dfan4" : s->landmarker_model;
    a.landmarker_score = s->landmarker_score;
    return a;
}

facefuse_selector_params fu_selector_params_of(const fu_selector_settings *s, int *gender_auto, int *race_auto)
{
    facefuse_selector_params p = facefuse_selector_default_params();
    p.mode = (facefuse_selector_mode)fu_word_index("reference one many", s->mode);
    p.order = (facefuse_selector_order)fu_word_index(
        "left-right right-left top-bottom bottom-top small-large large-small best-worst worst-best", s->order);
    p.gender = s->gender ? (facefuse_gender)fu_word_index("male female", s->gender) : FACEFUSE_GENDER_UNKNOWN;
    p.race = s->race ? (facefuse_race)fu_word_index("white black latino asian indian arabic", s->race)
                     : FACEFUSE_RACE_UNKNOWN;
    p.age_start = s->age_start;
    p.age_end = s->age_end;
    p.reference_face_position = s->reference_face_position;
    p.reference_face_distance = s->reference_face_distance;
    if (gender_auto)
        *gender_auto = s->gender && strcmp(s->gender, "auto") == 0;
    if (race_auto)
        *race_auto = s->race && strcmp(s->race, "auto") == 0;
    return p;
}

int fu_selector_needs_classifier(const fu_selector_settings *s)
{
    return s->gender || s->race || s->age_start >= 0 || s->age_end >= 0;
}
