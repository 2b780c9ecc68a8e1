/*
 * error.h — how internal code reports failure.
 *
 * Every internal function that can fail takes an `fu_err *` and returns a
 * facefuse_status. On failure it fills the fu_err with the code and a
 * one-line message that says what failed and where (a path, a model name),
 * then returns the code: `return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s: %s", p, strerror(errno));`
 * The public API copies the message into its context. An fu_err lives on the
 * caller's stack, so threads never share one.
 *
 * A message is always one line: fu_fail drops trailing white space (library
 * messages often end in a newline) and writes control characters (a newline
 * or an escape sequence in a file name) as \n, \t, \r or \xNN, so a hostile
 * file name cannot forge lines or drive the terminal.
 */
#ifndef FU_ERROR_H
#define FU_ERROR_H

#include "facefuse.h"

#define FU_ERRMSG_MAX 1024

typedef struct fu_err {
    facefuse_status code;
    char msg[FU_ERRMSG_MAX];
} fu_err;

/* Records code and printf-style message; returns code. err may be NULL. */
facefuse_status fu_fail(fu_err *err, facefuse_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err to FACEFUSE_OK and "". */
void fu_err_clear(fu_err *err);

/* Copies src into dst (size bytes, always terminated) as one line: trailing
 * white space dropped, control characters escaped as above. */
void fu_one_line(char *dst, size_t size, const char *src);

#endif
