/*
 * alloc_policy.c — freed memory kept for reuse (see alloc_policy.h).
 */
#include "core/alloc_policy.h"

#include <stdlib.h> /* defines __GLIBC__ on glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

void fu_alloc_keep_freed_memory(void)
{
#ifdef __GLIBC__
    /* 32 MB is glibc's largest heap-served block on 64-bit (a 1536 px RGB
     * float tensor is 27 MB); freed memory at the heap's top is returned
     * only beyond 1 GB. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
