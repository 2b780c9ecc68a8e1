/*
 * test_image_io_bad_input.c — every way an image can be unreadable gives the
 * right status and a message naming the file: a missing path (IO, with the
 * system's reason), zero bytes, text named .png, a PNG or JPEG cut short
 * (DECODE, even when FFmpeg alone would hand back a grey-filled picture).
 * And writes that cannot happen (missing directory, unknown extension)
 * fail without leaving anything behind.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/image.h"
#include "media/image_io.h"
#include "testlib.h"

static facefuse_image make_pattern(int w, int h)
{
    facefuse_image im;
    if (facefuse_image_alloc(&im, w, h, 3) != FACEFUSE_OK)
        abort();
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = fu_pixel(&im, x, y);
            p[0] = (uint8_t)(x * 3 + y);
            p[1] = (uint8_t)(y * 5);
            p[2] = (uint8_t)((x * y) >> 3);
        }
    return im;
}

static int write_bytes(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

static uint8_t *read_bytes(const char *path, size_t *size)
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

/* Reads path, expecting `code`, a message with the path, and a zeroed image. */
static void expect_read_failure(const char *path, facefuse_status code, const char *also_in_message)
{
    facefuse_image im = {0};
    fu_err err = {0};
    facefuse_status st = fu_image_read(path, &im, &err);
    printf("   message: %s\n", err.msg);
    CHECK(st == code, "%s: status %d (%s), expected %d", path, st, err.msg, code);
    CHECK(err.code == code, "err.code %d", err.code);
    CHECK(strstr(err.msg, path) != NULL, "message does not name the path: %s", err.msg);
    CHECK(!also_in_message || strstr(err.msg, also_in_message), "message lacks \"%s\": %s",
          also_in_message, err.msg);
    CHECK(strchr(err.msg, '\n') == NULL, "message is not one line: %s", err.msg);
    CHECK(im.data == NULL && im.width == 0, "image not left empty on failure");
    facefuse_image_free(&im);
}

/* Writes a good file of the given name, then cuts it: to keep_percent of
 * its size, or (keep_percent 0) by drop_bytes at the end. */
static const char *truncated_copy(const char *name, int keep_percent, size_t drop_bytes)
{
    facefuse_image src = make_pattern(96, 80);
    fu_err err = {0};
    const char *path = tl_tmp(name);
    size_t size = 0;
    if (fu_image_write(path, &src, 90, &err) != FACEFUSE_OK)
        fprintf(stderr, "write %s: %s\n", path, err.msg);
    facefuse_image_free(&src);
    uint8_t *bytes = read_bytes(path, &size);
    size_t keep = keep_percent ? size * (size_t)keep_percent / 100 : size - drop_bytes;
    if (!bytes || !write_bytes(path, bytes, keep))
        fprintf(stderr, "cannot truncate %s\n", path);
    free(bytes);
    return path;
}

static void test_nonexistent_path_is_io_error_with_reason(void)
{
    expect_read_failure(tl_tmp("no-such-file.png"), FACEFUSE_ERR_IO, "No such file");
}

static void test_zero_byte_file_is_decode_error(void)
{
    const char *path = tl_tmp("empty.jpg");
    REQUIRE(write_bytes(path, "", 0), "write");
    expect_read_failure(path, FACEFUSE_ERR_DECODE, "empty");
}

static void test_text_named_png_is_decode_error(void)
{
    const char *path = tl_tmp("notes.png");
    const char *text = "This is not an image, only some text.\nSecond line of it.\n";
    REQUIRE(write_bytes(path, text, strlen(text)), "write");
    expect_read_failure(path, FACEFUSE_ERR_DECODE, NULL);
}

static void test_random_bytes_named_jpg_is_decode_error(void)
{
    uint8_t junk[3000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)((i * 2654435761u) >> 13);
    const char *path = tl_tmp("junk.jpg");
    REQUIRE(write_bytes(path, junk, sizeof junk), "write");
    expect_read_failure(path, FACEFUSE_ERR_DECODE, NULL);
}

