/*
 * provenance.h — what an output says about where it came from: a small
 * JSON tag naming facefuse, its version, the processors and the models of
 * the run, and whether watermarks were added, e.g.
 *
 *   {"generator":"facefuse","version":"0.1.0","processors":["face_swapper"],
 *    "models":["scrfd","arcface_w600k_r50","hyperswap_1a_256"],
 *    "digital_source_type":"compositeWithTrainedAlgorithmicMedia","watermark":"invisible"}
 *
 * digital_source_type is the IPTC term for media edited by a trained
 * algorithm. The media writers store the tag (media/provenance_tag.h:
 * container "comment", PNG iTXt XMP, JPEG XMP + COM, WebP XMP). It is on by
 * default; --output-provenance none turns it off, and the run says so.
 */
#ifndef FU_PROVENANCE_H
#define FU_PROVENANCE_H

#include <stddef.h>

#include "core/option.h"

#define FU_PROVENANCE_MAX 32
#define FU_PROVENANCE_TAG_MAX 2048

typedef struct fu_provenance {
    const char *processors[FU_PROVENANCE_MAX];
    int processor_count;
    const char *models[FU_PROVENANCE_MAX];
    int model_count;
    int watermark_visible, watermark_invisible;
} fu_provenance;

/* --output-provenance (section output_creation): "tag" (default) or "none". */
typedef struct fu_provenance_settings {
    const char *mode;
} fu_provenance_settings;

extern const fu_option_group fu_provenance_options;   /* into fu_provenance_settings */

void fu_provenance_init(fu_provenance *p);
/* Each name once, in order; NULL and "" are ignored. The strings must
 * outlive p. */
void fu_provenance_add_processor(fu_provenance *p, const char *name);
void fu_provenance_add_model(fu_provenance *p, const char *name);

/* The tag for mode ("tag" or NULL: on; "none": off, logged once at info
 * level, returns NULL) into buf (FU_PROVENANCE_TAG_MAX bytes is enough). */
const char *fu_provenance_tag(const fu_provenance *p, const char *mode, char *buf, size_t size);

/* The processors and models a run configuration uses, and its watermarks. */
struct fu_run_config;
void fu_provenance_from_config(const struct fu_run_config *cfg, fu_provenance *p);

#endif
