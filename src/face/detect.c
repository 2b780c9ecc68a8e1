/*
 * detect.c — face detection as FaceFusion does it.
 *
 * Pre-processing: optional margin padding; the frame is scaled down (never
 * up) to fit the detector size and pasted into the top-left corner of a
 * zero canvas; per-model normalisation; channels in BGR order.
 * Decoding: retinaface/scrfd (3 strides, 2 anchors a cell, anchor centres at
 * col·stride, row·stride without a half-cell offset), yolo_face (one
 * 1×20×N tensor), yunet (3 strides, 1 anchor, score = cls·obj).
 * Several angles: the frame is rotated into a canvas that fits it, detected,
 * and boxes/points are mapped back. One NMS over everything, with
 * FaceFusion's IoU policy (0.4 / 0.3 / 0.2 / 0.1 for 1–4 angles, 0.1 for
 * "many").
 * Bounded work: at most FU_MAX_DETECTION_CANDIDATES raw detections (the
 * best-scoring) go into NMS, and at most FU_MAX_FACES_PER_FRAME faces come
 * out, so a detector firing everywhere cannot take minutes.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/log.h"
#include "core/numeric.h"
#include "media/resize.h"
#include "face/analyse.h"
#include "infer/context.h"

typedef struct det_list {
    fu_detection *items;
    int count, cap;
} det_list;

static facefuse_status det_push(det_list *l, const fu_detection *d, fu_err *err)
{
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        fu_detection *n = realloc(l->items, (size_t)cap * sizeof *n);
        if (!n)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory in face detection");
        l->items = n;
        l->cap = cap;
    }
    l->items[l->count++] = *d;
    return FACEFUSE_OK;
}

void fu_image_to_planar(const facefuse_image *img, const float mean[3], const float std[3], int bgr,
                        float *out)
{
    size_t plane = (size_t)img->width * img->height;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *row = img->data + (size_t)y * img->stride;
        for (int x = 0; x < img->width; x++) {
            const uint8_t *p = row + (size_t)x * img->channels;
            for (int c = 0; c < 3; c++) {
                int src_c = bgr ? 2 - c : c;
                out[c * plane + (size_t)y * img->width + x] =
                    ((float)p[src_c] / 255.0f - mean[c]) / std[c];
            }
        }
    }
}

/* The letterboxed detector input: the frame scaled down to fit size × size,
 * at the top-left of a zero canvas, normalised and written planar in BGR
 * order straight into the tensor. ratio = original / resized. */
static facefuse_status letterbox(const facefuse_image *frame, int size, const float mean[3],
                                 const float std[3], float *tensor, float *ratio_x, float *ratio_y,
                                 fu_err *err)
{
    facefuse_image small = {0};
    const facefuse_image *src = frame;
    int w = frame->width, h = frame->height;
    size_t plane = (size_t)size * size;

    if (w > size || h > size) {
        double scale = fmin((double)size / h, (double)size / w);
        int nw = (int)(w * scale), nh = (int)(h * scale);
        if (nw < 1)
            nw = 1;
        if (nh < 1)
            nh = 1;
        if (fu_resize(frame, &small, nw, nh) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory resizing for detection");
        src = &small;
    }
    *ratio_x = (float)w / src->width;
    *ratio_y = (float)h / src->height;
    /* The zero canvas, normalised: what a black pixel becomes. */
    for (int c = 0; c < 3; c++) {
        float zero = (0.0f - mean[c]) / std[c];
        float *p = tensor + c * plane;
        for (size_t i = 0; i < plane; i++)
            p[i] = zero;
    }
    float scale[3], offset[3];
    for (int c = 0; c < 3; c++) {
        scale[c] = 1.0f / (255.0f * std[c]);
        offset[c] = -mean[c] / std[c];
    }
    for (int y = 0; y < src->height; y++) {
        const uint8_t *row = src->data + (size_t)y * src->stride;
        float *b = tensor + (size_t)y * size, *g = b + plane, *r = g + plane;
        for (int x = 0; x < src->width; x++, row += src->channels) {
            b[x] = row[2] * scale[0] + offset[0];
            g[x] = row[1] * scale[1] + offset[1];
            r[x] = row[0] * scale[2] + offset[2];
        }
    }
    facefuse_image_free(&small);
    return FACEFUSE_OK;
}

/* Value i of a detector output whose rows are `width` wide, whatever its rank. */
static inline const float *row_of(const fu_tensor *t, int64_t i, int width)
{
    return t->data + i * width;
}

static int64_t rows_of(const fu_tensor *t, int width)
{
    return fu_tensor_numel(t) / width;
}

static facefuse_status decode_scrfd(const fu_tensor *out, int size, float threshold, float rx,
                                    float ry, det_list *list, fu_err *err)
{
    static const int strides[3] = {8, 16, 32};
    for (int s = 0; s < 3; s++) {
        int stride = strides[s], cells_w = size / stride;
        int64_t n = rows_of(&out[s], 1);
        if (rows_of(&out[s + 3], 4) != n || rows_of(&out[s + 6], 10) != n)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "detector outputs for stride %d disagree",
                           stride);
        for (int64_t i = 0; i < n; i++) {
            float score = out[s].data[i];
            if (score < threshold)
                continue;
            int64_t cell = i / 2; /* two anchors a cell */
            float ax = (float)((cell % cells_w) * stride), ay = (float)((cell / cells_w) * stride);
            const float *b = row_of(&out[s + 3], i, 4), *k = row_of(&out[s + 6], i, 10);
            fu_detection d;
            d.score = score;
            d.box[0] = (ax - b[0] * stride) * rx;
            d.box[1] = (ay - b[1] * stride) * ry;
            d.box[2] = (ax + b[2] * stride) * rx;
            d.box[3] = (ay + b[3] * stride) * ry;
            for (int p = 0; p < 5; p++) {
                d.landmark_5[p].x = (ax + k[2 * p] * stride) * rx;
                d.landmark_5[p].y = (ay + k[2 * p + 1] * stride) * ry;
            }
            facefuse_status rc = det_push(list, &d, err);
            if (rc != FACEFUSE_OK)
                return rc;
        }
    }
    return FACEFUSE_OK;
}

