/*
 * test_image_io_exif_orientation.c — EXIF orientation makes decoded pixels
 * upright. The tag parser finds orientations 1..8 in both byte orders and
 * survives damaged blocks; each orientation moves pixels where the EXIF
 * definition says; FFmpeg display matrices map to the same orientations;
 * and a JPEG of ours with an APP1 segment spliced in (orientations 6, 3, 8)
 * reads with swapped sizes and its quadrants in their rotated places.
 */
#include <stdlib.h>
#include <string.h>

#include <libavutil/display.h>

#include "core/image.h"
#include "media/exif.h"
#include "media/image_io.h"
#include "testlib.h"

static void put16(uint8_t *p, unsigned v, int big_endian)
{
    p[big_endian ? 0 : 1] = (uint8_t)(v >> 8);
    p[big_endian ? 1 : 0] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v, int big_endian)
{
    for (int i = 0; i < 4; i++)
        p[big_endian ? i : 3 - i] = (uint8_t)(v >> (24 - 8 * i));
}

/* An APP1 payload "Exif\0\0" + TIFF whose IFD0 holds a Make entry and then
 * the orientation; returns its size. */
static size_t make_exif_payload(uint8_t *buf, int big_endian, unsigned orientation)
{
    uint8_t *t = buf + 6;
    memcpy(buf, "Exif\0\0", 6);
    t[0] = t[1] = big_endian ? 'M' : 'I';
    put16(t + 2, 42, big_endian);
    put32(t + 4, 8, big_endian);
    put16(t + 8, 2, big_endian);            /* two entries */
    uint8_t *e = t + 10;
    put16(e, 0x010F, big_endian);           /* Make, ASCII, 4 bytes inline */
    put16(e + 2, 2, big_endian);
    put32(e + 4, 4, big_endian);
    memcpy(e + 8, "abc", 4);
    e += 12;
    put16(e, 0x0112, big_endian);           /* Orientation, SHORT, 1 */
    put16(e + 2, 3, big_endian);
    put32(e + 4, 1, big_endian);
    put16(e + 8, orientation, big_endian);
    e[10] = e[11] = 0;
    put32(e + 12, 0, big_endian);           /* no next IFD */
    return (size_t)(e + 16 - buf);
}

static void test_parser_reads_all_orientations_in_both_byte_orders(void)
{
    uint8_t buf[128];
    for (int be = 0; be <= 1; be++)
        for (unsigned o = 1; o <= 8; o++) {
            size_t n = make_exif_payload(buf, be, o);
            CHECK(fu_exif_orientation_app1(buf, n) == (int)o, "%s orientation %u read as %d",
                  be ? "big-endian" : "little-endian", o, fu_exif_orientation_app1(buf, n));
            CHECK(fu_exif_orientation_tiff(buf + 6, n - 6) == (int)o, "TIFF form, orientation %u", o);
        }
}

static void test_parser_treats_damaged_blocks_as_upright(void)
{
    uint8_t buf[128];
    size_t n = make_exif_payload(buf, 1, 6);
    CHECK(fu_exif_orientation_app1(buf, n - 10) == 1, "entry cut off");
    CHECK(fu_exif_orientation_app1(buf, 10) == 1, "header only");
    CHECK(fu_exif_orientation_app1(NULL, 0) == 1, "NULL");
    uint8_t bad[128];
    memcpy(bad, buf, n);
    put32(bad + 6 + 4, 0xFFFFFFF0u, 1);   /* IFD offset far outside */
    CHECK(fu_exif_orientation_app1(bad, n) == 1, "IFD offset outside");
    memcpy(bad, buf, n);
    put16(bad + 6 + 8, 0xFFFF, 1);        /* absurd entry count */
    CHECK(fu_exif_orientation_app1(bad, n) == 6, "entry count beyond the buffer still stops at its end");
    memcpy(bad, buf, n);
    put16(bad + 6 + 22 + 8, 9, 1);        /* orientation 9 */
    CHECK(fu_exif_orientation_app1(bad, n) == 1, "orientation 9");
    memcpy(bad, buf, n);
    memcpy(bad, "Exif\0\1", 6);
    CHECK(fu_exif_orientation_app1(bad, n) == 1, "not the Exif signature");
    memcpy(bad, buf, n);
    bad[6] = 'X';
    CHECK(fu_exif_orientation_app1(bad, n) == 1, "bad byte order mark");
}

