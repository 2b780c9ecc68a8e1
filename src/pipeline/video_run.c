/*
 * video_run.c — the threaded decode → process → encode pipeline for a video
 * target (see video_run.h), plus the two ready-made progress printers.
 *
 * All frames live in one ring of `capacity` slots indexed by sequence
 * number. A slot moves FREE → (decoder) READY → (worker) BUSY → DONE →
 * (writer) FREE; one mutex and one condition variable guard the states.
 * With an ordered analysis stage, the analysis thread walks the READY slots
 * in sequence (`analysed`) and hands them to the workers in sequence
 * (`released`, look-ahead frames behind), with their data in the slot.
 * Waits time out every 100 ms so a cancel flag set from a signal handler is
 * seen even when no thread signals.
 */
#include "pipeline/video_run.h"

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavutil/rational.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/file.h"
#include "core/image.h"
#include "core/log.h"
#include "media/audio_remux.h"
#include "media/encoders.h"
#include "media/video_reader.h"
#include "media/video_writer.h"

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

typedef struct frame_slot {
    facefuse_image image;
    int64_t pts;         /* in the target's time base */
    int64_t index;       /* frame number in the target */
    double time_s;       /* presentation time after the first kept frame */
    int64_t out_first;   /* constant-rate output: first output frame number */
    int repeat;          /* output frames made from it (0: dropped by the fps change) */
    enum slot_state state;
    void *data;          /* from the analysis stage's release, until processed */
} frame_slot;

typedef struct run_state {
    const fu_video_job *job;
    fu_video_reader *reader;
    fu_video_info info;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    frame_slot *slots;
    int capacity;
    int64_t published;     /* slots [0, published) were handed to workers */
    int64_t dispatched;    /* next sequence a worker takes */
    int64_t written;       /* next sequence the writer writes */
    int64_t analysed;      /* slots [0, analysed) went through analyse */
    int64_t released;      /* slots [0, released) may go to workers (with analysis) */
    int decode_done;
    int analyse_done;      /* every published slot was released */
    int stop;
    facefuse_status status;
    fu_err err;
    /* set once, read by all */
    int64_t range_start, range_end;
    int cfr;
    double out_fps;
    AVRational out_fps_q;
} run_state;

typedef struct output_state {
    fu_output file;
    fu_video_writer *writer;
    fu_audio_remux *audio;
    int silent;            /* the audio could not be used */
    int64_t offset_pts;    /* subtracted from target pts (the first kept frame when trimmed) */
    int64_t last_out_pts;
    int64_t out_frames;
    int64_t done;
    double started_s;
    int piece;             /* segmented output: the piece being written */
} output_state;

static int cancelled(const run_state *rs)
{
    return rs->job->cancel && *rs->job->cancel;
}

/* Records the first failure and stops everyone. Call with the lock held. */
static void fail_locked(run_state *rs, facefuse_status code, const fu_err *e)
{
    if (!rs->stop) {
        rs->status = code;
        if (e)
            rs->err = *e;
        else
            fu_fail(&rs->err, code, "cancelled while processing %s", rs->job->target_path);
    }
    rs->stop = 1;
    pthread_cond_broadcast(&rs->cond);
}

static void fail(run_state *rs, facefuse_status code, const fu_err *e)
{
    pthread_mutex_lock(&rs->lock);
    fail_locked(rs, code, e);
    pthread_mutex_unlock(&rs->lock);
}

/* Waits on the condition for at most 100 ms; notices a cancel. Lock held. */
static void wait_a_while(run_state *rs)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&rs->cond, &rs->lock, &ts);
    if (cancelled(rs))
        fail_locked(rs, FACEFUSE_ERR_CANCELLED, NULL);
}

/* ------------------------------------------------------------ decode thread */

static frame_slot *slot_of(run_state *rs, int64_t seq)
{
    return &rs->slots[seq % rs->capacity];
}

/* Waits until the slot for seq is free; 0 when stopping. */
static int claim_slot(run_state *rs, int64_t seq)
{
    pthread_mutex_lock(&rs->lock);
    while (!rs->stop && slot_of(rs, seq)->state != SLOT_FREE)
        wait_a_while(rs);
    int ok = !rs->stop;
    pthread_mutex_unlock(&rs->lock);
    return ok;
}

static void publish(run_state *rs, int64_t seq)
{
    pthread_mutex_lock(&rs->lock);
    slot_of(rs, seq)->state = SLOT_READY;
    rs->published = seq + 1;
    pthread_cond_broadcast(&rs->cond);
    pthread_mutex_unlock(&rs->lock);
}

