/*
 * live_run.c — the live session loop (see live_run.h): capture and output
 * threads around the processing thread, one-frame mailboxes, drop counting,
 * latency histograms and the JSON stats lines.
 */
#include "pipeline/live_run.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "media/live_output.h"

#define HIST_BINS 10000          /* 1 ms bins; the last holds everything above */

typedef struct latency_hist {
    uint32_t bins[HIST_BINS];
    int64_t count;
    double max_ms;
} latency_hist;

typedef struct mailbox {
    facefuse_image image;
    fu_capture_frame info;
    int faces;
    int full;
} mailbox;

typedef struct live_state {
    const fu_live_job *job;
    fu_capture *capture;
    fu_live_output *output;
    int paced;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    mailbox in, out;
    int capture_done, process_done, stop;
    volatile int stop_flag;      /* what the capture's interrupt callback watches */
    facefuse_status status;
    fu_err err;
    /* stats, under lock */
    int64_t frames_in, frames_out, dropped;
    int64_t win_in, win_out, win_dropped;
    latency_hist total, window;
    int last_faces;
    int64_t started_ns, window_ns;
    FILE *stats;
} live_state;

static void swap_images(facefuse_image *a, facefuse_image *b)
{
    facefuse_image t = *a;
    *a = *b;
    *b = t;
}

static int cancelled(const live_state *ls)
{
    return ls->job->cancel && *ls->job->cancel;
}

/* Records the first failure and stops everyone. Lock held. */
static void fail_locked(live_state *ls, facefuse_status code, const fu_err *e)
{
    if (ls->status == FACEFUSE_OK) {
        ls->status = code;
        ls->err = *e;
    }
    ls->stop = 1;
    ls->stop_flag = 1;
    pthread_cond_broadcast(&ls->cond);
}

static void wait_a_while(live_state *ls)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&ls->cond, &ls->lock, &ts);
    if (cancelled(ls)) {
        ls->stop = 1;
        ls->stop_flag = 1;
    }
}

/* ------------------------------------------------------------ latency */

static void hist_add(latency_hist *h, double ms)
{
    int bin = ms < 0 ? 0 : ms >= HIST_BINS - 1 ? HIST_BINS - 1 : (int)ms;
    h->bins[bin]++;
    h->count++;
    if (ms > h->max_ms)
        h->max_ms = ms;
}

/* The q-quantile in ms (the upper edge of its 1 ms bin, capped at the max). */
static double hist_quantile(const latency_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    int64_t rank = (int64_t)(q * (double)(h->count - 1)) + 1, seen = 0;
    for (int i = 0; i < HIST_BINS; i++) {
        seen += h->bins[i];
        if (seen >= rank)
            return (double)(i + 1) < h->max_ms ? (double)(i + 1) : h->max_ms;
    }
    return h->max_ms;
}

/* ------------------------------------------------------------ stats lines */

static void print_latency(FILE *f, const latency_hist *h)
{
    fprintf(f, "\"latency_ms\":{\"p50\":%.1f,\"p95\":%.1f,\"max\":%.1f}", hist_quantile(h, 0.5),
            hist_quantile(h, 0.95), h->max_ms);
}

