/*
 * track.c — the face tracker (see track.h): scheduling of full detections,
 * region detections on the detector's own grid, association of detections
 * with tracks, identities carried by tracks, FaceFusion's refill of missed
 * detections, and smoothing as results leave in order.
 */
#include "face/track.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/log.h"
#include "face/analyse.h"
#include "infer/context.h"
#include "media/resize.h"

#define MAX_TRACKS 64
#define THUMB_W 32
#define THUMB_H 18
#define GRID_PX 32                /* the detectors' largest stride */
#define DEFAULT_LINK_IOU 0.2f
#define SAME_PERSON_DISTANCE 0.3f /* FaceFusion's default reference distance */
#define PAIR_DISTANCE_GATE 0.45f  /* an embedding this far is never the track's */
#define EMBEDDING_REFRESH_S 1.0
#define DORMANT_KEEP_S 10.0

enum track_state { TRACK_FREE = 0, TRACK_ACTIVE, TRACK_DORMANT };

typedef struct track {
    int id;
    int state;
    int64_t last_seen;            /* sequence number of the last measurement */
    double last_time_s;
    facefuse_face face;           /* the last measured face, unsmoothed */
    fu_detection det;             /* its detection, in the run detector's terms */
    fu_detection tdet;            /* the same face as the region detector sees it */
    fu_detection anchor_det;      /* run detector at the last full detection */
    fu_detection anchor_tdet;     /* region detector at that frame */
    float vel[4];                 /* box velocity, px a frame */
    int has_embedding;
    double embedding_time_s;
} track;

typedef struct frame_rec {
    int64_t seq, index;
    double time_s;
    int cut, full;
    facefuse_face *faces;
    int *ids;
    unsigned char *origins;
    int count, cap;
} frame_rec;

#define MAX_WINDOW 10

typedef struct smoother_slot {
    int id;                       /* 0: free */
    int64_t last_seq;
    fu_face_smoother s;           /* live */
    fu_face_geometry past[MAX_WINDOW]; /* files: the raw geometry of the last frames, newest first */
    int64_t past_seq[MAX_WINDOW];
    int n_past;
} smoother_slot;

/* The detector's input canvas of the current frame: the frame padded by the
 * margins and scaled down as the detector letterboxes it. Frame coordinates
 * are canvas · ratio − left/top. */
typedef struct canvas {
    facefuse_image image;         /* owned when `owned` */
    const facefuse_image *view;
    int owned, ready;
    float ratio_x, ratio_y;
    int left, top;
} canvas;

struct fu_tracker {
    facefuse_context *ctx;
    fu_track_settings set;
    facefuse_analysis_params full;    /* the run's analysis */
    facefuse_analysis_params light;   /* landmarks only: identity is carried */
    facefuse_analysis_params region;  /* the region detector, no margins */
    int region_is_run_detector;
    int region_size;                  /* the region detector's full input size */
    int interval;
    int lookahead;
    float link_iou;
    int has_identity;                 /* a recognizer or classifier is set */
    track tracks[MAX_TRACKS];
    int next_id;
    int64_t seq;                      /* sequence number of the next frame */
    int64_t last_full;
    uint8_t thumb[THUMB_W * THUMB_H];
    int has_thumb;
    frame_rec *queue;
    int queue_count, queue_cap;
    smoother_slot smoothers[MAX_TRACKS];
    fu_track_stats stats;
    /* the frame being pushed */
    const facefuse_image *rgb;
    double time_s;
    canvas cv;
};

fu_track_settings fu_track_default_settings(void)
{
    fu_track_settings s;
    memset(&s, 0, sizeof s);
    s.detector_interval = 1;
    s.tracker_score = 0;
    s.frame_amount = 0;
    s.smoothing = 0;
    s.smooth_window = 3;
    s.smooth = fu_smooth_default_settings();
    s.cut_threshold = 24.0f;
    return s;
}

fu_track_settings fu_track_settings_of(const fu_face_tracker_settings *o)
{
    fu_track_settings s = fu_track_default_settings();
    s.detector_interval = o->detector_interval > 0 ? o->detector_interval : 1;
    s.smoothing = o->landmark_smoothing && strcmp(o->landmark_smoothing, "on") == 0;
    s.tracker_score = o->tracker_score;
    s.frame_amount = o->frame_amount > 0 ? o->frame_amount : 0;
    return s;
}

void fu_track_frame_clear(fu_track_frame *f)
{
    free(f->faces);
    free(f->track_ids);
    free(f->origins);
    memset(f, 0, sizeof *f);
}

/* ------------------------------------------------------------ geometry */

static float box_iou(const float a[4], const float b[4])
{
    float x1 = fmaxf(a[0], b[0]), y1 = fmaxf(a[1], b[1]);
    float x2 = fminf(a[2], b[2]), y2 = fminf(a[3], b[3]);
    float inter = fmaxf(0, x2 - x1) * fmaxf(0, y2 - y1);
    float uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    return uni > 0 ? inter / uni : 0;
}

/* The box a track expects at sequence seq: its last box moved by its velocity. */
static void predicted_box(const track *tr, const fu_detection *from, int64_t seq, float out[4])
{
    float gap = (float)(seq - tr->last_seen);
    for (int k = 0; k < 4; k++)
        out[k] = from->box[k] + tr->vel[k] * gap;
}