typedef struct cfr_state {
    int64_t held;          /* sequence of the frame waiting for its successor, -1 none */
    int64_t next_out;      /* next output frame number */
    int64_t first_pts;
} cfr_state;

/* Output frame number at which a target pts falls (constant-rate output). */
static int64_t cfr_slot(run_state *rs, const cfr_state *c, int64_t pts)
{
    double t = fu_video_reader_pts_seconds(rs->reader, pts) -
               fu_video_reader_pts_seconds(rs->reader, c->first_pts);
    return llround(t * rs->out_fps);
}

/* Constant-rate output: a frame covers the output frames from the previous
 * boundary up to its successor's, so it is published once that is known. */
static void cfr_push(run_state *rs, cfr_state *c, int64_t seq, int64_t pts)
{
    if (c->held < 0)
        c->first_pts = pts;
    if (c->held >= 0) {
        frame_slot *h = slot_of(rs, c->held);
        int64_t s = cfr_slot(rs, c, pts);
        h->out_first = c->next_out;
        h->repeat = s > c->next_out ? (int)(s - c->next_out) : 0;
        c->next_out += h->repeat;
        publish(rs, c->held);
    }
    c->held = seq;
}

static void cfr_finish(run_state *rs, cfr_state *c)
{
    if (c->held < 0)
        return;
    frame_slot *h = slot_of(rs, c->held);
    double dur = rs->info.fps > 0 ? 1.0 / rs->info.fps : 0.04;
    double t = fu_video_reader_pts_seconds(rs->reader, h->pts) -
               fu_video_reader_pts_seconds(rs->reader, c->first_pts) + dur;
    int64_t end = llround(t * rs->out_fps);
    h->out_first = c->next_out;
    h->repeat = end > c->next_out ? (int)(end - c->next_out) : 1;
    publish(rs, c->held);
    c->held = -1;
}

static void *decode_main(void *arg)
{
    run_state *rs = arg;
    cfr_state cfr = {-1, 0, 0};
    int64_t seq = 0;
    double first_s = 0;
    fu_err e;

    fu_err_clear(&e);
    for (int64_t index = 0; rs->range_end < 0 || index < rs->range_end; index++) {
        if (!claim_slot(rs, seq))
            break;
        frame_slot *s = slot_of(rs, seq);
        int keep = index >= rs->range_start;
        int got = 0;
        int64_t pts = 0;
        facefuse_status st = fu_video_reader_next(rs->reader, keep ? &s->image : NULL, &pts, &got,
                                                  &e);
        if (st != FACEFUSE_OK) {
            fail(rs, st, &e);
            break;
        }
        if (!got)
            break;
        if (!keep)
            continue;
        if (seq == 0)
            first_s = fu_video_reader_pts_seconds(rs->reader, pts);
        s->pts = pts;
        s->index = index;
        s->time_s = fu_video_reader_pts_seconds(rs->reader, pts) - first_s;
        s->repeat = 1;
        if (rs->cfr)
            cfr_push(rs, &cfr, seq, pts);
        else
            publish(rs, seq);
        seq++;
    }
    if (rs->cfr)
        cfr_finish(rs, &cfr);
    pthread_mutex_lock(&rs->lock);
    rs->decode_done = 1;
    pthread_cond_broadcast(&rs->cond);
    pthread_mutex_unlock(&rs->lock);
    return NULL;
}

/* ------------------------------------------------------------ analysis thread */

static void free_slot_data(run_state *rs, frame_slot *s)
{
    if (!s->data)
        return;
    if (rs->job->free_data)
        rs->job->free_data(rs->job->analyse_user, s->data);
    else
        free(s->data);
    s->data = NULL;
}

/* Hands slots [released, end) to the workers, asking release for their data. */
static facefuse_status release_until(run_state *rs, int64_t end, fu_err *e)
{
    while (rs->released < end) {
        frame_slot *s = slot_of(rs, rs->released);
        void *data = NULL;
        facefuse_status st = rs->job->release(rs->job->analyse_user, s->index, &data, e);
        s->data = data;
        if (st != FACEFUSE_OK)
            return st;
        pthread_mutex_lock(&rs->lock);
        rs->released++;
        pthread_cond_broadcast(&rs->cond);
        pthread_mutex_unlock(&rs->lock);
    }
    return FACEFUSE_OK;
}

