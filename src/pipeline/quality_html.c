/*
 * quality_html.c — the quality report as one self-contained HTML page: a
 * summary table, an inline SVG chart per per-frame curve (identity
 * similarity with the threshold, PSNR and SSIM outside the masks, landmark
 * jitter; flagged frames marked red), and the flagged frames as inline
 * base64 JPEG thumbnails. No script, no stylesheet or font to fetch: the
 * page can be mailed, archived or shown in a sandboxed frame by the web UI.
 */
#include <math.h>
#include <string.h>

#include "pipeline/quality_report.h"

#define CHART_W 800
#define CHART_H 150
#define PAD_L 50
#define PAD_R 10
#define PAD_T 10
#define PAD_B 20

typedef double (*value_fn)(const fu_quality_result *r, const fu_quality_frame *f);

static double v_score(const fu_quality_result *r, const fu_quality_frame *f)
{
    return fu_quality_frame_score(r, f);
}

static double v_target(const fu_quality_result *r, const fu_quality_frame *f)
{
    double worst = NAN;
    (void)r;
    for (int i = 0; i < f->face_values; i++)
        if (isnan(worst) || f->identity_target[i] < worst)
            worst = f->identity_target[i];
    return worst;
}

static double v_psnr(const fu_quality_result *r, const fu_quality_frame *f)
{
    (void)r;
    return f->psnr_outside;
}

static double v_ssim(const fu_quality_result *r, const fu_quality_frame *f)
{
    (void)r;
    return f->ssim_outside;
}

static double v_jitter(const fu_quality_result *r, const fu_quality_frame *f)
{
    (void)r;
    return f->jitter;
}

static void html_text(FILE *o, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '&': fputs("&amp;", o); break;
        case '"': fputs("&quot;", o); break;
        default: fputc(*s, o);
        }
    }
}

static void base64(FILE *o, const uint8_t *d, size_t n)
{
    static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        fputc(abc[v >> 18 & 63], o);
        fputc(abc[v >> 12 & 63], o);
        fputc(i + 1 < n ? abc[v >> 6 & 63] : '=', o);
        fputc(i + 2 < n ? abc[v & 63] : '=', o);
    }
}

/* The range of the curve's finite values, widened to include [lo, hi]. */
static void value_range(const fu_quality_result *r, value_fn fn, double *lo, double *hi, int *has_inf)
{
    *has_inf = 0;
    for (int64_t i = 0; i < r->frame_count; i++) {
        double v = fn(r, &r->frames[i]);
        if (isinf(v)) {
            *has_inf = 1;
            continue;
        }
        if (isnan(v))
            continue;
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
    if (*hi - *lo < 1e-9)
        *hi = *lo + 1;
}

static double x_of(const fu_quality_result *r, int64_t i)
{
    int64_t first = r->frames[0].index, last = r->frames[r->frame_count - 1].index;
    double t = last > first ? (double)(r->frames[i].index - first) / (double)(last - first) : 0.5;
    return PAD_L + t * (CHART_W - PAD_L - PAD_R);
}

static double y_of(double v, double lo, double hi)
{
    return PAD_T + (1 - (v - lo) / (hi - lo)) * (CHART_H - PAD_T - PAD_B);
}

/* One chart: the curve (broken where undefined; infinite values drawn on
 * the top line), an optional dashed threshold and red dots on flagged frames. */
static void chart(FILE *o, const fu_quality_result *r, const char *title, value_fn fn, double lo, double hi,
                  const double *threshold)
{
    int has_inf;
    value_range(r, fn, &lo, &hi, &has_inf);
    double top = has_inf ? hi + (hi - lo) * 0.25 : hi;
    fprintf(o, "<h3>%s</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\">\n", title, CHART_W, CHART_H, CHART_W, CHART_H);
    fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n", PAD_L, PAD_T,
            CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B);
    if (has_inf)
        fprintf(o, "<text x=\"4\" y=\"%d\" font-size=\"11\">inf</text>", PAD_T + 4);
    fprintf(o, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">%.3g</text>", y_of(hi, lo, top) + 4, hi);
    fprintf(o, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">%.3g</text>\n", y_of(lo, lo, top), lo);
    if (r->frame_count)
        fprintf(o, "<text x=\"%d\" y=\"%d\" font-size=\"11\">frame %lld</text><text x=\"%d\" y=\"%d\" "
                   "font-size=\"11\" text-anchor=\"end\">frame %lld</text>\n",
                PAD_L, CHART_H - 4, (long long)r->frames[0].index, CHART_W - PAD_R, CHART_H - 4,
                (long long)r->frames[r->frame_count - 1].index);
    if (threshold)
        fprintf(o, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d33\" stroke-dasharray=\"4 3\"/>\n",
                PAD_L, CHART_W - PAD_R, y_of(*threshold, lo, top), y_of(*threshold, lo, top));
    int open = 0;
    for (int64_t i = 0; i < r->frame_count; i++) {
        double v = fn(r, &r->frames[i]);
        if (isnan(v)) {
            if (open)
                fputs("\"/>\n", o);
            open = 0;
            continue;
        }
        if (!open)
            fputs("<polyline fill=\"none\" stroke=\"#2a6\" stroke-width=\"1.5\" points=\"", o);
        open = 1;
        fprintf(o, "%.1f,%.1f ", x_of(r, i), y_of(isinf(v) ? top : v, lo, top));
    }
    if (open)
        fputs("\"/>\n", o);
    for (int64_t i = 0; i < r->frame_count; i++) {
        double v = fn(r, &r->frames[i]);
        if (r->frames[i].flagged && !isnan(v))
            fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d33\"><title>frame %lld</title></circle>\n",
                    x_of(r, i), y_of(isinf(v) ? top : v, lo, top), (long long)r->frames[i].index);
    }
    fputs("</svg>\n", o);
}