/* One line for the second that just ended, when one has. Lock held. */
static void maybe_print_window(live_state *ls, int64_t now_ns)
{
    double span = (now_ns - ls->window_ns) / 1e9;
    if (span < 1.0)
        return;
    if (ls->stats) {
        fprintf(ls->stats, "{\"time_s\":%.2f,\"frames_in\":%lld,\"frames_out\":%lld,\"dropped\":%lld,"
                           "\"fps_out\":%.1f,",
                (now_ns - ls->started_ns) / 1e9, (long long)ls->win_in, (long long)ls->win_out,
                (long long)ls->win_dropped, ls->win_out / span);
        print_latency(ls->stats, &ls->window);
        fprintf(ls->stats, ",\"faces\":%d}\n", ls->last_faces);
        fflush(ls->stats);
    }
    if (ls->job->on_stats) {
        fu_live_summary w;
        memset(&w, 0, sizeof w);
        w.seconds = span;
        w.frames_in = ls->win_in;
        w.frames_out = ls->win_out;
        w.dropped = ls->win_dropped;
        w.fps_out = ls->win_out / span;
        w.latency_p50_ms = hist_quantile(&ls->window, 0.5);
        w.latency_p95_ms = hist_quantile(&ls->window, 0.95);
        w.latency_max_ms = ls->window.max_ms;
        w.faces = ls->last_faces;
        ls->job->on_stats(ls->job->sink_user, &w);
    }
    ls->win_in = ls->win_out = ls->win_dropped = 0;
    memset(&ls->window, 0, sizeof ls->window);
    ls->window_ns = now_ns;
}

static void fill_summary(live_state *ls, fu_live_summary *s)
{
    memset(s, 0, sizeof *s);
    s->seconds = (fu_now_ns() - ls->started_ns) / 1e9;
    s->frames_in = ls->frames_in;
    s->frames_out = ls->frames_out;
    s->dropped = ls->dropped;
    s->fps_out = s->seconds > 0 ? ls->frames_out / s->seconds : 0;
    s->latency_p50_ms = hist_quantile(&ls->total, 0.5);
    s->latency_p95_ms = hist_quantile(&ls->total, 0.95);
    s->latency_max_ms = ls->total.max_ms;
    s->faces = ls->last_faces;
    s->cancelled = cancelled(ls);
}

static void print_summary(live_state *ls, const fu_live_summary *s)
{
    if (!ls->stats)
        return;
    fprintf(ls->stats, "{\"summary\":true,\"seconds\":%.2f,\"frames_in\":%lld,\"frames_out\":%lld,\"dropped\":%lld,"
                       "\"fps_out\":%.1f,",
            s->seconds, (long long)s->frames_in, (long long)s->frames_out, (long long)s->dropped, s->fps_out);
    print_latency(ls->stats, &ls->total);
    fprintf(ls->stats, ",\"faces\":%d,\"cancelled\":%s}\n", s->faces, s->cancelled ? "true" : "false");
    fflush(ls->stats);
}

/* ------------------------------------------------------------ capture thread */

static void *capture_main(void *arg)
{
    live_state *ls = arg;
    facefuse_image image = {0};
    fu_err e;

    fu_err_clear(&e);
    for (;;) {
        fu_capture_frame info;
        int got = 0;
        facefuse_status st = fu_capture_read(ls->capture, &image, &info, &got, &e);
        pthread_mutex_lock(&ls->lock);
        if (st != FACEFUSE_OK)
            fail_locked(ls, st, &e);
        if (st != FACEFUSE_OK || !got || ls->stop) {
            pthread_mutex_unlock(&ls->lock);
            break;
        }
        while (!ls->paced && ls->in.full && !ls->stop)
            wait_a_while(ls);
        if (ls->in.full) { /* the processor did not take the last one: it is lost */
            ls->dropped++;
            ls->win_dropped++;
        }
        swap_images(&image, &ls->in.image);
        ls->in.info = info;
        ls->in.full = 1;
        ls->frames_in++;
        ls->win_in++;
        pthread_cond_broadcast(&ls->cond);
        pthread_mutex_unlock(&ls->lock);
    }
    pthread_mutex_lock(&ls->lock);
    ls->capture_done = 1;
    pthread_cond_broadcast(&ls->cond);
    pthread_mutex_unlock(&ls->lock);
    facefuse_image_free(&image);
    return NULL;
}

/* ------------------------------------------------------------ output thread */