/* The box of a centre and size in canvas pixels, scaled back to the frame. */
static void box_from_centre(fu_detection *d, float cx, float cy, float w, float h, float rx, float ry)
{
    d->box[0] = (cx - w / 2) * rx;
    d->box[1] = (cy - h / 2) * ry;
    d->box[2] = (cx + w / 2) * rx;
    d->box[3] = (cy + h / 2) * ry;
}

static facefuse_status decode_yunet(const fu_tensor *out, int size, float threshold, float rx,
                                    float ry, det_list *list, fu_err *err)
{
    static const int strides[3] = {8, 16, 32};
    for (int s = 0; s < 3; s++) {
        int stride = strides[s], cells_w = size / stride;
        const fu_tensor *cls = &out[s], *obj = &out[3 + s], *box = &out[6 + s], *kps = &out[9 + s];
        int64_t n = rows_of(cls, 1);
        if (rows_of(obj, 1) != n || rows_of(box, 4) != n || rows_of(kps, 10) != n)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "yunet outputs for stride %d disagree",
                           stride);
        for (int64_t i = 0; i < n; i++) {
            float score = cls->data[i] * obj->data[i];
            if (score < threshold)
                continue;
            float ax = (float)((i % cells_w) * stride), ay = (float)((i / cells_w) * stride);
            const float *b = row_of(box, i, 4), *k = row_of(kps, i, 10);
            float cx = b[0] * stride + ax, cy = b[1] * stride + ay;
            float w = expf(b[2]) * stride, h = expf(b[3]) * stride;
            fu_detection d;
            d.score = score;
            box_from_centre(&d, cx, cy, w, h, rx, ry);
            for (int p = 0; p < 5; p++) {
                d.landmark_5[p].x = (k[2 * p] * stride + ax) * rx;
                d.landmark_5[p].y = (k[2 * p + 1] * stride + ay) * ry;
            }
            facefuse_status rc = det_push(list, &d, err);
            if (rc != FACEFUSE_OK)
                return rc;
        }
    }
    return FACEFUSE_OK;
}

static facefuse_status decode_yolo(const fu_tensor *out, float threshold, float rx, float ry,
                                   det_list *list, fu_err *err)
{
    /* 1 × 20 × N: channel-major. */
    const fu_tensor *t = &out[0];
    if (t->rank != 3 || t->dims[1] < 20)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "yolo_face output is not 1x20xN");
    int64_t n = t->dims[2];
    for (int64_t i = 0; i < n; i++) {
        float score = t->data[4 * n + i];
        if (score <= threshold)
            continue;
        float cx = t->data[i], cy = t->data[n + i], w = t->data[2 * n + i], h = t->data[3 * n + i];
        fu_detection d;
        d.score = score;
        box_from_centre(&d, cx, cy, w, h, rx, ry);
        for (int p = 0; p < 5; p++) {
            d.landmark_5[p].x = t->data[(5 + 3 * p) * n + i] * rx;
            d.landmark_5[p].y = t->data[(6 + 3 * p) * n + i] * ry;
        }
        facefuse_status rc = det_push(list, &d, err);
        if (rc != FACEFUSE_OK)
            return rc;
    }
    return FACEFUSE_OK;
}