static void cell(FILE *o, const char *name, const fu_quality_stats *s, const char *extra)
{
    fprintf(o, "<tr><th>%s</th>", name);
    if (s->count)
        fprintf(o, "<td>%.4f</td><td>%.4f</td><td>%.4f</td>", s->mean, s->min, s->max);
    else
        fputs("<td>–</td><td>–</td><td>–</td>", o);
    fprintf(o, "<td>%s</td></tr>\n", extra ? extra : "");
}

static void summary(FILE *o, const fu_quality_result *r)
{
    char untouched[96];
    snprintf(untouched, sizeof untouched, "%lld of %lld frames untouched (infinite PSNR)",
             (long long)r->untouched_frames, (long long)r->frame_count);
    fprintf(o, "<p>%lld frames, %lld faces processed; recognizer <code>", (long long)r->frame_count,
            (long long)r->faces);
    html_text(o, r->recognizer);
    fprintf(o, "</code>; frames are flagged when the identity similarity to the %s falls below %.2f: "
               "<b>%lld flagged</b>.</p>\n",
            r->has_source ? "source" : "original target face", (double)r->settings->threshold, (long long)r->flagged);
    fputs("<table><tr><th></th><th>mean</th><th>min</th><th>max</th><th></th></tr>\n", o);
    if (r->has_source)
        cell(o, "identity to source", &r->identity_source, NULL);
    cell(o, "identity to target face", &r->identity_target, NULL);
    cell(o, "PSNR outside masks (dB)", &r->psnr, untouched);
    cell(o, "SSIM outside masks", &r->ssim, NULL);
    cell(o, "landmark jitter", &r->jitter, "relative to the eye distance");
    fputs("</table>\n", o);
}

static void flagged_frames(FILE *o, const fu_quality_result *r)
{
    fprintf(o, "<h2>Flagged frames (%lld)</h2>\n", (long long)r->flagged);
    if (!r->flagged) {
        fputs("<p>None.</p>\n", o);
        return;
    }
    fputs("<div class=\"thumbs\">\n", o);
    for (int64_t i = 0; i < r->frame_count; i++) {
        const fu_quality_frame *f = &r->frames[i];
        if (!f->flagged)
            continue;
        fprintf(o, "<figure>");
        if (f->thumbnail) {
            fputs("<img alt=\"\" src=\"data:image/jpeg;base64,", o);
            base64(o, f->thumbnail, f->thumbnail_size);
            fputs("\">", o);
        }
        fprintf(o, "<figcaption>frame %lld: %.3f</figcaption></figure>\n", (long long)f->index,
                fu_quality_frame_score(r, f));
    }
    fputs("</div>\n", o);
}

facefuse_status fu_quality_write_html(const fu_quality_result *r, FILE *o, fu_err *err)
{
    double threshold = r->settings->threshold;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>facefuse quality report</title>\n"
          "<style>body{font-family:sans-serif;margin:2em;max-width:860px}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{text-align:left}"
          ".thumbs{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}figcaption{font-size:12px}</style>\n"
          "</head><body>\n",
          o);
    fprintf(o, "<h1>Quality report</h1>\n<p>facefuse %s — <code>", facefuse_version());
    html_text(o, r->settings->path);
    fputs("</code></p>\n", o);
    summary(o, r);
    fputs("<h2>Per frame</h2>\n", o);
    if (r->frame_count) {
        chart(o, r, r->has_source ? "Identity similarity to the source (lowest face)"
                                  : "Identity similarity to the target face (lowest face)",
              v_score, 0, 1, &threshold);
        if (r->has_source)
            chart(o, r, "Identity similarity to the target face (lowest face)", v_target, 0, 1, NULL);
        chart(o, r, "PSNR outside the face masks (dB)", v_psnr, 20, 50, NULL);
        chart(o, r, "SSIM outside the face masks", v_ssim, 0.9, 1, NULL);
        chart(o, r, "Landmark jitter", v_jitter, 0, 0.05, NULL);
    }
    flagged_frames(o, r);
    fputs("</body></html>\n", o);
    return ferror(o) ? fu_fail(err, FACEFUSE_ERR_IO, "cannot write the quality report") : FACEFUSE_OK;
}
