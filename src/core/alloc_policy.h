/*
 * alloc_policy.h — how the process's allocator treats the large buffers a
 * frame or a face needs (crops, masks, tensors of several MB).
 *
 * By default glibc gives freed blocks of that size back to the system at
 * once and takes fresh, zeroed pages for the next face: measured on the
 * age modifier, page faults were three quarters of its CPU time (fran
 * 198 → 51 ms a face, bench_age_deep_swapper). A front end (the facefuse
 * program, a server) calls this once at start so freed memory is kept and
 * reused, by every thread and every module, ONNX Runtime's output copies
 * included; the process keeps what its busiest moment needed, which it
 * needed anyway. Not for the library to decide for its host: only front
 * ends call it.
 */
#ifndef FU_ALLOC_POLICY_H
#define FU_ALLOC_POLICY_H

/* Blocks up to 32 MB come from the heap and freed memory is kept (glibc;
 * nothing elsewhere). */
void fu_alloc_keep_freed_memory(void);

#endif
