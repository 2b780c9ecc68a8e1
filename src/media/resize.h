/*
 * resize.h — image scaling through libswscale: area averaging when
 * shrinking (no aliasing on a 4K frame shrunk for the detector), bicubic
 * when enlarging. RGB, RGBA and grey.
 */
#ifndef FU_RESIZE_H
#define FU_RESIZE_H

#include "core/error.h"

/* Allocates dst as w × h with src's channel count. */
facefuse_status fu_resize(const facefuse_image *src, facefuse_image *dst, int w, int h);

#endif