static void *analyse_main(void *arg)
{
    run_state *rs = arg;
    const fu_video_job *job = rs->job;
    facefuse_status st = FACEFUSE_OK;
    fu_err e;

    fu_err_clear(&e);
    for (;;) {
        pthread_mutex_lock(&rs->lock);
        while (!rs->stop && rs->analysed >= rs->published && !rs->decode_done)
            wait_a_while(rs);
        int stop = rs->stop, end = rs->analysed >= rs->published;
        int64_t seq = rs->analysed;
        pthread_mutex_unlock(&rs->lock);
        if (stop)
            break;
        if (end) { /* the decoder is done: everything left goes out */
            st = release_until(rs, seq, &e);
            break;
        }
        frame_slot *s = slot_of(rs, seq);
        st = job->analyse(job->analyse_user, &s->image, s->index,
                          fu_video_reader_pts_seconds(rs->reader, s->pts), &e);
        if (st != FACEFUSE_OK)
            break;
        pthread_mutex_lock(&rs->lock);
        rs->analysed = seq + 1;
        pthread_mutex_unlock(&rs->lock);
        st = release_until(rs, seq + 1 - job->analyse_lookahead, &e);
        if (st != FACEFUSE_OK)
            break;
    }
    pthread_mutex_lock(&rs->lock);
    if (st != FACEFUSE_OK)
        fail_locked(rs, st, &e);
    rs->analyse_done = 1;
    pthread_cond_broadcast(&rs->cond);
    pthread_mutex_unlock(&rs->lock);
    return NULL;
}

/* ------------------------------------------------------------ workers */

/* Slots [dispatched, this) may be taken by a worker. Lock held. */
static int64_t workers_may_take(const run_state *rs)
{
    return rs->job->analyse ? rs->released : rs->published;
}

/* No more slots will become available to workers. Lock held. */
static int input_finished(const run_state *rs)
{
    return rs->job->analyse ? rs->analyse_done : rs->decode_done;
}

static void *worker_main(void *arg)
{
    run_state *rs = arg;
    const fu_video_job *job = rs->job;
    fu_err e;

    for (;;) {
        pthread_mutex_lock(&rs->lock);
        while (!rs->stop && rs->dispatched >= workers_may_take(rs) && !input_finished(rs))
            wait_a_while(rs);
        if (rs->stop || rs->dispatched >= workers_may_take(rs)) {
            pthread_mutex_unlock(&rs->lock);
            return NULL;
        }
        int64_t seq = rs->dispatched++;
        frame_slot *s = slot_of(rs, seq);
        s->state = SLOT_BUSY;
        pthread_mutex_unlock(&rs->lock);

        facefuse_status st = FACEFUSE_OK;
        fu_err_clear(&e);
        if (s->repeat > 0 && job->process_analysed)
            st = job->process_analysed(job->process_user, &s->image, s->index, s->time_s, s->data, &e);
        else if (s->repeat > 0 && job->process_at)
            st = job->process_at(job->process_user, &s->image, s->index, s->time_s, &e);
        else if (s->repeat > 0 && job->process)
            st = job->process(job->process_user, &s->image, s->index, &e);
        free_slot_data(rs, s);
        if (st == FACEFUSE_OK && !s->image.data)
            st = fu_fail(&e, FACEFUSE_ERR_INTERNAL, "frame %lld of %s lost its pixels",
                         (long long)s->index, rs->job->target_path);

        pthread_mutex_lock(&rs->lock);
        if (st != FACEFUSE_OK)
            fail_locked(rs, st, &e);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&rs->cond);
        pthread_mutex_unlock(&rs->lock);
    }
}

/* ------------------------------------------------------------ writer (calling thread) */

static int is_ext(const char *path, const char *ext)
{
    char buf[16];
    return strcmp(fu_path_extension(path, buf, sizeof buf), ext) == 0;
}

/* Adds the audio streams. FACEFUSE_ERR_DECODE (already logged) means the
 * audio is unusable and the output must be made silent. */