static void lerp_points(facefuse_point *out, const facefuse_point *a, const facefuse_point *b, int n, float f)
{
    for (int i = 0; i < n; i++) {
        out[i].x = a[i].x + (b[i].x - a[i].x) * f;
        out[i].y = a[i].y + (b[i].y - a[i].y) * f;
    }
}

/* anchor + (now − then), point by point: the region detector's motion
 * applied to the run detector's geometry. */
static fu_detection moved_detection(const fu_detection *anchor, const fu_detection *then, const fu_detection *now)
{
    fu_detection d = *anchor;
    for (int k = 0; k < 4; k++)
        d.box[k] += now->box[k] - then->box[k];
    for (int i = 0; i < 5; i++) {
        d.landmark_5[i].x += now->landmark_5[i].x - then->landmark_5[i].x;
        d.landmark_5[i].y += now->landmark_5[i].y - then->landmark_5[i].y;
    }
    d.score = now->score;
    return d;
}

/* ------------------------------------------------------------ setup */

static int has_dynamic_input(const char *model)
{
    return strcmp(model, "scrfd") == 0 || strcmp(model, "retinaface") == 0;
}

static facefuse_status check_settings(const fu_track_settings *s, fu_err *err)
{
    if (s->detector_interval < 1 || s->detector_interval > 1000)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face detector interval %d is not in 1..1000",
                       s->detector_interval);
    if (!(s->tracker_score >= 0 && s->tracker_score <= 0.5f))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face tracker score %g is not in 0..0.5",
                       s->tracker_score);
    if (s->frame_amount < 0 || s->frame_amount > 10)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "target frame amount %d is not in 0..10",
                       s->frame_amount);
    if (s->smoothing && !s->live && (s->smooth_window < 1 || s->smooth_window > MAX_WINDOW))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "landmark smoothing window %d is not in 1..%d",
                       s->smooth_window, MAX_WINDOW);
    return FACEFUSE_OK;
}

/* Chooses the region detector: the run's own when it takes any input size,
 * scrfd (motion only) for yolo_face and "many", none for yunet (cheaper in
 * full than a region search). Without one, every frame gets a full detection. */
static void choose_region_detector(fu_tracker *t)
{
    const char *want = t->set.region_detector;
    t->region = t->full;
    t->region.recognizer_model = NULL;
    t->region.classifier_model = NULL;
    memset(t->region.detector_margin, 0, sizeof t->region.detector_margin);
    if (!want)
        want = has_dynamic_input(t->full.detector_model) ? t->full.detector_model
               : strcmp(t->full.detector_model, "yunet") == 0 ? NULL : "scrfd";
    if (!want) {
        t->interval = 1;
        return;
    }
    t->region_is_run_detector = strcmp(want, t->full.detector_model) == 0;
    if (t->region_is_run_detector) {
        t->region_size = t->full.detector_size > 0 ? t->full.detector_size : 640;
        return;
    }
    t->region.detector_model = want;
    t->region_size = 640;
    if (t->interval <= 1)
        return;
    fu_session *s;
    fu_err why;
    fu_err_clear(&why);
    if (fu_context_session(t->ctx, want, &s, NULL, &why) != FACEFUSE_OK) {
        fu_warn("%s; tracking needs it with the %s detector, so faces are detected on every frame", why.msg,
                t->full.detector_model);
        t->interval = 1;
    }
}

facefuse_status fu_tracker_new(facefuse_context *ctx, const facefuse_analysis_params *analysis,
                               const fu_track_settings *settings, fu_tracker **out, fu_err *err)
{
    facefuse_status rc;

    *out = NULL;
    if (!ctx || !analysis || !settings || !analysis->detector_model)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face tracker: missing context or settings");
    if ((rc = check_settings(settings, err)) != FACEFUSE_OK)
        return rc;
    if (settings->region_detector && !has_dynamic_input(settings->region_detector))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "face tracking needs a detector that takes any input size (scrfd, retinaface), not %s",
                       settings->region_detector);
    fu_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the face tracker");
    t->ctx = ctx;
    t->set = *settings;
    if (t->set.cut_threshold <= 0)
        t->set.cut_threshold = 24.0f;
    if (t->set.smooth.min_cutoff_hz <= 0)
        t->set.smooth = fu_smooth_default_settings();
    t->full = *analysis;
    t->light = *analysis;
    t->light.recognizer_model = NULL;
    t->light.classifier_model = NULL;
    t->has_identity = analysis->recognizer_model != NULL || analysis->classifier_model != NULL;
    t->interval = settings->detector_interval;
    t->link_iou = settings->tracker_score > 0 ? settings->tracker_score : DEFAULT_LINK_IOU;
    t->lookahead = !settings->live && settings->tracker_score > 0 ? settings->frame_amount : 0;
    if (!settings->live && settings->smoothing && settings->smooth_window > t->lookahead)
        t->lookahead = settings->smooth_window;
    t->next_id = 1;
    choose_region_detector(t);
    *out = t;
    return FACEFUSE_OK;
}

static void clear_rec(frame_rec *r)
{
    free(r->faces);
    free(r->ids);
    free(r->origins);
    memset(r, 0, sizeof *r);
}

