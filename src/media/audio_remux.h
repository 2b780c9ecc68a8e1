/*
 * audio_remux.h — carries the audio of a target (or a replacing audio file)
 * into the output video: packet copy when the container accepts the codec
 * and no volume change is asked, else decode → gain → resample → encode.
 *
 * Times: source packets/samples at [start_s, end_s) of the source's clock are
 * kept and shifted to start at 0 in the output (copy mode cuts at packet
 * granularity, re-encoding cuts at the sample).
 */
#ifndef FU_AUDIO_REMUX_H
#define FU_AUDIO_REMUX_H

#include "core/error.h"
#include "media/video_writer.h"

typedef struct fu_audio_remux fu_audio_remux;

typedef struct fu_audio_params {
    const char *path;       /* the target, or an audio file replacing its soundtrack */
    int replace;            /* 1: path is a replacing audio file (best stream only) */
    double start_s;         /* source time that becomes output time 0 */
    int cut_start;          /* drop audio before start_s (a trimmed target) */
    const char *encoder;    /* re-encoding encoder; NULL = first the container accepts */
    int quality;            /* 0–100 */
    int volume;             /* 1–100; < 100 forces re-encoding */
    int force_encode;       /* never copy packets */
} fu_audio_params;

/* Opens the source and adds its output streams to the writer's format
 * context (call before fu_video_writer_start). A source with no audio gives
 * FACEFUSE_OK and *out = NULL. */
facefuse_status fu_audio_remux_open(fu_audio_remux **out, const fu_audio_params *p,
                                    fu_video_writer *w, fu_err *err);
/* 1 if any stream is copied packet-for-packet. */
int fu_audio_remux_copies(const fu_audio_remux *a);
/* Muxes source audio up to output time t_s (call as video advances). */
facefuse_status fu_audio_remux_write_until(fu_audio_remux *a, double t_s, fu_err *err);
/* Muxes the rest, up to output time end_s (< 0: to the end of the source),
 * and flushes encoders. */
facefuse_status fu_audio_remux_finish(fu_audio_remux *a, double end_s, fu_err *err);
void fu_audio_remux_free(fu_audio_remux *a);

#endif
