/*
 * fuzz_video_open.c — any bytes as a video file: opening (demuxer probe,
 * stream info, decoder), and the first frames converted to RGB. The bytes
 * are handed over as a memory file (/proc/self/fd/N) so the reader runs its
 * real path. Must never crash, hang or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "core/image.h"
#include "media/video_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    fu_video_reader *r = NULL;
    fu_err err;

    av_log_set_level(AV_LOG_QUIET);
    int fd = memfd_create("fuzz-video", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (fu_video_reader_open(&r, path, 1, &err) == FACEFUSE_OK) {
        facefuse_image frame = {0};
        int64_t pts;
        int got = 1;
        for (int i = 0; i < 3 && got; i++)
            if (fu_video_reader_next(r, &frame, &pts, &got, &err) != FACEFUSE_OK)
                break;
        facefuse_image_free(&frame);
        fu_video_reader_close(r);
    }
    close(fd);
    return 0;
}
