/*
 * parallel.h — splitting a loop over rows (or columns) across threads.
 *
 * Whole-frame pixel work (keying, compositing) is cut into contiguous
 * ranges, one per thread; the calling thread runs the first range itself.
 * Threads are started per call: at a few milliseconds per 1080p pass the
 * tens of microseconds a start costs do not matter, and nothing lingers.
 */
#ifndef FU_PARALLEL_H
#define FU_PARALLEL_H

/* Work on items [begin, end); worker is the range's number, 0..threads−1
 * (for per-worker scratch). */
typedef void (*fu_range_fn)(void *ud, int worker, int begin, int end);

/* Calls fn over [0, n) in min(threads, n) contiguous ranges (threads <= 1,
 * or a failed thread start, runs those ranges on the calling thread).
 * Returns when every range is done. threads is capped at FU_MAX_THREADS. */
#define FU_MAX_THREADS 64
void fu_parallel_for(int n, int threads, fu_range_fn fn, void *ud);

/* The number of online CPUs (at least 1). */
int fu_cpu_count(void);

#endif
