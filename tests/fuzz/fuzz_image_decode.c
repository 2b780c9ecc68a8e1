/*
 * fuzz_image_decode.c — any bytes as an image file: identification, the
 * JPEG/PNG structure walk, FFmpeg's decoders, pixel conversion, the EXIF
 * orientation readers and their application. Must never crash, hang or leak;
 * a failure is just a status with a one-line message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "core/image.h"
#include "media/exif.h"
#include "media/image_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    facefuse_image img;
    fu_err err;

    av_log_set_level(AV_LOG_QUIET);
    /* The EXIF readers on their own, over the same bytes. */
    int o = fu_exif_orientation_tiff(data, size);
    o ^= fu_exif_orientation_app1(data, size);
    (void)o;
    if (fu_image_read_memory(data, size, "fuzz", &img, &err) == FACEFUSE_OK) {
        if (img.width <= 0 || img.height <= 0 || !img.data)
            abort();
        facefuse_image_free(&img);
    } else if (!err.msg[0] || strchr(err.msg, '\n')) {
        abort(); /* every failure says what, on one line */
    }
    return 0;
}