static facefuse_status open_audio(run_state *rs, output_state *os, int force_encode,
                                  double start_s, fu_err *err)
{
    const fu_video_job *job = rs->job;
    if (job->audio_volume <= 0 || os->silent)
        return FACEFUSE_OK;
    const AVOutputFormat *of = fu_video_writer_format(os->writer)->oformat;
    if (of->audio_codec == AV_CODEC_ID_NONE) {
        /* A video-only container (.h264, .y4m, .gif): as FFmpeg, no audio;
         * but a soundtrack asked for by name is not dropped silently. */
        if (job->audio_path)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "the .%s container of %s cannot hold the audio of %s",
                           fu_video_writer_extension(os->writer), job->output_path, job->audio_path);
        os->silent = 1;
        fu_info("the .%s container holds no audio: %s is silent", fu_video_writer_extension(os->writer),
                job->output_path);
        return FACEFUSE_OK;
    }
    fu_audio_params ap = {0};
    ap.path = job->audio_path ? job->audio_path : job->target_path;
    ap.replace = job->audio_path != NULL;
    ap.start_s = ap.replace ? 0 : start_s;
    ap.cut_start = !ap.replace && rs->range_start > 0;
    ap.encoder = job->audio_encoder;
    ap.quality = job->audio_quality;
    ap.volume = job->audio_volume > 100 ? 100 : job->audio_volume;
    ap.force_encode = force_encode;
    fu_err aerr;
    fu_err_clear(&aerr);
    facefuse_status st = fu_audio_remux_open(&os->audio, &ap, os->writer, &aerr);
    if (st == FACEFUSE_ERR_UNSUPPORTED || st == FACEFUSE_ERR_NO_MEMORY)
        return fu_fail(err, st, "%s", aerr.msg);
    if (st != FACEFUSE_OK) {
        /* as FaceFusion: unusable audio gives a silent video, not a failure */
        fu_warn("output %s will have no audio: %s", job->output_path, aerr.msg);
        return FACEFUSE_ERR_DECODE;
    }
    return FACEFUSE_OK;
}

static facefuse_status open_writer(run_state *rs, output_state *os, const frame_slot *first,
                                   fu_err *err)
{
    const fu_video_job *job = rs->job;
    fu_video_writer_params wp = {0};
    wp.final_path = os->file.final_path;
    wp.temp_path = os->file.temp_path;
    wp.width = first->image.width;
    wp.height = first->image.height;
    wp.channels = first->image.channels;
    wp.output_scale = job->output_scale;
    wp.encoder = job->video_encoder;
    wp.preset = job->video_preset;
    wp.quality = job->video_quality;
    wp.require_alpha = job->require_alpha;
    if (rs->cfr) {
        wp.tb_num = rs->out_fps_q.den;
        wp.tb_den = rs->out_fps_q.num;
        wp.fps_num = rs->out_fps_q.num;
        wp.fps_den = rs->out_fps_q.den;
    } else {
        wp.tb_num = rs->info.tb_num;
        wp.tb_den = rs->info.tb_den;
        wp.fps_num = rs->info.fps_num;
        wp.fps_den = rs->info.fps_den;
    }
    wp.color_primaries = rs->info.color_primaries;
    wp.color_trc = rs->info.color_trc;
    wp.color_space = rs->info.color_space;
    wp.color_range = rs->info.color_range;
    wp.provenance = job->provenance;
    return fu_video_writer_open(&os->writer, &wp, err);
}

static void close_output(output_state *os)
{
    fu_audio_remux_free(os->audio);
    os->audio = NULL;
    fu_video_writer_free(os->writer);
    os->writer = NULL;
}

/* Opens encoder, audio and container at the first frame (its size and pts
 * are known then). A container refusing copied audio retries re-encoded. */
static facefuse_status start_output(run_state *rs, output_state *os, const frame_slot *first,
                                    fu_err *err)
{
    /* pieces of a segmented run keep the target's timestamps */
    os->offset_pts = rs->range_start > 0 && !rs->job->piece_count ? first->pts : 0;
    double start_s = rs->range_start > 0
                         ? first->pts * ((double)rs->info.tb_num / rs->info.tb_den)
                         : 0;
    facefuse_status st = FACEFUSE_OK;
    for (int force = 0; force < 2; force++) {
        st = open_writer(rs, os, first, err);
        if (st == FACEFUSE_OK)
            st = open_audio(rs, os, force, start_s, err);
        if (st == FACEFUSE_ERR_DECODE) {
            /* the failed audio may have left streams behind: start over silent */
            close_output(os);
            os->silent = 1;
            st = open_writer(rs, os, first, err);
        }
        if (st != FACEFUSE_OK) {
            close_output(os);
            return st;
        }
        int copies = fu_audio_remux_copies(os->audio);
        st = fu_video_writer_start(os->writer, err);
        if (st == FACEFUSE_OK)
            return FACEFUSE_OK;
        close_output(os);
        if (!copies || force)
            return st;
        fu_warn("%s; re-encoding the audio instead", err->msg);
    }
    return st;
}

