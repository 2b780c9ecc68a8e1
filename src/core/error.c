/*
 * error.c — status strings and the fu_err message buffer.
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fu_one_line(char *dst, size_t size, const char *src)
{
    size_t end = strlen(src), o = 0;

    if (size == 0)
        return;
    while (end > 0 && (src[end - 1] == '\n' || src[end - 1] == '\r' || src[end - 1] == ' ' || src[end - 1] == '\t'))
        end--;
    for (size_t i = 0; i < end; i++) {
        unsigned char c = (unsigned char)src[i];
        char esc[5];
        size_t n;
        if (c >= 0x20 && c != 0x7f) {
            esc[0] = (char)c;
            n = 1;
        } else if (c == '\n' || c == '\t' || c == '\r') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
            n = 2;
        } else {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            n = 4;
        }
        if (o + n >= size)
            break;
        memcpy(dst + o, esc, n);
        o += n;
    }
    dst[o] = '\0';
}

facefuse_status fu_fail(fu_err *err, facefuse_status code, const char *fmt, ...)
{
    if (err) {
        char raw[FU_ERRMSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        fu_one_line(err->msg, sizeof err->msg, raw);
        err->code = code;
    }
    return code;
}

void fu_err_clear(fu_err *err)
{
    if (err) {
        err->code = FACEFUSE_OK;
        err->msg[0] = '\0';
    }
}

const char *facefuse_strerror(facefuse_status status)
{
    switch (status) {
    case FACEFUSE_OK: return "success";
    case FACEFUSE_ERR_INVALID_ARGUMENT: return "invalid argument";
    case FACEFUSE_ERR_NO_MEMORY: return "out of memory";
    case FACEFUSE_ERR_IO: return "input/output error";
    case FACEFUSE_ERR_DECODE: return "cannot decode media";
    case FACEFUSE_ERR_ENCODE: return "cannot encode media";
    case FACEFUSE_ERR_MODEL_MISSING: return "model file missing";
    case FACEFUSE_ERR_MODEL_CORRUPT: return "model file corrupt";
    case FACEFUSE_ERR_MODEL_CONTRACT: return "model inputs or outputs not as expected";
    case FACEFUSE_ERR_DOWNLOAD: return "download failed";
    case FACEFUSE_ERR_PROVIDER: return "execution provider not available";
    case FACEFUSE_ERR_INFERENCE: return "inference failed";
    case FACEFUSE_ERR_NO_FACE: return "no face found";
    case FACEFUSE_ERR_UNSUPPORTED: return "not supported";
    case FACEFUSE_ERR_CANCELLED: return "cancelled";
    case FACEFUSE_ERR_INTERNAL: return "internal error";
    case FACEFUSE_ERR_NOT_FOUND: return "not found";
    }
    return "unknown status";
}
