/*
 * test_preview_face_by_face.c — POST /api/preview with "mode":
 * "face-by-face" (FaceFusion's preview_options) on the real pipeline: the
 * answer is one row per selected face, the face's crop before | after, two
 * squares side by side, and with the face swapper the two crops differ,
 * most at the face's centre; the default mode is the whole frame; a bad
 * mode is 400.
 */
#include <jansson.h>

#include "core/image.h"
#include "media/image_io.h"
#include "pipelinetest.h"

#define SWAP "--processors face_swapper --face-swapper-model inswapper_128 --face-detector-model scrfd"

static pt_server p;
static char base[64], source_id[64], target_id[64];

static long preview(const char *mode, facefuse_image *out)
{
    char url[256], body[512];
    snprintf(url, sizeof url, "%sapi/preview", base);
    snprintf(body, sizeof body, "{\"sources\":[\"%s\"],\"target\":\"%s\",\"mode\":\"%s\",\"resolution\":0}", source_id,
             target_id, mode);
    api_reply r = api_request("POST", url, NULL, body, strlen(body));
    long status = r.status;
    if (status == 200 && out && fu_image_read_memory((uint8_t *)r.body, r.size, "preview", out, NULL) != FACEFUSE_OK)
        status = -1;
    api_reply_free(&r);
    return status;
}

/* Mean absolute difference of two side × side squares of im. */
static double square_difference(const facefuse_image *im, int ax, int ay, int bx, int by, int side)
{
    double sum = 0;
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            const uint8_t *a = fu_pixel(im, ax + x, ay + y), *b = fu_pixel(im, bx + x, by + y);
            sum += abs(a[0] - b[0]) + abs(a[1] - b[1]) + abs(a[2] - b[2]);
        }
    return sum / (3.0 * side * side);
}

static void crops_differ_before_and_after_a_swap(void)
{
    facefuse_image im = {0};
    REQUIRE(preview("face-by-face", &im) == 200, "face-by-face preview failed");
    int side = im.width / 2;
    CHECK(im.width == 2 * side && side >= 64 && im.height % side == 0 && im.height / side >= 1,
          "%dx%d is not rows of two squares", im.width, im.height);
    double d = square_difference(&im, 0, 0, side, 0, side);
    CHECK(d > 4.0, "the swapped face's crops differ by %.2f on average", d);
    /* the face is in the crop: its centre differs more than its corner */
    double centre = square_difference(&im, side / 4, side / 4, side + side / 4, side / 4, side / 2);
    fprintf(stderr, "    %dx%d: crops differ by %.2f, centres by %.2f\n", im.width, im.height, d, centre);
    CHECK(centre > d, "the centre differs by %.2f, the whole crop by %.2f", centre, d);
    facefuse_image_free(&im);
}

static void the_default_mode_is_the_frame(void)
{
    facefuse_image whole = {0}, pairs = {0};
    REQUIRE(preview("default", &whole) == 200 && preview("face-by-face", &pairs) == 200, "previews");
    CHECK(whole.width == 512 && whole.height == 512, "the default preview is %dx%d, not the frame", whole.width,
          whole.height);
    CHECK(pairs.width != whole.width || pairs.height != whole.height, "face-by-face gave the whole frame");
    facefuse_image_free(&whole);
    facefuse_image_free(&pairs);
    CHECK(preview("frame-by-frame", NULL) == 200, "frame-by-frame");
    CHECK(preview("face_by_face", NULL) == 400, "a bad mode is not 400");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pt_start(&p, "jobs_face_by_face", SWAP);
    snprintf(base, sizeof base, "%s", api_base(p.server));
    api_upload(base, tl_shared("samples/astronaut.png"), "t.png", target_id, sizeof target_id);
    api_upload(base, tl_shared("samples/grace_hopper.jpg"), "s.jpg", source_id, sizeof source_id);
    if (!target_id[0] || !source_id[0]) {
        fprintf(stderr, "uploads failed\n");
        return 1;
    }
    RUN(crops_differ_before_and_after_a_swap);
    RUN(the_default_mode_is_the_frame);
    pt_stop(&p);
    curl_global_cleanup();
    return tl_finish();
}