static void test_truncated_png_is_decode_error(void)
{
    expect_read_failure(truncated_copy("half.png", 50, 0), FACEFUSE_ERR_DECODE, "truncated PNG");
    /* All pixel data there, only the 12-byte IEND chunk missing. */
    expect_read_failure(truncated_copy("no-iend.png", 0, 12), FACEFUSE_ERR_DECODE, "truncated PNG");
}

static void test_truncated_jpeg_is_decode_error(void)
{
    /* FFmpeg alone decodes these, filling the missing rows with grey. */
    expect_read_failure(truncated_copy("half.jpg", 60, 0), FACEFUSE_ERR_DECODE, "truncated JPEG");
    expect_read_failure(truncated_copy("no-eoi.jpeg", 0, 2), FACEFUSE_ERR_DECODE, "truncated JPEG");
    expect_read_failure(truncated_copy("header-only.jpg", 5, 0), FACEFUSE_ERR_DECODE, "truncated JPEG");
}

static void test_directory_is_io_error(void)
{
    const char *dir = tl_tmp("a-directory.png");
    REQUIRE(mkdir(dir, 0755) == 0, "mkdir");
    expect_read_failure(dir, FACEFUSE_ERR_IO, NULL);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_write_to_missing_directory_fails_and_leaves_nothing(void)
{
    const char *parent = tl_tmp("out");
    REQUIRE(mkdir(parent, 0755) == 0, "mkdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/missing/result.png", parent);
    facefuse_image src = make_pattern(10, 10);
    fu_err err = {0};
    facefuse_status st = fu_image_write(path, &src, 80, &err);
    CHECK(st == FACEFUSE_ERR_IO, "status %d: %s", st, err.msg);
    CHECK(strstr(err.msg, "missing") != NULL, "message does not name the directory: %s", err.msg);
    CHECK(count_entries(parent) == 0, "something was created in %s", parent);
    facefuse_image_free(&src);
}

static void test_write_with_unknown_extension_fails_and_leaves_nothing(void)
{
    const char *dir = tl_tmp("ext");
    REQUIRE(mkdir(dir, 0755) == 0, "mkdir");
    const char *names[] = {"picture.gif", "picture"};
    facefuse_image src = make_pattern(10, 10);
    for (int i = 0; i < 2; i++) {
        char path[1024];
        fu_err err = {0};
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        facefuse_status st = fu_image_write(path, &src, 80, &err);
        CHECK(st == FACEFUSE_ERR_INVALID_ARGUMENT, "%s: status %d: %s", names[i], st, err.msg);
        CHECK(strstr(err.msg, path) != NULL, "message does not name the path: %s", err.msg);
    }
    CHECK(count_entries(dir) == 0, "something was created in %s", dir);
    facefuse_image_free(&src);
}

static void test_write_of_invalid_image_fails(void)
{
    facefuse_image bad = {0};
    fu_err err = {0};
    CHECK(fu_image_write(tl_tmp("bad.png"), &bad, 80, &err) == FACEFUSE_ERR_INVALID_ARGUMENT, "%s",
          err.msg);
    struct stat st;
    CHECK(stat(tl_tmp("bad.png"), &st) != 0, "bad.png was created");
}

static void test_path_is_image_knows_the_extensions(void)
{
    const char *yes[] = {"a.jpg", "b.JPEG", "dir.x/c.png", "d.webp", "e.bmp", "f.tif", "g.TIFF"};
    const char *no[] = {"a.mp4", "b", "dir.png/c", "d.gif", "e.jpg.txt", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(fu_image_path_is_image(yes[i]), "%s should be an image", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!fu_image_path_is_image(no[i]), "%s should not be an image", no[i]);
}

int main(void)
{
    RUN(test_nonexistent_path_is_io_error_with_reason);
    RUN(test_zero_byte_file_is_decode_error);
    RUN(test_text_named_png_is_decode_error);
    RUN(test_random_bytes_named_jpg_is_decode_error);
    RUN(test_truncated_png_is_decode_error);
    RUN(test_truncated_jpeg_is_decode_error);
    RUN(test_directory_is_io_error);
    RUN(test_write_to_missing_directory_fails_and_leaves_nothing);
    RUN(test_write_with_unknown_extension_fails_and_leaves_nothing);
    RUN(test_write_of_invalid_image_fails);
    RUN(test_path_is_image_knows_the_extensions);
    return tl_finish();
}
