/*
 * face_options.h — the options of face analysis and selection, owned here:
 * FaceFusion's "face detector", "face landmarker" and "face selector"
 * groups, and the settings they fill.
 */
#ifndef FU_FACE_OPTIONS_H
#define FU_FACE_OPTIONS_H

#include "core/option.h"

typedef struct fu_analysis_settings {
    const char *detector_model;      /* many retinaface scrfd yolo_face yunet */
    const char *detector_size;       /* "640x640" */
    fu_ints detector_margin;         /* top right bottom left, percent (always 4) */
    fu_ints detector_angles;
    float detector_score;
    const char *landmarker_model;    /* many 2dfan4 peppa_wutz */
    float landmarker_score;
} fu_analysis_settings;

typedef struct fu_selector_settings {
    const char *mode;                /* many one reference */
    const char *order;
    const char *gender;              /* NULL, auto, female, male */
    const char *race;                /* NULL, auto, white … */
    int age_start, age_end;          /* -1 = no bound */
    int reference_face_position;
    float reference_face_distance;
    int reference_frame_number;
} fu_selector_settings;

extern const fu_option_group fu_face_detector_options;    /* into fu_analysis_settings */
extern const fu_option_group fu_face_landmarker_options;  /* into fu_analysis_settings */
extern const fu_option_group fu_face_selector_options;    /* into fu_selector_settings */

/* The public analysis parameters the settings describe (recognizer and
 * classifier as facefuse_analysis_default_params: the chain decides which
 * it needs). Strings point into the settings. */
facefuse_analysis_params fu_analysis_params_of(const fu_analysis_settings *s);

/* The public selector parameters; gender and race "auto" come out as
 * UNKNOWN and are reported through *gender_auto / *race_auto (may be NULL),
 * for the caller to resolve from the source faces. */
facefuse_selector_params fu_selector_params_of(const fu_selector_settings *s, int *gender_auto, int *race_auto);

/* Whether the selection needs the face classifier (a gender, race or age filter). */
int fu_selector_needs_classifier(const fu_selector_settings *s);

#endif
