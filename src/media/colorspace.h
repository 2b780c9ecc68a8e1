/*
 * colorspace.h — FFmpeg colour-space tags to libswscale coefficient tables,
 * shared by the video reader and writer.
 */
#ifndef FU_COLORSPACE_H
#define FU_COLORSPACE_H

/* The SWS_CS_* table for an AVColorSpace. An unspecified space is BT.709
 * when unknown_is_hd (HD video, and everything we write), else BT.601 (what
 * players assume for SD). */
int fu_sws_colorspace(int av_space, int unknown_is_hd);

#endif