typedef enum { DET_SCRFD, DET_YOLO, DET_YUNET } det_family;

static det_family family_of(const char *model)
{
    if (strcmp(model, "yolo_face") == 0)
        return DET_YOLO;
    if (strcmp(model, "yunet") == 0)
        return DET_YUNET;
    return DET_SCRFD; /* scrfd, retinaface */
}

/* One detector model on one (already rotated/padded) frame. */
static facefuse_status detect_with(facefuse_context *ctx, const char *model, const facefuse_image *frame,
                                   int size, float threshold, det_list *list, fu_err *err)
{
    static const float scrfd_mean[3] = {0.5f, 0.5f, 0.5f};
    static const float scrfd_std[3] = {128.0f / 255, 128.0f / 255, 128.0f / 255};
    static const float zero[3] = {0, 0, 0};
    static const float one[3] = {1, 1, 1};
    static const float raw[3] = {1.0f / 255, 1.0f / 255, 1.0f / 255};
    det_family family = family_of(model);
    fu_session *session;
    fu_tensor input, out[12];
    float rx = 1, ry = 1;
    facefuse_status rc;
    int n_out = family == DET_YOLO ? 1 : family == DET_YUNET ? 12 : 9;

    if ((rc = fu_context_session(ctx, model, &session, NULL, err)) != FACEFUSE_OK)
        return rc;
    if (family != DET_SCRFD)
        size = 640;
    if (fu_session_output_count(session) < n_out)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "detector %s (%s) has %d outputs, expected %d",
                       model, fu_session_path(session), fu_session_output_count(session), n_out);
    memset(&input, 0, sizeof input);
    input.rank = 4;
    input.dims[0] = 1;
    input.dims[1] = 3;
    input.dims[2] = input.dims[3] = size;
    input.data = malloc(sizeof(float) * 3 * size * size);
    if (!input.data)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for detector input");
    const float *mean = family == DET_SCRFD ? scrfd_mean : zero;
    const float *std = family == DET_SCRFD ? scrfd_std : family == DET_YOLO ? one : raw;
    rc = letterbox(frame, size, mean, std, input.data, &rx, &ry, err);
    if (rc == FACEFUSE_OK)
        rc = fu_session_run(session, &input, 1, out, n_out, err);
    free(input.data);
    if (rc != FACEFUSE_OK)
        return rc;
    if (family == DET_SCRFD)
        rc = decode_scrfd(out, size, threshold, rx, ry, list, err);
    else if (family == DET_YUNET)
        rc = decode_yunet(out, size, threshold, rx, ry, list, err);
    else
        rc = decode_yolo(out, threshold, rx, ry, list, err);
    for (int i = 0; i < n_out; i++)
        fu_tensor_free(&out[i]);
    return rc;
}

/* Maps detections found in a transformed frame back with `inverse`: boxes
 * become the bounding box of their four mapped corners. */
static void map_back(fu_detection *d, int n, const fu_affine *inverse)
{
    for (int i = 0; i < n; i++) {
        facefuse_point corners[4] = {{d[i].box[0], d[i].box[1]}, {d[i].box[2], d[i].box[1]},
                                     {d[i].box[0], d[i].box[3]}, {d[i].box[2], d[i].box[3]}};
        float x1 = INFINITY, y1 = INFINITY, x2 = -INFINITY, y2 = -INFINITY;
        for (int c = 0; c < 4; c++) {
            facefuse_point p = fu_affine_apply(inverse, corners[c]);
            x1 = fminf(x1, p.x);
            y1 = fminf(y1, p.y);
            x2 = fmaxf(x2, p.x);
            y2 = fmaxf(y2, p.y);
        }
        d[i].box[0] = x1;
        d[i].box[1] = y1;
        d[i].box[2] = x2;
        d[i].box[3] = y2;
        for (int p = 0; p < 5; p++)
            d[i].landmark_5[p] = fu_affine_apply(inverse, d[i].landmark_5[p]);
    }
}