/* A 3x2 image whose pixel (x, y) holds the single value 10*y + x:
 *   0 1 2
 *  10 11 12 */
static facefuse_image make_numbered(void)
{
    facefuse_image im;
    if (facefuse_image_alloc(&im, 3, 2, 3) != FACEFUSE_OK)
        abort();
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            memset(fu_pixel(&im, x, y), 10 * y + x, 3);
    return im;
}

static void test_each_orientation_moves_pixels_as_exif_defines(void)
{
    /* Upright results, row by row, for orientations 1..8. */
    static const struct { int w, h; int v[6]; } expected[9] = {
        [1] = {3, 2, {0, 1, 2, 10, 11, 12}},
        [2] = {3, 2, {2, 1, 0, 12, 11, 10}},        /* mirrored left-right */
        [3] = {3, 2, {12, 11, 10, 2, 1, 0}},        /* 180 */
        [4] = {3, 2, {10, 11, 12, 0, 1, 2}},        /* mirrored top-bottom */
        [5] = {2, 3, {0, 10, 1, 11, 2, 12}},        /* transpose */
        [6] = {2, 3, {10, 0, 11, 1, 12, 2}},        /* 90 clockwise */
        [7] = {2, 3, {12, 2, 11, 1, 10, 0}},        /* transverse */
        [8] = {2, 3, {2, 12, 1, 11, 0, 10}},        /* 90 counter-clockwise */
    };
    for (int o = 1; o <= 8; o++) {
        facefuse_image im = make_numbered();
        fu_err err = {0};
        REQUIRE(fu_exif_apply_orientation(&im, o, &err) == FACEFUSE_OK, "%s", err.msg);
        REQUIRE(im.width == expected[o].w && im.height == expected[o].h, "orientation %d: %dx%d", o,
                im.width, im.height);
        int bad = 0;
        for (int y = 0; y < im.height; y++)
            for (int x = 0; x < im.width; x++)
                bad += fu_pixel(&im, x, y)[0] != expected[o].v[y * im.width + x];
        CHECK(bad == 0, "orientation %d: %d pixels misplaced", o, bad);
        facefuse_image_free(&im);
    }
}

