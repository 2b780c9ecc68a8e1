/*
 * provenance_check.h — what a file says about its origin: its provenance
 * tag (media/provenance_tag.h) and the strength of the invisible watermark
 * (processors/watermark.h) in it, for `facefuse provenance-check`.
 */
#ifndef FU_PROVENANCE_CHECK_H
#define FU_PROVENANCE_CHECK_H

#include "core/error.h"

typedef struct fu_provenance_report {
    char *tag;                      /* the tag's JSON (malloc'd), NULL when none */
    int frames;                     /* pictures looked at for the watermark */
    double strength;                /* their mean watermark strength */
    double strength_min, strength_max;
    double threshold;
    int watermark_found;            /* strength >= threshold */
} fu_provenance_report;

/* Reads path (image or video; for a video up to 16 frames among its first
 * 64). key NULL = the default watermark key. */
facefuse_status fu_provenance_inspect(const char *path, const char *key, fu_provenance_report *r, fu_err *err);
void fu_provenance_report_free(fu_provenance_report *r);

#endif