void fu_tracker_free(fu_tracker *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->queue_count; i++)
        clear_rec(&t->queue[i]);
    free(t->queue);
    if (t->cv.owned)
        facefuse_image_free(&t->cv.image);
    free(t);
}

int fu_tracker_lookahead(const fu_tracker *t)
{
    return t->lookahead;
}

fu_track_stats fu_tracker_stats(const fu_tracker *t)
{
    return t->stats;
}

/* ------------------------------------------------------------ pending frames */

static frame_rec *queue_append(fu_tracker *t, fu_err *err)
{
    if (t->queue_count == t->queue_cap) {
        int cap = t->queue_cap ? t->queue_cap * 2 : 4;
        frame_rec *q = realloc(t->queue, (size_t)cap * sizeof *q);
        if (!q) {
            fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory in the face tracker");
            return NULL;
        }
        t->queue = q;
        t->queue_cap = cap;
    }
    frame_rec *r = &t->queue[t->queue_count++];
    memset(r, 0, sizeof *r);
    return r;
}

static frame_rec *queue_find(fu_tracker *t, int64_t seq)
{
    for (int i = 0; i < t->queue_count; i++)
        if (t->queue[i].seq == seq)
            return &t->queue[i];
    return NULL;
}

static facefuse_status rec_add(frame_rec *r, const facefuse_face *face, int id, fu_face_origin origin, fu_err *err)
{
    if (r->count == r->cap) {
        int cap = r->cap ? r->cap * 2 : 4;
        facefuse_face *f = realloc(r->faces, (size_t)cap * sizeof *f);
        if (f)
            r->faces = f;
        int *ids = f ? realloc(r->ids, (size_t)cap * sizeof *ids) : NULL;
        if (ids)
            r->ids = ids;
        unsigned char *o = ids ? realloc(r->origins, (size_t)cap) : NULL;
        if (!o)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory in the face tracker");
        r->origins = o;
        r->cap = cap;
    }
    r->faces[r->count] = *face;
    r->ids[r->count] = id;
    r->origins[r->count] = (unsigned char)origin;
    r->count++;
    return FACEFUSE_OK;
}

/* ------------------------------------------------------------ scene cuts */

/* A 32×18 grey thumbnail: each cell the mean of an 8×8 sample grid. */
static void make_thumb(const facefuse_image *im, uint8_t *thumb)
{
    for (int ty = 0; ty < THUMB_H; ty++) {
        for (int tx = 0; tx < THUMB_W; tx++) {
            int x0 = tx * im->width / THUMB_W, x1 = (tx + 1) * im->width / THUMB_W;
            int y0 = ty * im->height / THUMB_H, y1 = (ty + 1) * im->height / THUMB_H;
            unsigned sum = 0, n = 0;
            for (int sy = 0; sy < 8; sy++) {
                int y = y0 + (y1 - y0) * sy / 8;
                for (int sx = 0; sx < 8; sx++) {
                    const uint8_t *p = fu_pixel(im, x0 + (x1 - x0) * sx / 8, y);
                    sum += (unsigned)(p[0] * 77 + p[1] * 150 + p[2] * 29) >> 8;
                    n++;
                }
            }
            thumb[ty * THUMB_W + tx] = (uint8_t)(n ? sum / n : 0);
        }
    }
}

static int scene_cut(fu_tracker *t)
{
    uint8_t thumb[THUMB_W * THUMB_H];
    make_thumb(t->rgb, thumb);
    int cut = 0;
    if (t->has_thumb) {
        unsigned diff = 0;
        for (int i = 0; i < THUMB_W * THUMB_H; i++)
            diff += (unsigned)abs((int)thumb[i] - (int)t->thumb[i]);
        cut = (float)diff / (THUMB_W * THUMB_H) > t->set.cut_threshold;
    }
    memcpy(t->thumb, thumb, sizeof thumb);
    t->has_thumb = 1;
    return cut;
}

/* ------------------------------------------------------------ region detection */