/* Output seconds of an output pts. */
static double out_seconds(const run_state *rs, int64_t out_pts)
{
    if (rs->cfr)
        return out_pts / rs->out_fps;
    return out_pts * ((double)rs->info.tb_num / rs->info.tb_den);
}

static facefuse_status finish_output(run_state *rs, output_state *os, fu_err *err);

/* Segmented output: at the first frame of the next piece, commits the
 * current piece and begins the next file (its encoder starts afresh, so
 * the piece starts with a keyframe). */
static facefuse_status next_piece_if_due(run_state *rs, output_state *os, const frame_slot *s, fu_err *err)
{
    const fu_video_job *job = rs->job;
    if (!job->piece_count || !os->writer || s->index < job->piece_start[os->piece + 1])
        return FACEFUSE_OK;
    facefuse_status st = finish_output(rs, os, err);
    if (st != FACEFUSE_OK)
        return st;
    if (job->piece_done)
        job->piece_done(job->piece_user, os->piece);
    while (os->piece + 1 < job->piece_count && s->index >= job->piece_start[os->piece + 1])
        os->piece++;
    return fu_output_begin(&os->file, job->piece_paths[os->piece], err);
}

static facefuse_status write_slot(run_state *rs, output_state *os, frame_slot *s, fu_err *err)
{
    facefuse_status st = next_piece_if_due(rs, os, s, err);
    if (st != FACEFUSE_OK)
        return st;
    if (!os->writer) {
        st = start_output(rs, os, s, err);
        if (st != FACEFUSE_OK)
            return st;
    }
    for (int i = 0; i < s->repeat && st == FACEFUSE_OK; i++) {
        int64_t out_pts = rs->cfr ? s->out_first + i : s->pts - os->offset_pts;
        st = fu_audio_remux_write_until(os->audio, out_seconds(rs, out_pts), err);
        if (st == FACEFUSE_OK)
            st = fu_video_writer_write(os->writer, &s->image, out_pts, err);
        os->last_out_pts = out_pts;
        os->out_frames++;
    }
    return st;
}

static void report_progress(run_state *rs, output_state *os, int64_t total)
{
    if (!rs->job->progress)
        return;
    double elapsed = (fu_now_ns() / 1e9) - os->started_s;
    double fps = elapsed > 0 ? os->done / elapsed : 0;
    if (total < os->done)
        total = os->done;
    rs->job->progress(rs->job->progress_user, os->done, total, fps);
}

static int64_t total_frames(const run_state *rs)
{
    int64_t end = rs->info.frame_count;
    if (rs->range_end >= 0 && (end <= 0 || rs->range_end < end))
        end = rs->range_end;
    return end > rs->range_start ? end - rs->range_start : 0;
}

/* Writes frames in sequence until the decoder is done or someone stopped. */
static void writer_loop(run_state *rs, output_state *os)
{
    fu_err e;
    int64_t total = total_frames(rs);

    for (;;) {
        pthread_mutex_lock(&rs->lock);
        while (!rs->stop && !(rs->written < rs->published &&
                              slot_of(rs, rs->written)->state == SLOT_DONE) &&
               !(rs->decode_done && rs->written >= rs->published))
            wait_a_while(rs);
        if (rs->stop || rs->written >= rs->published) {
            pthread_mutex_unlock(&rs->lock);
            return;
        }
        frame_slot *s = slot_of(rs, rs->written);
        pthread_mutex_unlock(&rs->lock);

        fu_err_clear(&e);
        facefuse_status st = write_slot(rs, os, s, &e);
        if (st != FACEFUSE_OK) {
            fail(rs, st, &e);
            return;
        }
        os->done++;
        report_progress(rs, os, total);

        pthread_mutex_lock(&rs->lock);
        s->state = SLOT_FREE;
        rs->written++;
        if (cancelled(rs))
            fail_locked(rs, FACEFUSE_ERR_CANCELLED, NULL);
        pthread_cond_broadcast(&rs->cond);
        pthread_mutex_unlock(&rs->lock);
    }
}