static facefuse_status detect_angle(facefuse_context *ctx, const facefuse_analysis_params *p,
                                    const facefuse_image *frame, int angle, det_list *list, fu_err *err)
{
    static const char *many[] = {"retinaface", "scrfd", "yolo_face", NULL};
    const char *single[] = {p->detector_model, NULL};
    const char **models = strcmp(p->detector_model, "many") == 0 ? many : single;
    facefuse_image rotated = {0};
    const facefuse_image *src = frame;
    fu_affine rot = fu_affine_identity();
    facefuse_status rc = FACEFUSE_OK;
    int first = list->count;

    if (angle % 360 != 0) {
        int w, h;
        rot = fu_rotation_fit(frame->width, frame->height, angle, &w, &h);
        if (facefuse_image_alloc(&rotated, w, h, 3) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory rotating the frame");
        fu_warp_affine(frame, &rotated, &rot, FU_BORDER_CONSTANT);
        src = &rotated;
    }
    int size = p->detector_size > 0 ? p->detector_size : 640;
    for (int m = 0; models[m] && rc == FACEFUSE_OK; m++)
        rc = detect_with(ctx, models[m], src, size, p->detector_score, list, err);
    if (rc == FACEFUSE_OK && angle % 360 != 0) {
        fu_affine inv = fu_affine_invert(&rot);
        map_back(list->items + first, list->count - first, &inv);
    }
    facefuse_image_free(&rotated);
    return rc;
}

static int by_score_desc(const void *a, const void *b)
{
    float sa = ((const fu_detection *)a)->score, sb = ((const fu_detection *)b)->score;
    return (sa < sb) - (sa > sb);
}

static float iou_of(const fu_detection *a, const fu_detection *b)
{
    float x1 = fmaxf(a->box[0], b->box[0]), y1 = fmaxf(a->box[1], b->box[1]);
    float x2 = fminf(a->box[2], b->box[2]), y2 = fminf(a->box[3], b->box[3]);
    float inter = fmaxf(0, x2 - x1) * fmaxf(0, y2 - y1);
    float area_a = (a->box[2] - a->box[0]) * (a->box[3] - a->box[1]);
    float area_b = (b->box[2] - b->box[0]) * (b->box[3] - b->box[1]);
    float uni = area_a + area_b - inter;
    return uni > 0 ? inter / uni : 0;
}

int fu_nms(fu_detection *d, int n, float iou)
{
    int kept = 0;
    if (n <= 1)
        return n;
    qsort(d, (size_t)n, sizeof *d, by_score_desc);
    for (int i = 0; i < n; i++) {
        int keep = 1;
        for (int k = 0; k < kept && keep; k++)
            if (iou_of(&d[k], &d[i]) > iou)
                keep = 0;
        if (keep)
            d[kept++] = d[i];
    }
    return kept;
}

/* Keeps the `max` best-scoring detections with a real box (a degenerate or
 * empty box is no face, whatever its score). */
static void keep_best(det_list *l, int max)
{
    int n = 0;
    for (int i = 0; i < l->count; i++) {
        const fu_detection *d = &l->items[i];
        if (fabsf(d->box[2] - d->box[0]) >= 1 && fabsf(d->box[3] - d->box[1]) >= 1)
            l->items[n++] = *d;
    }
    l->count = n;
    if (n > max) {
        qsort(l->items, (size_t)n, sizeof *l->items, by_score_desc);
        l->count = max;
    }
}

/* Said once per process: a frame with more faces than the cap. */
static void report_face_cap(int found)
{
    static atomic_int reported;
    if (atomic_exchange(&reported, 1) == 0)
        fu_warn("a frame has %d faces; only the %d with the best detector scores are used", found,
                FU_MAX_FACES_PER_FRAME);
}

static float nms_iou_policy(const facefuse_analysis_params *p)
{
    static const float by_angles[5] = {0.4f, 0.4f, 0.3f, 0.2f, 0.1f};
    if (strcmp(p->detector_model, "many") == 0)
        return 0.1f;
    int n = p->detector_angle_count < 1 ? 1 : p->detector_angle_count > 4 ? 4 : p->detector_angle_count;
    return by_angles[n];
}

/* Pads the frame by margin% × 0.5 of its size on each side (zero fill). */
static facefuse_status pad_margins(const facefuse_image *frame, const int margin[4],
                                   facefuse_image *out, int *left, int *top, fu_err *err)
{
    const int big = FU_MAX_IMAGE_SIDE + 1; /* anything larger fails the size check below */
    int t = fu_int_clamp(frame->height * (double)margin[0] / 100.0 * 0.5, 0, big);
    int r = fu_int_clamp(frame->width * (double)margin[1] / 100.0 * 0.5, 0, big);
    int b = fu_int_clamp(frame->height * (double)margin[2] / 100.0 * 0.5, 0, big);
    int l = fu_int_clamp(frame->width * (double)margin[3] / 100.0 * 0.5, 0, big);
    facefuse_status rc = fu_image_size_check((int64_t)frame->width + l + r, (int64_t)frame->height + t + b,
                                             "face detector margins", err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (facefuse_image_alloc(out, frame->width + l + r, frame->height + t + b, 3) != FACEFUSE_OK)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for detector margins");
    for (int y = 0; y < frame->height; y++)
        for (int x = 0; x < frame->width; x++)
            memcpy(fu_pixel(out, x + l, y + t), fu_pixel(frame, x, y), 3);
    *left = l;
    *top = t;
    return FACEFUSE_OK;
}

static facefuse_status check_params(const facefuse_analysis_params *p, fu_err *err)
{
    static const char *models[] = {"retinaface", "scrfd", "yolo_face", "yunet", "many"};
    int known = 0;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        known |= p->detector_model && strcmp(p->detector_model, models[i]) == 0;
    if (!known)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "unknown face detector model '%s' (choices: many retinaface scrfd yolo_face yunet)",
                       p->detector_model ? p->detector_model : "");
    for (int i = 0; i < p->detector_angle_count; i++)
        if (p->detector_angles[i] % 90 != 0 || p->detector_angles[i] < 0 || p->detector_angles[i] > 270)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "face detector angle %d is not one of 0 90 180 270", p->detector_angles[i]);
    if (p->detector_size && family_of(p->detector_model) != DET_SCRFD && p->detector_size != 640)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "face detector %s only supports 640x640",
                       p->detector_model);
    if (p->detector_size < 0 || p->detector_size % 32 != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "face detector size %d is not a multiple of 32", p->detector_size);
    return FACEFUSE_OK;
}