static void *output_main(void *arg)
{
    live_state *ls = arg;
    facefuse_image image = {0};
    fu_err e;

    fu_err_clear(&e);
    for (;;) {
        pthread_mutex_lock(&ls->lock);
        while (!ls->out.full && !ls->process_done)
            wait_a_while(ls);
        if (!ls->out.full) {
            pthread_mutex_unlock(&ls->lock);
            break;
        }
        swap_images(&image, &ls->out.image);
        fu_capture_frame info = ls->out.info;
        ls->out.full = 0;
        pthread_cond_broadcast(&ls->cond);
        pthread_mutex_unlock(&ls->lock);

        facefuse_status st = FACEFUSE_OK;
        if (ls->output)
            st = fu_live_output_write(ls->output, &image, info.time_s, &e);
        if (st == FACEFUSE_OK && ls->job->sink)
            ls->job->sink(ls->job->sink_user, &image, info.time_s, info.arrived_ns);
        int64_t now = fu_now_ns();
        pthread_mutex_lock(&ls->lock);
        if (st != FACEFUSE_OK) {
            fail_locked(ls, st, &e);
            pthread_mutex_unlock(&ls->lock);
            break;
        }
        double ms = (now - info.arrived_ns) / 1e6;
        hist_add(&ls->total, ms);
        hist_add(&ls->window, ms);
        ls->frames_out++;
        ls->win_out++;
        if (ls->job->max_frames > 0 && ls->frames_out >= ls->job->max_frames) {
            ls->stop = 1;
            ls->stop_flag = 1;
        }
        pthread_cond_broadcast(&ls->cond);
        pthread_mutex_unlock(&ls->lock);
    }
    facefuse_image_free(&image);
    return NULL;
}

/* ------------------------------------------------------------ processing (calling thread) */

static int time_is_up(const live_state *ls, int64_t now)
{
    return ls->job->max_seconds > 0 && (now - ls->started_ns) / 1e9 >= ls->job->max_seconds;
}

static void process_loop(live_state *ls)
{
    facefuse_image image = {0};
    fu_err e;

    for (;;) {
        pthread_mutex_lock(&ls->lock);
        while (!ls->in.full && !ls->capture_done && !ls->stop) {
            wait_a_while(ls);
            int64_t now = fu_now_ns();
            maybe_print_window(ls, now);
            if (time_is_up(ls, now))
                ls->stop = ls->stop_flag = 1;
        }
        if (ls->stop || !ls->in.full) {
            pthread_mutex_unlock(&ls->lock);
            break;
        }
        swap_images(&image, &ls->in.image);
        fu_capture_frame info = ls->in.info;
        ls->in.full = 0;
        pthread_cond_broadcast(&ls->cond);
        pthread_mutex_unlock(&ls->lock);

        int faces = 0;
        facefuse_status st = FACEFUSE_OK;
        fu_err_clear(&e);
        if (ls->job->process)
            st = ls->job->process(ls->job->process_user, &image, info.time_s, &faces, &e);

        pthread_mutex_lock(&ls->lock);
        if (st != FACEFUSE_OK) {
            fail_locked(ls, st, &e);
            pthread_mutex_unlock(&ls->lock);
            break;
        }
        while (!ls->paced && ls->out.full && !ls->stop)
            wait_a_while(ls);
        if (ls->out.full) { /* the output is still busy with the previous one */
            ls->dropped++;
            ls->win_dropped++;
        }
        swap_images(&image, &ls->out.image);
        ls->out.info = info;
        ls->out.full = 1;
        ls->last_faces = faces;
        int64_t now = fu_now_ns();
        maybe_print_window(ls, now);
        if (time_is_up(ls, now))
            ls->stop = ls->stop_flag = 1;
        pthread_cond_broadcast(&ls->cond);
        pthread_mutex_unlock(&ls->lock);
    }
    pthread_mutex_lock(&ls->lock);
    ls->process_done = 1;
    ls->stop_flag = 1; /* the capture stops too */
    pthread_cond_broadcast(&ls->cond);
    pthread_mutex_unlock(&ls->lock);
    facefuse_image_free(&image);
}

/* ------------------------------------------------------------ the session */

