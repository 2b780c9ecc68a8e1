/*
 * test_colour_match.c — Lab conversion agrees with OpenCV's float Lab;
 * Reinhard matching gives the face the target's masked Lab mean and
 * standard deviation; histogram matching gives it the target's CDF.
 * Backgrounds outside the masks are wildly different, so a match that
 * ignored the masks would fail.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/colour.h"
#include "core/image.h"
#include "testlib.h"

/* A small deterministic generator, so the test needs no libc rand state. */
static unsigned rng = 12345;
static double uniform(void)
{
    rng = rng * 1103515245u + 12345u;
    return ((rng >> 8) & 0xffff) / 65536.0;
}

static void test_lab_matches_opencv(void)
{
    /* cv2.cvtColor(np.float32([[[r, g, b]]]), cv2.COLOR_RGB2Lab), OpenCV 4.6;
     * OpenCV interpolates its gamma and cube-root tables, hence 0.2. */
    const float rgb[4][3] = {{1, 1, 1}, {1, 0, 0}, {0, 0.5f, 0}, {0.2f, 0.4f, 0.8f}};
    const float lab[4][3] = {{100, 0, 0}, {53.241f, 80.094f, 67.203f}, {46.051f, -51.547f, 49.750f},
                             {44.910f, 18.844f, -57.875f}};
    for (int i = 0; i < 4; i++) {
        float out[3], back[3];
        fu_rgb_to_lab(rgb[i], out);
        for (int c = 0; c < 3; c++)
            CHECK(fabsf(out[c] - lab[i][c]) < 0.2f, "colour %d channel %d: %.3f vs %.3f", i, c, out[c],
                  lab[i][c]);
        fu_lab_to_rgb(out, back);
        for (int c = 0; c < 3; c++)
            CHECK(fabsf(back[c] - rgb[i][c]) < 1e-3f, "round trip %d/%d: %.5f", i, c, back[c]);
    }
}

/* A crop whose masked disc has colours around `base` ± spread (per channel)
 * and whose background is saturated noise. */