facefuse_status fu_detect_faces(facefuse_context *ctx, const facefuse_image *image,
                                const facefuse_analysis_params *p, fu_detection **out, int *count,
                                fu_err *err)
{
    det_list list = {0};
    facefuse_image rgb = {0}, padded = {0};
    const facefuse_image *frame = image;
    int left = 0, top = 0, angles = p->detector_angle_count > 0 ? p->detector_angle_count : 1;
    facefuse_status rc;

    *out = NULL;
    *count = 0;
    if ((rc = check_params(p, err)) != FACEFUSE_OK)
        return rc;
    if (image->channels != 3) {
        if (fu_image_to_rgb(&rgb, image) != FACEFUSE_OK)
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory converting to RGB");
        frame = &rgb;
    }
    if (p->detector_margin[0] || p->detector_margin[1] || p->detector_margin[2] || p->detector_margin[3]) {
        rc = pad_margins(frame, p->detector_margin, &padded, &left, &top, err);
        if (rc != FACEFUSE_OK)
            goto done;
        frame = &padded;
    }
    for (int a = 0; a < angles && rc == FACEFUSE_OK; a++)
        rc = detect_angle(ctx, p, frame, p->detector_angle_count > 0 ? p->detector_angles[a] : 0,
                          &list, err);
    if (rc != FACEFUSE_OK)
        goto done;
    keep_best(&list, FU_MAX_DETECTION_CANDIDATES);
    list.count = fu_nms(list.items, list.count, nms_iou_policy(p));
    if (list.count > FU_MAX_FACES_PER_FRAME) {
        report_face_cap(list.count);
        list.count = FU_MAX_FACES_PER_FRAME; /* NMS left them best first */
    }
    for (int i = 0; i < list.count; i++) {
        fu_detection *d = &list.items[i];
        float x1 = fminf(d->box[0], d->box[2]), x2 = fmaxf(d->box[0], d->box[2]);
        float y1 = fminf(d->box[1], d->box[3]), y2 = fmaxf(d->box[1], d->box[3]);
        d->box[0] = x1 - left;
        d->box[1] = y1 - top;
        d->box[2] = x2 - left;
        d->box[3] = y2 - top;
        for (int k = 0; k < 5; k++) {
            d->landmark_5[k].x -= left;
            d->landmark_5[k].y -= top;
        }
    }
    *out = list.items;
    *count = list.count;
    list.items = NULL;
done:
    free(list.items);
    facefuse_image_free(&rgb);
    facefuse_image_free(&padded);
    return rc;
}