static facefuse_status open_session(live_state *ls, fu_err *err)
{
    const fu_live_job *job = ls->job;
    fu_capture_params cp = job->camera;
    cp.cancel = &ls->stop_flag;
    facefuse_status st = fu_capture_open(&ls->capture, &cp, err);
    if (st != FACEFUSE_OK)
        return st;
    ls->paced = fu_capture_is_paced(ls->capture);
    if (job->output) {
        fu_live_output_params op = {0};
        op.target = job->output;
        fu_capture_size(ls->capture, &op.width, &op.height);
        op.fps = fu_capture_fps(ls->capture);
        op.cancel = job->cancel;
        if ((st = fu_live_output_open(&ls->output, &op, err)) != FACEFUSE_OK)
            return st;
    }
    if (job->stats_path) {
        ls->stats = strcmp(job->stats_path, "-") == 0 ? stdout : fopen(job->stats_path, "w");
        if (!ls->stats)
            return fu_fail(err, FACEFUSE_ERR_IO, "cannot write live stats to %s", job->stats_path);
    }
    return FACEFUSE_OK;
}

static void close_session(live_state *ls)
{
    fu_live_output_free(ls->output);
    fu_capture_close(ls->capture);
    if (ls->stats && ls->stats != stdout)
        fclose(ls->stats);
    facefuse_image_free(&ls->in.image);
    facefuse_image_free(&ls->out.image);
}

/* Runs the threads; the processing loop on this one. */
static void run_threads(live_state *ls)
{
    pthread_t capture, output;
    int capture_ok = pthread_create(&capture, NULL, capture_main, ls) == 0;
    int output_ok = capture_ok && pthread_create(&output, NULL, output_main, ls) == 0;
    if (!capture_ok || !output_ok) {
        fu_err e;
        fu_fail(&e, FACEFUSE_ERR_INTERNAL, "cannot start the live session's threads");
        pthread_mutex_lock(&ls->lock);
        fail_locked(ls, FACEFUSE_ERR_INTERNAL, &e);
        ls->process_done = 1;
        pthread_mutex_unlock(&ls->lock);
    } else {
        process_loop(ls);
    }
    if (capture_ok)
        pthread_join(capture, NULL);
    if (output_ok)
        pthread_join(output, NULL);
}

facefuse_status fu_live_run(const fu_live_job *job, fu_live_summary *summary, fu_err *err)
{
    live_state *ls;
    facefuse_status st;
    fu_live_summary s;

    if (summary)
        memset(summary, 0, sizeof *summary);
    if (!job || !job->camera.source)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "live mode needs a camera");
    if (!(ls = calloc(1, sizeof *ls)))
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory starting the live session");
    ls->job = job;
    pthread_mutex_init(&ls->lock, NULL);
    pthread_cond_init(&ls->cond, NULL);
    st = open_session(ls, err);
    if (st == FACEFUSE_OK) {
        ls->started_ns = ls->window_ns = fu_now_ns();
        run_threads(ls);
        st = ls->status;
        if (st != FACEFUSE_OK)
            *err = ls->err;
        /* the output is finished whatever happened: a recording stays usable */
        if (ls->output) {
            fu_err ferr;
            facefuse_status fst = fu_live_output_finish(ls->output, &ferr);
            if (st == FACEFUSE_OK && fst != FACEFUSE_OK) {
                st = fst;
                *err = ferr;
            }
        }
        fill_summary(ls, &s);
        print_summary(ls, &s);
        if (summary)
            *summary = s;
        if (st == FACEFUSE_OK)
            fu_info("live session: %lld frames in, %lld out, %lld dropped in %.1f s; latency p50 %.0f ms, p95 %.0f ms",
                    (long long)s.frames_in, (long long)s.frames_out, (long long)s.dropped, s.seconds,
                    s.latency_p50_ms, s.latency_p95_ms);
    }
    close_session(ls);
    pthread_cond_destroy(&ls->cond);
    pthread_mutex_destroy(&ls->lock);
    free(ls);
    return st;
}