/* Flushes audio and video and commits the file. */
static facefuse_status finish_output(run_state *rs, output_state *os, fu_err *err)
{
    if (!os->writer)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "no frame of %s in the requested range",
                       rs->job->target_path);
    double end_s = -1;
    if (rs->job->audio_path || rs->range_end >= 0) {
        double frame_s = rs->cfr ? 1.0 / rs->out_fps
                                 : (rs->info.fps > 0 ? 1.0 / rs->info.fps : 0.04);
        end_s = out_seconds(rs, os->last_out_pts) + frame_s;
    }
    facefuse_status st = fu_audio_remux_finish(os->audio, end_s, err);
    if (st == FACEFUSE_OK)
        st = fu_video_writer_finish(os->writer, err);
    close_output(os);
    if (st == FACEFUSE_OK)
        st = fu_output_commit(&os->file, err);
    return st;
}

/* ------------------------------------------------------------ the run */

static facefuse_status check_job(const fu_video_job *job, fu_err *err)
{
    if (!job || !job->target_path || !job->output_path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "video job needs a target and output");
    if (job->trim_start >= 0 && job->trim_end >= 0 && job->trim_end <= job->trim_start)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "trim end %lld is not after trim start %lld for %s",
                       (long long)job->trim_end, (long long)job->trim_start, job->target_path);
    if (job->output_fps < 0 || job->output_scale < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "bad output fps or scale for %s",
                       job->output_path);
    if (job->analyse && (!job->release || job->analyse_lookahead < 0 || job->analyse_lookahead > 64))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                       "video job for %s: an analysis stage needs a release and a look-ahead of 0..64",
                       job->target_path);
    if (job->piece_count > 0) {
        if (!job->piece_start || !job->piece_paths || job->output_fps > 0 ||
            job->trim_start != job->piece_start[0] || job->trim_end != job->piece_start[job->piece_count])
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "segmented output of %s needs piece ranges matching the trim and the target's frame rate",
                           job->target_path);
        for (int i = 0; i < job->piece_count; i++)
            if (job->piece_start[i + 1] <= job->piece_start[i] || is_ext(job->piece_paths[i], "avi"))
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "bad piece %d for %s", i, job->target_path);
    }
    return FACEFUSE_OK;
}

fu_video_job fu_video_job_default(void)
{
    fu_video_job job;
    memset(&job, 0, sizeof job);
    job.trim_start = -1;
    job.trim_end = -1;
    job.video_encoder = "libx264";
    job.video_preset = "veryfast";
    job.video_quality = 80;
    job.output_scale = 1.0;
    job.audio_quality = 80;
    job.audio_volume = 100;
    job.thread_count = 4;
    return job;
}

static void setup_rate(run_state *rs)
{
    const fu_video_job *job = rs->job;
    if (job->output_fps > 0) {
        rs->cfr = 1;
        rs->out_fps_q = av_d2q(job->output_fps, 100000);
    } else if (is_ext(job->output_path, "avi")) {
        /* AVI has no timestamps: frames are written at a constant rate */
        rs->cfr = 1;
        rs->out_fps_q = (AVRational){rs->info.fps_num, rs->info.fps_den};
    }
    rs->out_fps = rs->cfr ? av_q2d(rs->out_fps_q) : rs->info.fps;
}

/* Starts the decoder and workers, writes on this thread, joins everyone. */
static void run_threads(run_state *rs, output_state *os, int workers)
{
    pthread_t decoder, analyser, *threads = calloc((size_t)workers, sizeof *threads);
    int started = 0, decoder_ok, analyser_ok = 0;

    if (!threads) {
        fail(rs, FACEFUSE_ERR_NO_MEMORY, NULL);
        rs->status = FACEFUSE_ERR_NO_MEMORY;
        fu_fail(&rs->err, FACEFUSE_ERR_NO_MEMORY, "out of memory starting threads");
        return;
    }
    decoder_ok = pthread_create(&decoder, NULL, decode_main, rs) == 0;
    if (decoder_ok && rs->job->analyse)
        analyser_ok = pthread_create(&analyser, NULL, analyse_main, rs) == 0;
    for (; decoder_ok && started < workers; started++)
        if (pthread_create(&threads[started], NULL, worker_main, rs) != 0)
            break;
    if (!decoder_ok || started == 0 || (rs->job->analyse && !analyser_ok)) {
        fu_err e;
        fu_fail(&e, FACEFUSE_ERR_INTERNAL, "cannot start threads for %s", rs->job->target_path);
        fail(rs, FACEFUSE_ERR_INTERNAL, &e);
    } else {
        writer_loop(rs, os);
    }
    pthread_mutex_lock(&rs->lock);
    if (rs->status != FACEFUSE_OK)
        rs->stop = 1;
    pthread_cond_broadcast(&rs->cond);
    pthread_mutex_unlock(&rs->lock);
    if (decoder_ok)
        pthread_join(decoder, NULL);
    if (analyser_ok)
        pthread_join(analyser, NULL);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
}

