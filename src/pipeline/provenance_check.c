/*
 * provenance_check.c — tag and watermark of a file (see provenance_check.h).
 * Images are decoded once; videos frame by frame, every fourth of the first
 * 64 frames measured, so a check takes a fraction of a second.
 */
#include "pipeline/provenance_check.h"

#include <stdlib.h>
#include <string.h>

#include "media/image_io.h"
#include "media/provenance_tag.h"
#include "media/video_reader.h"
#include "processors/watermark.h"

static void add_strength(fu_provenance_report *r, double z, double *sum)
{
    if (r->frames == 0 || z < r->strength_min)
        r->strength_min = z;
    if (r->frames == 0 || z > r->strength_max)
        r->strength_max = z;
    *sum += z;
    r->frames++;
}

static facefuse_status image_strength(const char *path, const char *key, fu_provenance_report *r, double *sum,
                                      fu_err *err)
{
    facefuse_image im = {0};
    double z = 0;
    facefuse_status rc = fu_image_read(path, &im, err);
    if (rc == FACEFUSE_OK)
        rc = fu_watermark_detect(key, &im, &z, err);
    if (rc == FACEFUSE_OK)
        add_strength(r, z, sum);
    facefuse_image_free(&im);
    return rc;
}

static facefuse_status video_strength(const char *path, const char *key, fu_provenance_report *r, double *sum,
                                      fu_err *err)
{
    fu_video_reader *reader = NULL;
    facefuse_image frame = {0};
    facefuse_status rc = fu_video_reader_open(&reader, path, 0, err);
    for (int i = 0; rc == FACEFUSE_OK && i < 64; i++) {
        int64_t pts;
        int got = 0;
        rc = fu_video_reader_next(reader, i % 4 == 0 ? &frame : NULL, &pts, &got, err);
        if (rc != FACEFUSE_OK || !got)
            break;
        if (i % 4 == 0) {
            double z = 0;
            rc = fu_watermark_detect(key, &frame, &z, err);
            if (rc == FACEFUSE_OK)
                add_strength(r, z, sum);
        }
    }
    facefuse_image_free(&frame);
    fu_video_reader_close(reader);
    return rc;
}

facefuse_status fu_provenance_inspect(const char *path, const char *key, fu_provenance_report *r, fu_err *err)
{
    double sum = 0;
    memset(r, 0, sizeof *r);
    r->threshold = FU_WATERMARK_THRESHOLD;
    facefuse_status rc = fu_tag_read_file(path, &r->tag, err);
    if (rc != FACEFUSE_OK)
        return rc;
    rc = fu_image_path_is_image(path) ? image_strength(path, key, r, &sum, err)
                                      : video_strength(path, key, r, &sum, err);
    if (rc == FACEFUSE_OK && r->frames == 0)
        rc = fu_fail(err, FACEFUSE_ERR_DECODE, "%s has no picture to look for a watermark in", path);
    if (rc != FACEFUSE_OK) {
        fu_provenance_report_free(r);
        return rc;
    }
    r->strength = sum / r->frames;
    r->watermark_found = r->strength >= r->threshold;
    return FACEFUSE_OK;
}

void fu_provenance_report_free(fu_provenance_report *r)
{
    free(r->tag);
    r->tag = NULL;
}
