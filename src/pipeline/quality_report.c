/*
 * quality_report.c — per-frame quality figures, their summary and the
 * JSON report (see quality_report.h; the HTML page is quality_html.c).
 *
 * observe() does the per-frame work on the calling worker thread — two
 * recognizer runs per face (one when the faces already carry embeddings),
 * PSNR and SSIM outside the masks, a thumbnail for a flagged frame — and
 * stores a small record under a lock, indexed by frame number. finish()
 * computes the jitter, which needs neighbouring frames, and the summary.
 */
#include "pipeline/quality_report.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/geometry.h"
#include "core/image.h"
#include "core/image_metrics.h"
#include "core/log.h"
#include "face/analyse.h"
#include "media/image_io.h"
#include "media/resize.h"

struct fu_quality {
    facefuse_context *ctx;
    fu_quality_settings s;
    char *path, *recognizer;
    float source[FACEFUSE_EMBEDDING_MAX];
    int source_dim;
    pthread_mutex_t lock;
    fu_quality_frame *frames;   /* by frame number; index < 0: not observed */
    int64_t capacity;
    int thumbnails;
};

static const fu_option quality_options[] = {
    {.name = "--quality-report", .section = "quality_report", .type = FU_OPT_STRING,
     .offset = offsetof(fu_quality_settings, path),
     .help = "write a per-frame quality report: identity similarity, PSNR/SSIM outside the face masks, landmark "
             "jitter, flagged frames (.json, or .html: a self-contained page)"},
    {.name = "--quality-threshold", .section = "quality_report", .type = FU_OPT_FLOAT, .def = "0.4", .min = -1,
     .max = 1, .step = 0.05, .offset = offsetof(fu_quality_settings, threshold),
     .help = "flag frames whose face identity similarity falls below this"},
    {0}};

const fu_option_group fu_quality_options = {"quality_report", "quality report", quality_options,
                                            sizeof(fu_quality_settings), NULL};

fu_quality_settings fu_quality_default_settings(void)
{
    fu_quality_settings s;
    memset(&s, 0, sizeof s);
    s.threshold = 0.4f;
    s.thumbnail_px = 160;
    s.max_thumbnails = 60;
    return s;
}

facefuse_status fu_quality_new(facefuse_context *ctx, const fu_quality_settings *s, const float *source,
                               int source_dim, fu_quality **out, fu_err *err)
{
    *out = NULL;
    if (!s || !s->path || !*s->path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--quality-report needs a file name");
    char ext[16];
    fu_path_extension(s->path, ext, sizeof ext);
    if (strcmp(ext, "json") && strcmp(ext, "html") && strcmp(ext, "htm"))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--quality-report %s: write a .json or .html report",
                       s->path);
    if (!(s->threshold >= -1 && s->threshold <= 1))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--quality-threshold must be -1..1 (got %g)",
                       (double)s->threshold);
    if (source && (source_dim < 1 || source_dim > FACEFUSE_EMBEDDING_MAX))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "quality report: bad source embedding size %d", source_dim);
    facefuse_status rc = fu_output_check(s->path, err);
    if (rc != FACEFUSE_OK)
        return rc;
    fu_quality *q = calloc(1, sizeof *q);
    if (!q)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the quality report");
    q->ctx = ctx;
    q->s = *s;
    q->path = strdup(s->path);
    q->recognizer = strdup(s->recognizer_model ? s->recognizer_model : "arcface_w600k_r50");
    if (!q->path || !q->recognizer) {
        fu_quality_free(q);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the quality report");
    }
    q->s.path = q->path;
    q->s.recognizer_model = q->recognizer;
    if (q->s.thumbnail_px <= 0)
        q->s.thumbnail_px = 160;
    if (q->s.max_thumbnails <= 0)
        q->s.max_thumbnails = 60;
    if (source) {
        memcpy(q->source, source, (size_t)source_dim * sizeof *source);
        q->source_dim = source_dim;
    }
    pthread_mutex_init(&q->lock, NULL);
    *out = q;
    return FACEFUSE_OK;
}

void fu_quality_free(fu_quality *q)
{
    if (!q)
        return;
    for (int64_t i = 0; i < q->capacity; i++)
        free(q->frames[i].thumbnail);
    free(q->frames);
    if (q->path)
        pthread_mutex_destroy(&q->lock);
    free(q->path);
    free(q->recognizer);
    free(q);
}

/* ------------------------------------------------------------ masks */