int fu_video_ring_capacity(int64_t frame_bytes, int workers, int64_t budget_bytes)
{
    int64_t cap = 2 * (int64_t)(workers > 0 ? workers : 1) + 2;
    if (budget_bytes <= 0)
        budget_bytes = FU_VIDEO_MEMORY_BUDGET;
    if (frame_bytes > 0 && budget_bytes / frame_bytes < cap)
        cap = budget_bytes / frame_bytes;
    return cap < 2 ? 2 : (int)cap;
}

/* Bytes of one frame in flight at its largest (after processing). */
static int64_t frame_bytes(const fu_video_job *job, const fu_video_info *info)
{
    int64_t k = job->frame_scale > 1 ? job->frame_scale : 1;
    return (int64_t)info->width * info->height * (info->channels > 0 ? info->channels : 3) * k * k;
}

static void free_run(run_state *rs)
{
    for (int i = 0; rs->slots && i < rs->capacity; i++) {
        free_slot_data(rs, &rs->slots[i]);
        facefuse_image_free(&rs->slots[i].image);
    }
    free(rs->slots);
    fu_video_reader_close(rs->reader);
}

facefuse_status fu_video_run(const fu_video_job *job, fu_err *err)
{
    run_state rs;
    output_state os;
    int workers = job && job->thread_count > 0 ? job->thread_count : 1;

    facefuse_status st = check_job(job, err);
    if (st != FACEFUSE_OK)
        return st;
    memset(&rs, 0, sizeof rs);
    memset(&os, 0, sizeof os);
    rs.job = job;
    st = fu_video_reader_open(&rs.reader, job->target_path, workers < 16 ? workers : 16, err);
    if (st != FACEFUSE_OK)
        return st;
    rs.info = *fu_video_reader_info(rs.reader);
    rs.range_start = job->trim_start > 0 ? job->trim_start : 0;
    rs.range_end = job->trim_end;
    setup_rate(&rs);
    rs.capacity = fu_video_ring_capacity(frame_bytes(job, &rs.info), workers, job->memory_budget_bytes) +
                  (job->analyse ? job->analyse_lookahead : 0);
    if (rs.capacity < 2 * workers + 2)
        fu_info("at most %d frames of %lld MB in memory at once (budget %lld MB)", rs.capacity,
                (long long)(frame_bytes(job, &rs.info) >> 20),
                (long long)((job->memory_budget_bytes > 0 ? job->memory_budget_bytes : FU_VIDEO_MEMORY_BUDGET) >> 20));
    rs.slots = calloc((size_t)rs.capacity, sizeof *rs.slots);
    if (!rs.slots) {
        free_run(&rs);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for %s", job->target_path);
    }
    st = fu_output_begin(&os.file, job->piece_count ? job->piece_paths[0] : job->output_path, err);
    if (st != FACEFUSE_OK) {
        free_run(&rs);
        return st;
    }
    pthread_mutex_init(&rs.lock, NULL);
    pthread_cond_init(&rs.cond, NULL);
    os.started_s = (fu_now_ns() / 1e9);

    run_threads(&rs, &os, workers);
    st = rs.status;
    if (st == FACEFUSE_OK && job->cancel && *job->cancel)
        st = fu_fail(&rs.err, FACEFUSE_ERR_CANCELLED, "cancelled while processing %s",
                     job->target_path);
    if (st == FACEFUSE_OK)
        st = finish_output(&rs, &os, &rs.err);
    if (st == FACEFUSE_OK && job->piece_count && job->piece_done)
        job->piece_done(job->piece_user, os.piece);
    if (st != FACEFUSE_OK) {
        close_output(&os);
        fu_output_abort(&os.file);
        fu_fail(err, st, "%s", rs.err.msg);
    } else {
        report_progress(&rs, &os, os.done);
    }
    pthread_cond_destroy(&rs.cond);
    pthread_mutex_destroy(&rs.lock);
    free_run(&rs);
    return st;
}