static void test_display_matrix_maps_to_exif_orientation(void)
{
    /* FFmpeg's own EXIF -> display matrix construction. */
    static const struct { double angle; int hflip; int orientation; } cases[] = {
        {0, 0, 1}, {0, 1, 2}, {180, 0, 3}, {180, 1, 4}, {90, 1, 5}, {90, 0, 6}, {-90, 1, 7}, {-90, 0, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int32_t m[9];
        av_display_rotation_set(m, cases[i].angle);
        if (cases[i].hflip)
            av_display_matrix_flip(m, 1, 0);
        int got = fu_exif_orientation_from_display_matrix(m);
        CHECK(got == cases[i].orientation, "angle %.0f flip %d: orientation %d, expected %d",
              cases[i].angle, cases[i].hflip, got, cases[i].orientation);
    }
}

/* Quadrant colours of the 64x32 test picture. */
enum { RED, GREEN, BLUE, WHITE };
static const uint8_t colours[4][3] = {{230, 20, 20}, {20, 230, 20}, {20, 20, 230}, {240, 240, 240}};

/* Top-left red, top-right green, bottom-left blue, bottom-right white. */
static facefuse_image make_quadrants(void)
{
    facefuse_image im;
    if (facefuse_image_alloc(&im, 64, 32, 3) != FACEFUSE_OK)
        abort();
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 64; x++) {
            int q = (y < 16 ? 0 : 2) + (x < 32 ? 0 : 1);
            memcpy(fu_pixel(&im, x, y), colours[q == 0 ? RED : q == 1 ? GREEN : q == 2 ? BLUE : WHITE], 3);
        }
    return im;
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

/* A JPEG file of the quadrant picture with an APP1 EXIF segment right after SOI. */
static const char *jpeg_with_orientation(int orientation, int big_endian)
{
    char name[64];
    snprintf(name, sizeof name, "oriented-%d-%d.jpg", orientation, big_endian);
    const char *path = tl_tmp(name);
    facefuse_image im = make_quadrants();
    fu_err err = {0};
    size_t size = 0;
    if (fu_image_write(path, &im, 95, &err) != FACEFUSE_OK)
        fprintf(stderr, "write: %s\n", err.msg);
    facefuse_image_free(&im);
    uint8_t *jpeg = slurp(path, &size);
    uint8_t payload[128];
    size_t n = make_exif_payload(payload, big_endian, (unsigned)orientation);
    FILE *f = fopen(path, "wb");
    uint8_t marker[4] = {0xFF, 0xE1, (uint8_t)((n + 2) >> 8), (uint8_t)(n + 2)};
    if (!jpeg || !f || fwrite(jpeg, 1, 2, f) != 2 || fwrite(marker, 1, 4, f) != 4 ||
        fwrite(payload, 1, n, f) != n || fwrite(jpeg + 2, 1, size - 2, f) != size - 2)
        fprintf(stderr, "cannot splice EXIF into %s\n", path);
    if (f)
        fclose(f);
    free(jpeg);
    return path;
}

static int near_colour(const uint8_t *p, int c)
{
    for (int i = 0; i < 3; i++)
        if (abs((int)p[i] - (int)colours[c][i]) > 12)
            return 0;
    return 1;
}

/* Reads the oriented JPEG and checks size and the colour at the centre of
 * each quadrant: tl, tr, bl, br. */
static void check_oriented_read(int orientation, int big_endian, int w, int h, int tl, int tr, int bl, int br)
{
    facefuse_image im = {0};
    fu_err err = {0};
    const char *path = jpeg_with_orientation(orientation, big_endian);
    REQUIRE(fu_image_read(path, &im, &err) == FACEFUSE_OK, "%s", err.msg);
    REQUIRE(im.width == w && im.height == h, "orientation %d: %dx%d, expected %dx%d", orientation, im.width,
            im.height, w, h);
    int qx[2] = {w / 4, 3 * w / 4}, qy[2] = {h / 4, 3 * h / 4};
    CHECK(near_colour(fu_pixel(&im, qx[0], qy[0]), tl), "orientation %d: top-left wrong", orientation);
    CHECK(near_colour(fu_pixel(&im, qx[1], qy[0]), tr), "orientation %d: top-right wrong", orientation);
    CHECK(near_colour(fu_pixel(&im, qx[0], qy[1]), bl), "orientation %d: bottom-left wrong", orientation);
    CHECK(near_colour(fu_pixel(&im, qx[1], qy[1]), br), "orientation %d: bottom-right wrong", orientation);
    facefuse_image_free(&im);
}

static void test_jpeg_with_exif_orientation_reads_upright(void)
{
    /* Stored: red green / blue white, 64x32. */
    check_oriented_read(1, 0, 64, 32, RED, GREEN, BLUE, WHITE);
    /* 6: turn 90 clockwise: stored top-left goes to the top-right. */
    check_oriented_read(6, 0, 32, 64, BLUE, RED, WHITE, GREEN);
    check_oriented_read(6, 1, 32, 64, BLUE, RED, WHITE, GREEN);
    check_oriented_read(3, 1, 64, 32, WHITE, BLUE, GREEN, RED);
    /* 8: turn 90 counter-clockwise: stored top-left goes to the bottom-left. */
    check_oriented_read(8, 0, 32, 64, GREEN, WHITE, RED, BLUE);
    check_oriented_read(8, 1, 32, 64, GREEN, WHITE, RED, BLUE);
}

int main(void)
{
    RUN(test_parser_reads_all_orientations_in_both_byte_orders);
    RUN(test_parser_treats_damaged_blocks_as_upright);
    RUN(test_each_orientation_moves_pixels_as_exif_defines);
    RUN(test_display_matrix_maps_to_exif_orientation);
    RUN(test_jpeg_with_exif_orientation_reads_upright);
    return tl_finish();
}