static double cross(facefuse_point a, facefuse_point b, double x, double y)
{
    return (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
}

/* Fills a convex quadrilateral (corners in order) with 255. */
static void fill_quad(facefuse_image *m, const facefuse_point q[4])
{
    double x0 = q[0].x, x1 = q[0].x, y0 = q[0].y, y1 = q[0].y;
    for (int i = 1; i < 4; i++) {
        x0 = fmin(x0, q[i].x), x1 = fmax(x1, q[i].x);
        y0 = fmin(y0, q[i].y), y1 = fmax(y1, q[i].y);
    }
    int xa = (int)fmax(0, floor(x0)), xb = (int)fmin(m->width - 1, ceil(x1));
    int ya = (int)fmax(0, floor(y0)), yb = (int)fmin(m->height - 1, ceil(y1));
    for (int y = ya; y <= yb; y++)
        for (int x = xa; x <= xb; x++) {
            int pos = 0, neg = 0;
            for (int i = 0; i < 4; i++) {
                double c = cross(q[i], q[(i + 1) % 4], x + 0.5, y + 0.5);
                pos |= c > 0;
                neg |= c < 0;
            }
            if (!(pos && neg))
                fu_pixel(m, x, y)[0] = 255;
        }
}

facefuse_status fu_quality_face_mask(const facefuse_face *faces, int count, int width, int height,
                                     facefuse_image *mask, fu_err *err)
{
    memset(mask, 0, sizeof *mask);
    mask->data = calloc((size_t)width * height, 1);
    if (!mask->data)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a face mask");
    mask->width = width;
    mask->height = height;
    mask->channels = 1;
    mask->stride = width;
    for (int i = 0; i < count; i++) {
        fu_affine to_crop = fu_align_to_template(faces[i].landmark_5_68, "ffhq_512", 512);
        fu_affine back = fu_affine_invert(&to_crop);
        const facefuse_point corners[4] = {{-25.6f, -25.6f}, {537.6f, -25.6f}, {537.6f, 537.6f}, {-25.6f, 537.6f}};
        facefuse_point quad[4];
        for (int k = 0; k < 4; k++)
            quad[k] = fu_affine_apply(&back, corners[k]);
        fill_quad(mask, quad);
    }
    return FACEFUSE_OK;
}

/* ------------------------------------------------------------ observe */

static double cosine(const float *a, const float *b, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

/* Similarities of face i of the output to the source and to the target. */
static facefuse_status face_identity(fu_quality *q, const facefuse_image *orig_rgb, const facefuse_image *out_rgb,
                                     const facefuse_face *face, float *to_source, float *to_target, fu_err *err)
{
    facefuse_face *pair = malloc(2 * sizeof *pair);
    if (!pair)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the quality report");
    pair[0] = *face;
    pair[1] = *face;
    facefuse_status rc = fu_embed_face(q->ctx, out_rgb, q->recognizer, &pair[0], err);
    if (rc == FACEFUSE_OK && !(q->s.faces_embedded && face->embedding_dim == pair[0].embedding_dim))
        rc = fu_embed_face(q->ctx, orig_rgb, q->recognizer, &pair[1], err);
    if (rc == FACEFUSE_OK) {
        *to_target = (float)cosine(pair[0].normed_embedding, pair[1].normed_embedding, pair[0].embedding_dim);
        *to_source = q->source_dim == pair[0].embedding_dim
                         ? (float)cosine(pair[0].normed_embedding, q->source, q->source_dim) : NAN;
        if (q->source_dim && q->source_dim != pair[0].embedding_dim)
            rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "quality report: the source embedding has %d values, "
                         "recognizer %s gives %d", q->source_dim, q->recognizer, pair[0].embedding_dim);
    }
    free(pair);
    return rc;
}

static int largest(const facefuse_face *faces, int n)
{
    int best = -1;
    double area = -1;
    for (int i = 0; i < n; i++) {
        double a = (faces[i].box[2] - faces[i].box[0]) * (faces[i].box[3] - faces[i].box[1]);
        if (a > area) {
            area = a;
            best = i;
        }
    }
    return best;
}

static void keep_landmarks(fu_quality_frame *f, const facefuse_face *faces, int n)
{
    int i = largest(faces, n);
    if (i < 0)
        return;
    const facefuse_point *p = faces[i].landmark_5_68;
    for (int k = 0; k < 5; k++) {
        f->landmarks[k][0] = p[k].x;
        f->landmarks[k][1] = p[k].y;
    }
    f->eye_distance = hypotf(p[1].x - p[0].x, p[1].y - p[0].y);
    f->has_landmarks = f->eye_distance > 0;
}

static facefuse_status thumbnail(const fu_quality *q, const facefuse_image *out, fu_quality_frame *f, fu_err *err)
{
    facefuse_image small = {0};
    int w = q->s.thumbnail_px < out->width ? q->s.thumbnail_px : out->width;
    int h = (int)lround((double)out->height * w / out->width);
    facefuse_status rc = fu_resize(out, &small, w, h > 0 ? h : 1);
    if (rc != FACEFUSE_OK)
        return fu_fail(err, rc, "out of memory for a thumbnail");
    rc = fu_image_encode("jpg", &small, 75, &f->thumbnail, &f->thumbnail_size, err);
    facefuse_image_free(&small);
    return rc;
}

static double frame_score(int has_source, const fu_quality_frame *f)
{
    double worst = NAN;
    for (int i = 0; i < f->face_values; i++) {
        double v = has_source ? f->identity_source[i] : f->identity_target[i];
        if (!isnan(v) && (isnan(worst) || v < worst))
            worst = v;
    }
    return worst;
}

static facefuse_status store(fu_quality *q, int64_t index, fu_quality_frame *f, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    pthread_mutex_lock(&q->lock);
    if (index >= q->capacity) {
        int64_t cap = q->capacity ? q->capacity : 256;
        while (cap <= index)
            cap *= 2;
        fu_quality_frame *bigger = realloc(q->frames, (size_t)cap * sizeof *bigger);
        if (!bigger) {
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the quality report");
        } else {
            for (int64_t i = q->capacity; i < cap; i++) {
                memset(&bigger[i], 0, sizeof bigger[i]);
                bigger[i].index = -1;
            }
            q->frames = bigger;
            q->capacity = cap;
        }
    }
    if (rc == FACEFUSE_OK) {
        free(q->frames[index].thumbnail);
        q->frames[index] = *f;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

/* Reserves a thumbnail slot; 0 when all are taken. */
static int take_thumbnail(fu_quality *q)
{
    pthread_mutex_lock(&q->lock);
    int ok = q->thumbnails < q->s.max_thumbnails;
    q->thumbnails += ok;
    pthread_mutex_unlock(&q->lock);
    return ok;
}

facefuse_status fu_quality_observe(fu_quality *q, int64_t frame_index, const facefuse_image *original,
                                   const facefuse_image *output, const facefuse_face *faces, int face_count,
                                   const facefuse_face *output_faces, int output_face_count,
                                   const facefuse_image *mask, fu_err *err)
{
    fu_quality_frame f;
    facefuse_image orig_copy = {0}, out_copy = {0}, own_mask = {0};
    if (frame_index < 0 || !original || !output || original->width != output->width ||
        original->height != output->height)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "quality report: frame %lld: original and output differ "
                       "in size", (long long)frame_index);
    memset(&f, 0, sizeof f);
    f.index = frame_index;
    f.faces = face_count;
    f.jitter = NAN;
    /* the recognizer wants RGB: RGBA frames are viewed through a copy */
    const facefuse_image *orig_rgb = original, *out_rgb = output;
    facefuse_status rc = FACEFUSE_OK;
    if (original->channels != 3 && (rc = fu_image_to_rgb(&orig_copy, original)) == FACEFUSE_OK)
        orig_rgb = &orig_copy;
    if (rc == FACEFUSE_OK && output->channels != 3 && (rc = fu_image_to_rgb(&out_copy, output)) == FACEFUSE_OK)
        out_rgb = &out_copy;
    if (rc != FACEFUSE_OK)
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the quality report");
    for (int i = 0; rc == FACEFUSE_OK && i < face_count && i < FU_QUALITY_MAX_FACES; i++) {
        rc = face_identity(q, orig_rgb, out_rgb, &faces[i], &f.identity_source[i], &f.identity_target[i], err);
        f.face_values = i + 1;
    }
    if (rc == FACEFUSE_OK && !mask) {
        rc = fu_quality_face_mask(faces, face_count, original->width, original->height, &own_mask, err);
        mask = &own_mask;
    }
    if (rc == FACEFUSE_OK) {
        f.psnr_outside = fu_psnr_outside(original, output, mask);
        f.ssim_outside = fu_ssim_outside(original, output, mask);
        keep_landmarks(&f, output_faces ? output_faces : faces, output_faces ? output_face_count : face_count);
        double score = frame_score(q->source_dim > 0, &f);
        f.flagged = !isnan(score) && score < q->s.threshold;
        if (f.flagged && take_thumbnail(q))
            rc = thumbnail(q, out_rgb, &f, err);
    }
    if (rc == FACEFUSE_OK)
        rc = store(q, frame_index, &f, err);
    else
        free(f.thumbnail);
    facefuse_image_free(&orig_copy);
    facefuse_image_free(&out_copy);
    free(own_mask.data);
    return rc;
}

/* ------------------------------------------------------------ finish */

double fu_quality_frame_score(const fu_quality_result *r, const fu_quality_frame *f)
{
    return frame_score(r->has_source, f);
}

static void stats_add(fu_quality_stats *s, double v)
{
    if (isnan(v) || isinf(v))
        return;
    if (!s->count || v < s->min)
        s->min = v;
    if (!s->count || v > s->max)
        s->max = v;
    s->mean += v;
    s->count++;
}

static void stats_end(fu_quality_stats *s)
{
    s->mean = s->count ? s->mean / s->count : NAN;
    if (!s->count)
        s->min = s->max = NAN;
}

/* Second difference of the main face's landmarks over frames i-2, i-1, i. */
static double jitter_at(const fu_quality_frame *a, const fu_quality_frame *b, const fu_quality_frame *c)
{
    double sum = 0;
    for (int k = 0; k < 5; k++)
        sum += hypot(c->landmarks[k][0] - 2 * b->landmarks[k][0] + a->landmarks[k][0],
                     c->landmarks[k][1] - 2 * b->landmarks[k][1] + a->landmarks[k][1]);
    return sum / 5 / c->eye_distance;
}

/* Observed frames in order, jitter filled, summary computed. */
static facefuse_status summarise(fu_quality *q, fu_quality_result *r, fu_quality_frame **list, fu_err *err)
{
    int64_t n = 0;
    for (int64_t i = 0; i < q->capacity; i++)
        n += q->frames[i].index >= 0;
    fu_quality_frame *fr = calloc((size_t)(n ? n : 1), sizeof *fr);
    if (!fr)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the quality report");
    int64_t k = 0;
    for (int64_t i = 0; i < q->capacity; i++)
        if (q->frames[i].index >= 0)
            fr[k++] = q->frames[i];
    memset(r, 0, sizeof *r);
    r->settings = &q->s;
    r->recognizer = q->recognizer;
    r->has_source = q->source_dim > 0;
    r->frames = fr;
    r->frame_count = n;
    for (int64_t i = 0; i < n; i++) {
        fu_quality_frame *f = &fr[i];
        if (i >= 2 && f->has_landmarks && fr[i - 1].has_landmarks && fr[i - 2].has_landmarks &&
            fr[i - 1].index == f->index - 1 && fr[i - 2].index == f->index - 2)
            f->jitter = jitter_at(&fr[i - 2], &fr[i - 1], f);
        r->faces += f->faces;
        for (int j = 0; j < f->face_values; j++) {
            stats_add(&r->identity_source, f->identity_source[j]);
            stats_add(&r->identity_target, f->identity_target[j]);
        }
        stats_add(&r->psnr, f->psnr_outside);
        r->untouched_frames += isinf(f->psnr_outside) && f->psnr_outside > 0;
        stats_add(&r->ssim, f->ssim_outside);
        stats_add(&r->jitter, f->jitter);
        r->flagged += f->flagged;
    }
    stats_end(&r->identity_source);
    stats_end(&r->identity_target);
    stats_end(&r->psnr);
    stats_end(&r->ssim);
    stats_end(&r->jitter);
    *list = fr;
    return FACEFUSE_OK;
}

facefuse_status fu_quality_finish(fu_quality *q, fu_err *err)
{
    fu_quality_result r;
    fu_quality_frame *list = NULL;
    fu_output out;
    char ext[16];

    facefuse_status rc = summarise(q, &r, &list, err);
    if (rc != FACEFUSE_OK)
        return rc;
    rc = fu_output_begin(&out, q->path, err);
    FILE *f = rc == FACEFUSE_OK ? fopen(out.temp_path, "wb") : NULL;
    if (rc == FACEFUSE_OK && !f)
        rc = fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s", out.temp_path);
    if (rc == FACEFUSE_OK) {
        fu_path_extension(q->path, ext, sizeof ext);
        rc = strcmp(ext, "json") ? fu_quality_write_html(&r, f, err) : fu_quality_write_json(&r, f, err);
    }
    if (f && fclose(f) != 0 && rc == FACEFUSE_OK)
        rc = fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s", q->path);
    if (rc == FACEFUSE_OK)
        rc = fu_output_commit(&out, err);
    else
        fu_output_abort(&out);
    if (rc == FACEFUSE_OK)
        fu_info("quality report: %lld frames, %lld flagged below %.2f, written to %s", (long long)r.frame_count,
                (long long)r.flagged, (double)q->s.threshold, q->path);
    free(list);
    return rc;
}

/* ------------------------------------------------------------ JSON */

static void json_number(FILE *o, double v)
{
    if (isnan(v))
        fputs("null", o);
    else if (isinf(v))
        fputs(v > 0 ? "\"inf\"" : "\"-inf\"", o);
    else
        fprintf(o, "%.4f", v);
}

static void json_stats(FILE *o, const char *name, const fu_quality_stats *s)
{
    fprintf(o, "\"%s\": {\"mean\": ", name);
    json_number(o, s->mean);
    fputs(", \"min\": ", o);
    json_number(o, s->min);
    fputs(", \"max\": ", o);
    json_number(o, s->max);
    fprintf(o, ", \"count\": %lld}", (long long)s->count);
}

static void json_string(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(o, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(o, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, o);
    }
    fputc('"', o);
}

static void json_frame(FILE *o, const fu_quality_result *r, const fu_quality_frame *f)
{
    fprintf(o, "    {\"frame\": %lld, \"faces\": %d, \"identity_to_source\": [", (long long)f->index, f->faces);
    for (int i = 0; i < f->face_values; i++) {
        fputs(i ? ", " : "", o);
        json_number(o, r->has_source ? f->identity_source[i] : NAN);
    }
    fputs("], \"identity_to_target\": [", o);
    for (int i = 0; i < f->face_values; i++) {
        fputs(i ? ", " : "", o);
        json_number(o, f->identity_target[i]);
    }
    fputs("], \"psnr_outside_masks_db\": ", o);
    json_number(o, f->psnr_outside);
    fputs(", \"ssim_outside_masks\": ", o);
    json_number(o, f->ssim_outside);
    fputs(", \"landmark_jitter\": ", o);
    json_number(o, f->jitter);
    fprintf(o, ", \"flagged\": %s}", f->flagged ? "true" : "false");
}

facefuse_status fu_quality_write_json(const fu_quality_result *r, FILE *o, fu_err *err)
{
    fprintf(o, "{\n  \"generator\": \"facefuse\", \"version\": \"%s\", \"recognizer\": ", facefuse_version());
    json_string(o, r->recognizer);
    fprintf(o, ", \"threshold\": %.4f, \"flagged_by\": \"%s\",\n  \"summary\": {\"frames\": %lld, "
               "\"faces_processed\": %lld, ",
            (double)r->settings->threshold, r->has_source ? "identity_to_source" : "identity_to_target",
            (long long)r->frame_count, (long long)r->faces);
    json_stats(o, "identity_to_source", &r->identity_source);
    fputs(", ", o);
    json_stats(o, "identity_to_target", &r->identity_target);
    fputs(",\n    ", o);
    json_stats(o, "psnr_outside_masks_db", &r->psnr);
    fprintf(o, ", \"frames_untouched_outside_masks\": %lld, ", (long long)r->untouched_frames);
    json_stats(o, "ssim_outside_masks", &r->ssim);
    fputs(", ", o);
    json_stats(o, "landmark_jitter", &r->jitter);
    fputs(",\n    \"flagged_frames\": [", o);
    int64_t listed = 0;
    for (int64_t i = 0; i < r->frame_count; i++)
        if (r->frames[i].flagged)
            fprintf(o, "%s%lld", listed++ ? ", " : "", (long long)r->frames[i].index);
    fputs("]},\n  \"frames\": [\n", o);
    for (int64_t i = 0; i < r->frame_count; i++) {
        json_frame(o, r, &r->frames[i]);
        fputs(i + 1 < r->frame_count ? ",\n" : "\n", o);
    }
    fputs("  ]\n}\n", o);
    return ferror(o) ? fu_fail(err, FACEFUSE_ERR_IO, "cannot write the quality report") : FACEFUSE_OK;
}