static void make_crop(facefuse_image *im, float **mask, int w, int h, const double base[3],
                      const double spread[3], int bimodal)
{
    facefuse_image_alloc(im, w, h, 3);
    *mask = malloc(sizeof(float) * (size_t)w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double dx = x - w / 2.0, dy = y - h / 2.0, r = 0.4 * (w < h ? w : h);
            int in = dx * dx + dy * dy < r * r;
            (*mask)[(size_t)y * w + x] = in ? 1.0f : 0.0f;
            for (int c = 0; c < 3; c++) {
                double v = in ? base[c] + spread[c] * (2 * uniform() - 1) : (uniform() < 0.5 ? 0 : 255);
                if (in && bimodal && ((x / 4 + y / 4) & 1))
                    v += 40;
                fu_pixel(im, x, y)[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
            }
        }
}

static void masked_lab_stats(const facefuse_image *im, const float *mask, double mean[3], double std[3])
{
    float *lab;
    fu_err err;
    if (fu_image_to_lab(im, &lab, &err) != FACEFUSE_OK)
        return;
    fu_channel_stats(lab, mask, (size_t)im->width * im->height, mean, std);
    free(lab);
}

static void test_reinhard_matches_mean_and_std(void)
{
    facefuse_image face, target;
    float *fmask, *tmask;
    make_crop(&face, &fmask, 64, 64, (double[3]){110, 140, 150}, (double[3]){20, 15, 30}, 0);
    make_crop(&target, &tmask, 80, 72, (double[3]){170, 120, 100}, (double[3]){35, 25, 12}, 1);
    double fm[3], fs[3], tm[3], ts[3];
    masked_lab_stats(&face, fmask, fm, fs);
    masked_lab_stats(&target, tmask, tm, ts);
    CHECK(fabs(fm[1] - tm[1]) > 10, "the crops should start far apart (a: %.2f vs %.2f)", fm[1], tm[1]);

    fu_err err;
    REQUIRE(fu_color_match_reinhard(&face, fmask, &target, tmask, &err) == FACEFUSE_OK, "%s", err.msg);
    masked_lab_stats(&face, fmask, fm, fs);
    const double range[3] = {100, 255, 255};
    for (int c = 0; c < 3; c++) {
        printf("    channel %d: mean %.3f vs %.3f, std %.3f vs %.3f\n", c, fm[c], tm[c], fs[c], ts[c]);
        CHECK(fabs(fm[c] - tm[c]) <= 0.01 * range[c], "channel %d mean %.3f vs %.3f", c, fm[c], tm[c]);
        CHECK(fabs(fs[c] - ts[c]) <= 0.01 * ts[c], "channel %d std %.3f vs %.3f", c, fs[c], ts[c]);
    }
    facefuse_image_free(&face), facefuse_image_free(&target);
    free(fmask), free(tmask);
}

/* Largest gap between the masked empirical CDFs of channel c (8-bit values). */
static double ks_distance(const facefuse_image *a, const float *ma, const facefuse_image *b, const float *mb, int c)
{
    double ha[256] = {0}, hb[256] = {0}, na = 0, nb = 0;
    for (int i = 0; i < a->width * a->height; i++)
        if (ma[i] > 0.5f)
            ha[a->data[3 * i + c]]++, na++;
    for (int i = 0; i < b->width * b->height; i++)
        if (mb[i] > 0.5f)
            hb[b->data[3 * i + c]]++, nb++;
    double ca = 0, cb = 0, worst = 0;
    for (int v = 0; v < 256; v++) {
        ca += ha[v] / na, cb += hb[v] / nb;
        worst = fabs(ca - cb) > worst ? fabs(ca - cb) : worst;
    }
    return worst;
}

static void test_histogram_matches_cdf(void)
{
    for (int space = 0; space < 2; space++) {
        facefuse_image face, target;
        float *fmask, *tmask;
        make_crop(&face, &fmask, 96, 96, (double[3]){90, 130, 160}, (double[3]){50, 40, 60}, 0);
        make_crop(&target, &tmask, 100, 90, (double[3]){150, 60, 90}, (double[3]){30, 50, 20}, 1);
        double before[3], after[3];
        for (int c = 0; c < 3; c++)
            before[c] = ks_distance(&face, fmask, &target, tmask, c);
        fu_err err;
        REQUIRE(fu_color_match_histogram(&face, fmask, &target, tmask, space ? FU_COLOR_LAB : FU_COLOR_RGB,
                                         &err) == FACEFUSE_OK, "%s", err.msg);
        for (int c = 0; c < 3; c++) {
            after[c] = ks_distance(&face, fmask, &target, tmask, c);
            printf("    %s channel %d: KS distance %.3f -> %.3f\n", space ? "Lab" : "RGB", c, before[c], after[c]);
            CHECK(before[c] > 0.3, "crops should start apart (%.3f)", before[c]);
            /* In RGB the CDFs match to the 8-bit granularity; through Lab the
             * joint mapping moves RGB only approximately. */
            CHECK(after[c] < (space ? 0.15 : 0.03), "%s channel %d CDF gap %.3f", space ? "Lab" : "RGB", c,
                  after[c]);
        }
        facefuse_image_free(&face), facefuse_image_free(&target);
        free(fmask), free(tmask);
    }
}

static void test_lab_histogram_matches_lab_cdf(void)
{
    facefuse_image face, target;
    float *fmask, *tmask, *fl, *tl;
    make_crop(&face, &fmask, 96, 96, (double[3]){90, 130, 160}, (double[3]){50, 40, 60}, 0);
    make_crop(&target, &tmask, 100, 90, (double[3]){150, 100, 90}, (double[3]){30, 50, 20}, 1);
    fu_err err;
    REQUIRE(fu_color_match_histogram(&face, fmask, &target, tmask, FU_COLOR_LAB, &err) == FACEFUSE_OK, "%s",
            err.msg);
    REQUIRE(fu_image_to_lab(&face, &fl, &err) == FACEFUSE_OK, "lab");
    REQUIRE(fu_image_to_lab(&target, &tl, &err) == FACEFUSE_OK, "lab");
    /* Compare Lab quantiles of the two masked sets. */
    for (int c = 0; c < 3; c++) {
        double fm[3], fs[3], tm[3], ts[3];
        fu_channel_stats(fl, fmask, 96 * 96, fm, fs);
        fu_channel_stats(tl, tmask, 100 * 90, tm, ts);
        CHECK(fabs(fm[c] - tm[c]) < 0.05 * ts[c] + 0.5, "Lab channel %d mean %.2f vs %.2f", c, fm[c], tm[c]);
        CHECK(fabs(fs[c] - ts[c]) < 0.1 * ts[c] + 0.5, "Lab channel %d std %.2f vs %.2f", c, fs[c], ts[c]);
    }
    free(fl), free(tl);
    facefuse_image_free(&face), facefuse_image_free(&target);
    free(fmask), free(tmask);
}

int main(void)
{
    RUN(test_lab_matches_opencv);
    RUN(test_reinhard_matches_mean_and_std);
    RUN(test_histogram_matches_cdf);
    RUN(test_lab_histogram_matches_lab_cdf);
    return tl_finish();
}
