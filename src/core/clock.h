/*
 * clock.h — the monotonic clock used for timings (benchmarks, per-stage
 * figures, progress rates).
 */
#ifndef FU_CLOCK_H
#define FU_CLOCK_H

#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC. */
int64_t fu_now_ns(void);

#endif