/* The region detector's canvas for the current frame, made on first need. */
static facefuse_status ensure_canvas(fu_tracker *t, fu_err *err)
{
    canvas *c = &t->cv;
    if (c->ready)
        return FACEFUSE_OK;
    const facefuse_image *f = t->rgb;
    const int *m = t->full.detector_margin;
    int top = 0, left = 0, w = f->width, h = f->height;
    if (t->region_is_run_detector) { /* the margins the full detector pads with */
        top = (int)(h * m[0] / 100.0 * 0.5);
        left = (int)(w * m[3] / 100.0 * 0.5);
        w += left + (int)(f->width * m[1] / 100.0 * 0.5);
        h += top + (int)(f->height * m[2] / 100.0 * 0.5);
    }
    int size = t->region_size;
    c->left = left;
    c->top = top;
    if (w <= size && h <= size && !left && !top && w == f->width && h == f->height) {
        c->view = f;
        c->ratio_x = c->ratio_y = 1;
        c->ready = 1;
        return FACEFUSE_OK;
    }
    facefuse_image padded = {0};
    const facefuse_image *src = f;
    if (w != f->width || h != f->height) {
        if (facefuse_image_alloc(&padded, w, h, 3) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the tracker's canvas");
        for (int y = 0; y < f->height; y++)
            memcpy(fu_pixel(&padded, left, y + top), fu_pixel(f, 0, y), (size_t)f->width * 3);
        src = &padded;
    }
    double scale = w > size || h > size ? fmin((double)size / h, (double)size / w) : 1.0;
    int nw = (int)(w * scale), nh = (int)(h * scale);
    nw = nw < 1 ? 1 : nw;
    nh = nh < 1 ? 1 : nh;
    facefuse_status rc = FACEFUSE_OK;
    if (nw != w || nh != h) {
        if (fu_resize(src, &c->image, nw, nh) != FACEFUSE_OK)
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for the tracker's canvas");
        facefuse_image_free(&padded);
    } else {
        c->image = padded; /* padded only */
    }
    if (rc != FACEFUSE_OK)
        return rc;
    c->owned = 1;
    c->view = &c->image;
    c->ratio_x = (float)w / c->image.width;
    c->ratio_y = (float)h / c->image.height;
    c->ready = 1;
    return FACEFUSE_OK;
}

static void release_canvas(fu_tracker *t)
{
    if (t->cv.owned)
        facefuse_image_free(&t->cv.image);
    memset(&t->cv, 0, sizeof t->cv);
}

/* Runs the region detector on a square of the canvas around `box` (frame
 * px) grown by `grow_px` on each side, and returns the detection that best
 * overlaps `box` (IoU at least min_iou). *found is 0 when none; *too_big
 * when the region would be as large as the whole canvas. */
static facefuse_status detect_in_region(fu_tracker *t, const float box[4], float grow_px, float min_iou,
                                        fu_detection *best, int *found, int *too_big, fu_err *err)
{
    facefuse_status rc = ensure_canvas(t, err);
    *found = 0;
    *too_big = 0;
    if (rc != FACEFUSE_OK)
        return rc;
    canvas *c = &t->cv;
    float side_px = fmaxf(box[2] - box[0], box[3] - box[1]) + 2 * grow_px;
    float side_c = side_px / fminf(c->ratio_x, c->ratio_y) + GRID_PX;
    int size = ((int)ceilf(side_c) + GRID_PX - 1) / GRID_PX * GRID_PX;
    if (size < 2 * GRID_PX)
        size = 2 * GRID_PX;
    if (size >= t->region_size || (size >= c->view->width && size >= c->view->height)) {
        *too_big = 1;
        return FACEFUSE_OK;
    }
    float cx = ((box[0] + box[2]) * 0.5f + c->left) / c->ratio_x;
    float cy = ((box[1] + box[3]) * 0.5f + c->top) / c->ratio_y;
    int x0 = (int)floorf((cx - size * 0.5f) / GRID_PX) * GRID_PX;
    int y0 = (int)floorf((cy - size * 0.5f) / GRID_PX) * GRID_PX;

    facefuse_image roi = {0};
    if (facefuse_image_alloc(&roi, size, size, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for a tracking region");
    int sx0 = x0 < 0 ? 0 : x0, sx1 = x0 + size > c->view->width ? c->view->width : x0 + size;
    for (int y = y0 < 0 ? 0 : y0; y < y0 + size && y < c->view->height; y++)
        if (sx1 > sx0)
            memcpy(fu_pixel(&roi, sx0 - x0, y - y0), fu_pixel(c->view, sx0, y), (size_t)(sx1 - sx0) * 3);
    facefuse_analysis_params p = t->region;
    p.detector_size = size;
    fu_detection *dets = NULL;
    int n = 0;
    rc = fu_detect_faces(t->ctx, &roi, &p, &dets, &n, err);
    facefuse_image_free(&roi);
    if (rc != FACEFUSE_OK)
        return rc;
    t->stats.region_detections++;
    float best_iou = min_iou;
    for (int i = 0; i < n; i++) {
        fu_detection d = dets[i];
        for (int k = 0; k < 4; k++)
            d.box[k] = (d.box[k] + (k % 2 ? y0 : x0)) * (k % 2 ? c->ratio_y : c->ratio_x) -
                       (k % 2 ? c->top : c->left);
        for (int k = 0; k < 5; k++) {
            d.landmark_5[k].x = (d.landmark_5[k].x + x0) * c->ratio_x - c->left;
            d.landmark_5[k].y = (d.landmark_5[k].y + y0) * c->ratio_y - c->top;
        }
        float iou = box_iou(d.box, box);
        if (iou >= best_iou) {
            best_iou = iou;
            *best = d;
            *found = 1;
        }
    }
    free(dets);
    return FACEFUSE_OK;
}

/* How far a track may have moved since it was seen, px. */
static float motion_allowance(const track *tr, int64_t seq)
{
    float v = 0;
    for (int k = 0; k < 4; k++)
        v = fmaxf(v, fabsf(tr->vel[k]));
    float side = fmaxf(tr->det.box[2] - tr->det.box[0], tr->det.box[3] - tr->det.box[1]);
    return side * 0.5f + 2 * v * (float)(seq - tr->last_seen);
}

/* ------------------------------------------------------------ track updates */

static void carry_identity(facefuse_face *face, const facefuse_face *from)
{
    face->embedding_dim = from->embedding_dim;
    memcpy(face->embedding, from->embedding, sizeof face->embedding);
    memcpy(face->normed_embedding, from->normed_embedding, sizeof face->normed_embedding);
    face->gender = from->gender;
    face->race = from->race;
    face->age_start = from->age_start;
    face->age_end = from->age_end;
}

/* FaceFusion's refill: the frames between a track's last sighting and now
 * whose ±k window holds both get a face interpolated between the two. */
static facefuse_status refill(fu_tracker *t, const track *tr, const facefuse_face *now, int64_t seq, fu_err *err)
{
    int64_t last = tr->last_seen, k = t->set.live ? 0 : t->set.frame_amount;
    if (k <= 0)
        return FACEFUSE_OK;
    for (int64_t x = last + 1; x < seq; x++) {
        frame_rec *r = queue_find(t, x);
        if (!r || x < seq - k || x > last + k)
            continue;
        float f = (float)(x - last) / (float)(seq - last);
        const facefuse_face *anchor = f < 0.5f ? &tr->face : now;
        facefuse_face face = *anchor;
        for (int i = 0; i < 4; i++)
            face.box[i] = tr->face.box[i] + (now->box[i] - tr->face.box[i]) * f;
        lerp_points(face.landmark_5, tr->face.landmark_5, now->landmark_5, 5, f);
        lerp_points(face.landmark_5_68, tr->face.landmark_5_68, now->landmark_5_68, 5, f);
        lerp_points(face.landmark_68, tr->face.landmark_68, now->landmark_68, 68, f);
        lerp_points(face.landmark_68_5, tr->face.landmark_68_5, now->landmark_68_5, 68, f);
        facefuse_status rc = rec_add(r, &face, tr->id, FU_FACE_REFILLED, err);
        if (rc != FACEFUSE_OK)
            return rc;
        t->stats.refilled++;
    }
    return FACEFUSE_OK;
}

/* Records a new measurement of tr: velocity, refill, identity, the frame's face. */
static facefuse_status track_measured(fu_tracker *t, track *tr, facefuse_face *face, const fu_detection *det,
                                      const fu_detection *tdet, int embedded, frame_rec *rec,
                                      fu_face_origin origin, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    int64_t seq = rec->seq;
    if (tr->state == TRACK_ACTIVE) {
        float gap = (float)(seq - tr->last_seen);
        for (int k = 0; k < 4; k++)
            tr->vel[k] = 0.5f * tr->vel[k] + 0.5f * (det->box[k] - tr->det.box[k]) / gap;
    } else {
        memset(tr->vel, 0, sizeof tr->vel);
        if (tr->state == TRACK_DORMANT && t->set.tracker_score > 0)
            rc = refill(t, tr, face, seq, err);
    }
    if (embedded) {
        tr->has_embedding = face->embedding_dim > 0;
        tr->embedding_time_s = t->time_s;
    } else if (tr->state != TRACK_FREE) {
        carry_identity(face, &tr->face);
    }
    tr->state = TRACK_ACTIVE;
    tr->last_seen = seq;
    tr->last_time_s = t->time_s;
    tr->face = *face;
    tr->det = *det;
    tr->tdet = *tdet;
    if (rc == FACEFUSE_OK)
        rc = rec_add(rec, face, tr->id, origin, err);
    return rc;
}

static track *new_track(fu_tracker *t)
{
    track *slot = NULL;
    for (int i = 0; i < MAX_TRACKS && !slot; i++)
        if (t->tracks[i].state == TRACK_FREE)
            slot = &t->tracks[i];
    for (int i = 0; i < MAX_TRACKS && !slot; i++) /* else the longest lost */
        if (t->tracks[i].state == TRACK_DORMANT) {
            slot = &t->tracks[i];
            for (int j = i + 1; j < MAX_TRACKS; j++)
                if (t->tracks[j].state == TRACK_DORMANT && t->tracks[j].last_seen < slot->last_seen)
                    slot = &t->tracks[j];
        }
    if (!slot)
        return NULL;
    memset(slot, 0, sizeof *slot);
    slot->id = t->next_id++;
    slot->state = TRACK_FREE; /* becomes active when measured */
    return slot;
}

static void forget_old_tracks(fu_tracker *t)
{
    for (int i = 0; i < MAX_TRACKS; i++)
        if (t->tracks[i].state == TRACK_DORMANT && t->time_s - t->tracks[i].last_time_s > DORMANT_KEEP_S)
            t->tracks[i].state = TRACK_FREE;
}

/* ------------------------------------------------------------ region step */

/* Follows every active track in its region. *lost when one is not found
 * (nothing is changed then: the caller runs a full detection instead). */
static facefuse_status region_step(fu_tracker *t, frame_rec *rec, int *lost, fu_err *err)
{
    fu_detection det[MAX_TRACKS], tdet[MAX_TRACKS];
    int which[MAX_TRACKS], n = 0;
    facefuse_status rc = FACEFUSE_OK;

    *lost = 0;
    for (int i = 0; i < MAX_TRACKS && rc == FACEFUSE_OK && !*lost; i++) {
        track *tr = &t->tracks[i];
        if (tr->state != TRACK_ACTIVE)
            continue;
        float pred[4];
        int found, too_big;
        predicted_box(tr, &tr->tdet, rec->seq, pred);
        rc = detect_in_region(t, pred, motion_allowance(tr, rec->seq), t->link_iou, &tdet[n], &found, &too_big,
                              err);
        if (rc != FACEFUSE_OK)
            break;
        if (!found || too_big) {
            *lost = 1;
            if (!too_big)
                t->stats.lost++;
            break;
        }
        det[n] = t->region_is_run_detector ? tdet[n] : moved_detection(&tr->anchor_det, &tr->anchor_tdet, &tdet[n]);
        which[n++] = i;
    }
    if (rc != FACEFUSE_OK || *lost)
        return rc;
    for (int j = 0; j < n && rc == FACEFUSE_OK; j++) {
        facefuse_face face;
        track *tr = &t->tracks[which[j]];
        rc = fu_analyse_face(t->ctx, t->rgb, &t->light, &det[j], &face, err);
        if (rc == FACEFUSE_OK)
            rc = track_measured(t, tr, &face, &det[j], &tdet[j], 0, rec, FU_FACE_TRACKED, err);
    }
    return rc;
}

/* ------------------------------------------------------------ full step */

typedef struct assoc {
    fu_detection *dets;
    int n;
    float iou[MAX_TRACKS][MAX_TRACKS];   /* [track][det], detections past MAX_TRACKS are ignored */
    facefuse_face faces[MAX_TRACKS];
    int embedded[MAX_TRACKS];
    int track_of[MAX_TRACKS];            /* index in t->tracks, -1 */
    int det_of[MAX_TRACKS];              /* per track slot, -1 */
} assoc;

/* A dormant track can be linked by overlap for this many frames after it was
 * lost: FaceFusion's window of 2k + 1 frames spans gaps of up to 2k. */
static int64_t relink_frames(const fu_tracker *t)
{
    int64_t k = 2 * (int64_t)t->set.frame_amount;
    int64_t i = 2 * (int64_t)t->interval;
    return k > i ? k : i;
}

static int linkable(const fu_tracker *t, const track *tr, int64_t seq)
{
    return tr->state == TRACK_ACTIVE || (tr->state == TRACK_DORMANT && seq - tr->last_seen <= relink_frames(t));
}

static void overlap_matrix(fu_tracker *t, assoc *a, int64_t seq)
{
    for (int i = 0; i < MAX_TRACKS; i++) {
        const track *tr = &t->tracks[i];
        float pred[4] = {0, 0, 0, 0};
        if (linkable(t, tr, seq)) {
            if (tr->state == TRACK_ACTIVE)
                predicted_box(tr, &tr->det, seq, pred);
            else
                memcpy(pred, tr->det.box, sizeof pred);
        }
        for (int j = 0; j < a->n; j++)
            a->iou[i][j] = linkable(t, tr, seq) ? box_iou(pred, a->dets[j].box) : 0;
    }
}

/* Which detections need an embedding: those that start a track, whose
 * overlap is ambiguous, or whose track's identity is over a second old
 * (every one at detector interval 1: the analysis of each frame alone). */
static void embedding_needs(fu_tracker *t, const assoc *a, int need[])
{
    for (int j = 0; j < a->n; j++) {
        int candidates = 0, cand = -1;
        for (int i = 0; i < MAX_TRACKS; i++)
            if (a->iou[i][j] > t->link_iou) {
                candidates++;
                cand = i;
            }
        int rivals = 0;
        for (int jj = 0; cand >= 0 && jj < a->n; jj++)
            rivals += a->iou[cand][jj] > t->link_iou;
        const track *tr = cand >= 0 ? &t->tracks[cand] : NULL;
        need[j] = t->has_identity &&
                  (t->set.detector_interval <= 1 || candidates != 1 || rivals != 1 || !tr->has_embedding ||
                   t->time_s - tr->embedding_time_s >= EMBEDDING_REFRESH_S);
    }
}

/* Greedy matching: first pairs both of whose identities are known, closest
 * first (under the gate); then the rest by overlap, largest first. */
static void match(fu_tracker *t, assoc *a)
{
    for (int i = 0; i < MAX_TRACKS; i++)
        a->det_of[i] = -1;
    for (int j = 0; j < a->n; j++)
        a->track_of[j] = -1;
    for (int pass = 0; pass < 2; pass++) {
        for (;;) {
            int bi = -1, bj = -1;
            float best = pass == 0 ? PAIR_DISTANCE_GATE : t->link_iou;
            for (int i = 0; i < MAX_TRACKS; i++) {
                if (a->det_of[i] >= 0)
                    continue;
                for (int j = 0; j < a->n; j++) {
                    if (a->track_of[j] >= 0 || a->iou[i][j] <= t->link_iou)
                        continue;
                    if (pass == 0) {
                        if (!a->embedded[j] || !t->tracks[i].has_embedding)
                            continue;
                        float d = facefuse_face_distance(&a->faces[j], &t->tracks[i].face);
                        if (d < best)
                            best = d, bi = i, bj = j;
                    } else if (a->iou[i][j] > best &&
                               !(a->embedded[j] && t->tracks[i].has_embedding &&
                                 facefuse_face_distance(&a->faces[j], &t->tracks[i].face) >= PAIR_DISTANCE_GATE)) {
                        best = a->iou[i][j], bi = i, bj = j;
                    }
                }
            }
            if (bi < 0)
                break;
            a->det_of[bi] = bj;
            a->track_of[bj] = bi;
        }
    }
}

/* A lost track of the same person for an unmatched detection, or -1. */
static int reidentify(fu_tracker *t, const assoc *a, int j)
{
    int best = -1;
    float best_d = SAME_PERSON_DISTANCE;
    if (!a->embedded[j] || a->faces[j].embedding_dim == 0)
        return -1;
    for (int i = 0; i < MAX_TRACKS; i++) {
        const track *tr = &t->tracks[i];
        if (tr->state != TRACK_DORMANT || !tr->has_embedding || a->det_of[i] >= 0)
            continue;
        float d = facefuse_face_distance(&a->faces[j], &tr->face);
        if (d < best_d)
            best_d = d, best = i;
    }
    return best;
}

/* The region detector's view of a freshly detected face, for tracks whose
 * region detector is not the run's (its motion is applied to this anchor). */
static facefuse_status anchor_region_view(fu_tracker *t, const fu_detection *det, fu_detection *out, fu_err *err)
{
    int found = 0, too_big = 0;
    facefuse_status rc = detect_in_region(t, det->box, 0.5f * (det->box[2] - det->box[0]), 0.3f, out, &found,
                                          &too_big, err);
    if (rc == FACEFUSE_OK && !found)
        *out = *det;
    return rc;
}

static facefuse_status full_step(fu_tracker *t, frame_rec *rec, fu_err *err)
{
    assoc *a = calloc(1, sizeof *a);
    int need[MAX_TRACKS];
    facefuse_status rc;

    if (!a)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory in the face tracker");
    rec->full = 1;
    t->last_full = rec->seq;
    t->stats.full_detections++;
    rc = fu_detect_faces(t->ctx, t->rgb, &t->full, &a->dets, &a->n, err);
    if (a->n > MAX_TRACKS)
        a->n = MAX_TRACKS;
    if (rc == FACEFUSE_OK) {
        overlap_matrix(t, a, rec->seq);
        embedding_needs(t, a, need);
    }
    for (int j = 0; j < a->n && rc == FACEFUSE_OK; j++) {
        a->embedded[j] = need[j];
        rc = fu_analyse_face(t->ctx, t->rgb, need[j] ? &t->full : &t->light, &a->dets[j], &a->faces[j], err);
        t->stats.embeddings += need[j];
    }
    if (rc == FACEFUSE_OK)
        match(t, a);
    for (int j = 0; j < a->n && rc == FACEFUSE_OK; j++) {
        int i = a->track_of[j];
        if (i < 0 && (i = reidentify(t, a, j)) >= 0) {
            a->track_of[j] = i;
            a->det_of[i] = j;
        }
    }
    /* Tracks not seen are lost before anyone starts a new one in their slot. */
    for (int i = 0; i < MAX_TRACKS; i++)
        if (t->tracks[i].state == TRACK_ACTIVE && a->det_of[i] < 0) {
            t->tracks[i].state = TRACK_DORMANT;
            t->stats.lost++;
        }
    for (int j = 0; j < a->n && rc == FACEFUSE_OK; j++) {
        track *tr = a->track_of[j] >= 0 ? &t->tracks[a->track_of[j]] : new_track(t);
        if (!tr)
            continue; /* more faces than tracks: left out */
        fu_detection tdet = a->dets[j];
        if (!t->region_is_run_detector && t->interval > 1)
            rc = anchor_region_view(t, &a->dets[j], &tdet, err);
        if (rc != FACEFUSE_OK)
            break;
        tr->anchor_det = a->dets[j];
        tr->anchor_tdet = tdet;
        rc = track_measured(t, tr, &a->faces[j], &a->dets[j], &tdet, a->embedded[j], rec, FU_FACE_DETECTED, err);
    }
    free(a->dets);
    free(a);
    return rc;
}

/* ------------------------------------------------------------ push / pop */

static int tracks_overlap(const fu_tracker *t, int64_t seq)
{
    for (int i = 0; i < MAX_TRACKS; i++) {
        if (t->tracks[i].state != TRACK_ACTIVE)
            continue;
        float a[4];
        predicted_box(&t->tracks[i], &t->tracks[i].det, seq, a);
        for (int j = i + 1; j < MAX_TRACKS; j++) {
            float b[4];
            if (t->tracks[j].state != TRACK_ACTIVE)
                continue;
            predicted_box(&t->tracks[j], &t->tracks[j].det, seq, b);
            if (box_iou(a, b) > 0)
                return 1;
        }
    }
    return 0;
}

static int needs_full_detection(const fu_tracker *t, int64_t seq, int cut)
{
    return seq == 0 || cut || t->interval <= 1 || seq - t->last_full >= t->interval ||
           (t->has_identity && tracks_overlap(t, seq));
}

static facefuse_status analyse_frame(fu_tracker *t, frame_rec *rec, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    int cut = scene_cut(t);
    if (cut) {
        rec->cut = 1;
        t->stats.cuts++;
        for (int i = 0; i < MAX_TRACKS; i++)
            if (t->tracks[i].state == TRACK_ACTIVE)
                t->tracks[i].state = TRACK_DORMANT;
    }
    int full = needs_full_detection(t, rec->seq, cut);
    if (!full) {
        int lost = 0;
        rc = region_step(t, rec, &lost, err);
        full = rc == FACEFUSE_OK && lost;
    }
    if (full)
        rc = full_step(t, rec, err);
    return rc;
}

facefuse_status fu_tracker_push(fu_tracker *t, const facefuse_image *frame, int64_t frame_index, double time_s,
                                fu_err *err)
{
    facefuse_image rgb = {0};
    facefuse_status rc;

    if (!frame || !frame->data || frame->width < 1 || frame->height < 1)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face tracker: empty frame %lld",
                       (long long)frame_index);
    t->rgb = frame;
    if (frame->channels != 3) {
        if (fu_image_to_rgb(&rgb, frame) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory converting frame %lld to RGB",
                           (long long)frame_index);
        t->rgb = &rgb;
    }
    frame_rec *rec = queue_append(t, err);
    if (!rec) {
        facefuse_image_free(&rgb);
        return FACEFUSE_ERR_NO_MEMORY;
    }
    rec->seq = t->seq;
    rec->index = frame_index;
    rec->time_s = time_s;
    t->time_s = time_s;
    rc = analyse_frame(t, rec, err);
    release_canvas(t);
    facefuse_image_free(&rgb);
    t->rgb = NULL;
    t->seq++;
    t->stats.frames++;
    forget_old_tracks(t);
    return rc;
}

static smoother_slot *smoother_for(fu_tracker *t, int id, int64_t seq)
{
    smoother_slot *slot = NULL;
    for (int i = 0; i < MAX_TRACKS && !slot; i++)
        if (t->smoothers[i].id == id)
            slot = &t->smoothers[i];
    if (!slot) {
        slot = &t->smoothers[0];
        for (int i = 1; i < MAX_TRACKS; i++)
            if (t->smoothers[i].id == 0 || t->smoothers[i].last_seq < slot->last_seq)
                slot = &t->smoothers[i];
        slot->id = id;
        fu_face_smoother_reset(&slot->s);
        slot->n_past = 0;
    }
    if (slot->last_seq < seq - 1) { /* the track was away: start afresh */
        fu_face_smoother_reset(&slot->s);
        slot->n_past = 0;
    }
    slot->last_seq = seq;
    return slot;
}

/* Files: the line through this track's raw geometry over ±window frames
 * (the past kept in the slot, the future still queued, up to a cut). */
static void smooth_centred(fu_tracker *t, smoother_slot *slot, facefuse_face *face, int id, int64_t seq)
{
    fu_face_geometry samples[2 * MAX_WINDOW + 1];
    int offsets[2 * MAX_WINDOW + 1], n = 0, w = t->set.smooth_window;
    for (int i = 0; i < slot->n_past && seq - slot->past_seq[i] <= w; i++) {
        samples[n] = slot->past[i];
        offsets[n++] = (int)(slot->past_seq[i] - seq);
    }
    fu_face_geometry_of(face, &samples[n]);
    offsets[n++] = 0;
    for (int q = 1; q < t->queue_count && t->queue[q].seq - seq <= w && !t->queue[q].cut; q++)
        for (int i = 0; i < t->queue[q].count; i++)
            if (t->queue[q].ids[i] == id) {
                fu_face_geometry_of(&t->queue[q].faces[i], &samples[n]);
                offsets[n++] = (int)(t->queue[q].seq - seq);
                break;
            }
    /* keep the raw geometry for the frames after this one */
    memmove(&slot->past[1], &slot->past[0], (MAX_WINDOW - 1) * sizeof slot->past[0]);
    memmove(&slot->past_seq[1], &slot->past_seq[0], (MAX_WINDOW - 1) * sizeof slot->past_seq[0]);
    fu_face_geometry_of(face, &slot->past[0]);
    slot->past_seq[0] = seq;
    if (slot->n_past < MAX_WINDOW)
        slot->n_past++;
    fu_face_fit_line(face, samples, offsets, n);
}

int fu_tracker_pop(fu_tracker *t, int flush, fu_track_frame *out)
{
    memset(out, 0, sizeof *out);
    if (t->queue_count == 0)
        return 0;
    frame_rec *r = &t->queue[0];
    if (!flush && t->seq - 1 - r->seq < t->lookahead)
        return 0;
    if (t->set.smoothing) {
        if (r->cut)
            for (int i = 0; i < MAX_TRACKS; i++)
                t->smoothers[i].id = 0;
        for (int i = 0; i < r->count; i++) {
            smoother_slot *slot = smoother_for(t, r->ids[i], r->seq);
            if (t->set.live)
                fu_face_smooth(&slot->s, &t->set.smooth, &r->faces[i], r->time_s);
            else
                smooth_centred(t, slot, &r->faces[i], r->ids[i], r->seq);
        }
    }
    out->frame_index = r->index;
    out->time_s = r->time_s;
    out->faces = r->faces;
    out->track_ids = r->ids;
    out->origins = r->origins;
    out->count = r->count;
    out->full_detection = r->full;
    t->queue_count--;
    memmove(&t->queue[0], &t->queue[1], (size_t)t->queue_count * sizeof *t->queue);
    return 1;
}