facefuse_status fu_video_preflight(const fu_video_job *job, fu_err *err)
{
    run_state rs;
    output_state os;
    frame_slot first;
    facefuse_status st = check_job(job, err);
    if (st != FACEFUSE_OK)
        return st;
    memset(&rs, 0, sizeof rs);
    memset(&os, 0, sizeof os);
    memset(&first, 0, sizeof first);
    rs.job = job;
    /* An audio source that is not there is an error, never a silent video. */
    if (job->audio_path && (st = fu_input_check(job->audio_path, "audio source", err)) != FACEFUSE_OK)
        return st;
    if ((st = fu_video_reader_open(&rs.reader, job->target_path, 1, err)) != FACEFUSE_OK)
        return st;
    rs.info = *fu_video_reader_info(rs.reader);
    rs.range_start = job->trim_start > 0 ? job->trim_start : 0;
    rs.range_end = job->trim_end;
    setup_rate(&rs);
    int k = job->frame_scale > 1 ? job->frame_scale : 1;
    double scale = job->output_scale > 0 ? job->output_scale : 1.0;
    first.image.width = rs.info.width * k;
    first.image.height = rs.info.height * k;
    first.image.channels = job->require_alpha ? 4 : rs.info.channels; /* the chain makes alpha */
    first.pts = rs.info.start_pts;
    st = fu_image_size_check((int64_t)first.image.width, (int64_t)first.image.height, job->target_path, err);
    if (st == FACEFUSE_OK)
        st = fu_image_size_check(llround(first.image.width * scale), llround(first.image.height * scale),
                                 job->output_path, err);
    if (st == FACEFUSE_OK) {
        /* The writer as the run opens it, its header going nowhere. */
        snprintf(os.file.final_path, sizeof os.file.final_path, "%s",
                 job->piece_count ? job->piece_paths[0] : job->output_path);
        snprintf(os.file.temp_path, sizeof os.file.temp_path, "/dev/null");
        fu_log_quiet(1);
        st = start_output(&rs, &os, &first, err);
        fu_log_quiet(0);
        close_output(&os);
    }
    fu_video_reader_close(rs.reader);
    if (st == FACEFUSE_ERR_ENCODE || st == FACEFUSE_ERR_IO) {
        char ext[16];
        fu_path_extension(job->output_path, ext, sizeof ext);
        const char *enc = fu_video_encoder_for_container(job->video_encoder ? job->video_encoder : "libx264", ext);
        st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                     "output %s: the .%s container refuses %s video%s (%s); choose .mp4, .mkv, .mov, "
                     ".webm or .avi, or another --output-video-encoder",
                     job->output_path, ext, enc, os.silent || job->audio_volume <= 0 ? "" : " or the audio",
                     err->msg);
    }
    return st;
}

/* ------------------------------------------------------------ progress printers */

static fu_progress_state shared_progress;

/* 1 when this call should print (throttled to every `period_s`, always the
 * last one), updating the state. */
static int progress_due(fu_progress_state *ps, int64_t done, int64_t total, double period_s)
{
    double t = (fu_now_ns() / 1e9);
    int last = total > 0 && done >= total;
    if (!last)
        ps->finished = 0;
    if (last && ps->finished)
        return 0;
    if (!last && t - ps->last_print_s < period_s)
        return 0;
    ps->last_print_s = t;
    ps->finished = last;
    return 1;
}

void fu_video_progress_bar(void *user, int64_t done, int64_t total, double fps)
{
    fu_progress_state *ps = user ? user : &shared_progress;
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];

    if (!isatty(STDERR_FILENO) || !progress_due(ps, done, total, 0.1))
        return;
    int filled = total > 0 ? (int)(done * WIDTH / total) : 0;
    if (filled > WIDTH)
        filled = WIDTH;
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[WIDTH] = '\0';
    int eta_s = fps > 0 && total > done ? (int)((total - done) / fps) : 0;
    fprintf(stderr, "\r[%s] %lld/%lld frames  %.1f fps  ETA %d:%02d%s", bar, (long long)done,
            (long long)total, fps, eta_s / 60, eta_s % 60, ps->finished ? "\n" : "");
    fflush(stderr);
}

void fu_progress_json(void *user, int64_t done, int64_t total, double fps)
{
    fu_progress_state *ps = user ? user : &shared_progress;
    if (ps->closed || !progress_due(ps, done, total, 1.0))
        return;
    double eta_s = fps > 0 && total > done ? (total - done) / fps : 0;
    printf("{\"frames\":%lld,\"total\":%lld,\"fps\":%.2f,\"eta_s\":%.1f}\n", (long long)done,
           (long long)total, fps, eta_s);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        /* A closed pipe (`| head -c1`): progress stops, the render goes on. */
        int e = errno;
        ps->closed = 1;
        fu_warn("cannot write progress to stdout (%s); going on without it", strerror(e ? e : EPIPE));
    }
}
