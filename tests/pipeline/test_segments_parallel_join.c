/*
 * test_segments_parallel_join.c — a long render split across processes:
 * - `segment-plan` cuts a clip at its keyframes (text and JSON agree);
 * - the GNU parallel recipe (docs/recipes/parallel-local.sh: three
 *   `segment-run` workers, each an ordinary headless-run of its range, then
 *   `concat`) gives the same frames (FFV1, lossless), the same timestamps and
 *   the target's audio packets as one headless-run of the whole clip, and
 *   keeps the provenance tag;
 * - a worker killed halfway leaves no piece; `concat` then refuses, naming
 *   it; re-running the plan skips the verified pieces (untouched files),
 *   removes the killed worker's stale partial file and redoes its piece,
 *   with the same result;
 * - damaged and truncated pieces are refused by name, nothing is written.
 */
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>

#include "core/file.h"
#include "media/provenance_tag.h"
#include "media/video_index.h"
#include "media/video_reader.h"
#include "testlib.h"
#include "../media/video_testutil.h"

#define FRAMES 30
#define OPTIONS                                                                                                 \
    "--processors frame_enhancer --frame-enhancer-model real_esrgan_x2 --face-detector-model scrfd "           \
    "--face-landmarker-score 0 --output-video-scale 0.5 --output-video-encoder ffv1 --execution-thread-count 2 " \
    "--log-level warn --progress none"

static char clip[1024], single[1024], pieces[1024];

static void setup(void)
{
    snprintf(clip, sizeof clip, "%s", tl_tmp("long.mp4"));
    snprintf(single, sizeof single, "%s", tl_tmp("single.mkv"));
    snprintf(pieces, sizeof pieces, "%s", tl_tmp("pieces"));
    mkdir(pieces, 0755);
    vt_clip c = vt_clip_default(); /* 15 fps, aac */
    c.frames = FRAMES;
    c.width = 128;
    c.height = 96;
    c.gop = 6;
    if (vt_make_clip(clip, &c) != 0)
        clip[0] = '\0';
}

static const char *piece(int k)
{
    static char buf[4][4096];
    snprintf(buf[k % 4], sizeof buf[k % 4], "%s/piece-%d.mkv", pieces, k);
    return buf[k % 4];
}

/* Runs the GNU parallel recipe (3 segments, 3 jobs) into out; returns its
 * exit status, its output in *err_text. */
static int run_recipe(const char *out, char **err_text)
{
    char cmd[8192];
    const char *log = tl_tmp("parallel.log");
    snprintf(cmd, sizeof cmd,
             "FACEFUSE='%s' PIECES='%s' sh '%s/docs/recipes/parallel-local.sh' '%s' '%s' 3 3 " OPTIONS
             " </dev/null >'%s' 2>&1",
             FACEFUSE_BINARY, pieces, FACEFUSE_SOURCE_DIR, clip, out, log);
    int status = system(cmd);
    if (err_text) {
        FILE *f = fopen(log, "rb");
        *err_text = calloc(1, 65536);
        if (f && *err_text) {
            size_t n = fread(*err_text, 1, 65535, f);
            (*err_text)[n] = '\0';
        }
        if (f)
            fclose(f);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int concat(const char *out, const char *p0, const char *p1, const char *p2, char **err_text)
{
    char args[8192];
    snprintf(args, sizeof args, "concat -t '%s' -o '%s' --segments 3 '%s' '%s' '%s'", clip, out, p0, p1, p2);
    return tl_run_cli(args, NULL, err_text);
}

/* Every frame of a and b equal, with equal timestamps. */
static void check_same_frames(const char *a, const char *b)
{
    fu_video_reader *ra = NULL, *rb = NULL;
    fu_err err;
    REQUIRE(fu_video_reader_open(&ra, a, 1, &err) == FACEFUSE_OK, "%s", err.msg);
    if (fu_video_reader_open(&rb, b, 1, &err) != FACEFUSE_OK) {
        fu_video_reader_close(ra);
        REQUIRE(0, "%s", err.msg);
    }
    int frames = 0, differ = 0, late = 0;
    for (;;) {
        facefuse_image fa = {0}, fb = {0};
        int64_t pa = 0, pb = 0;
        int ga = 0, gb = 0;
        fu_video_reader_next(ra, &fa, &pa, &ga, &err);
        fu_video_reader_next(rb, &fb, &pb, &gb, &err);
        if (ga != gb)
            differ++;
        if (ga && gb) {
            if (fa.width != fb.width || fa.height != fb.height ||
                memcmp(fa.data, fb.data, (size_t)fa.stride * fa.height) != 0)
                differ++;
            if (fabs(fu_video_reader_pts_seconds(ra, pa) - fu_video_reader_pts_seconds(rb, pb)) > 1e-6)
                late++;
            frames++;
        }
        facefuse_image_free(&fa);
        facefuse_image_free(&fb);
        if (!ga || !gb)
            break;
    }
    fu_video_reader_close(ra);
    fu_video_reader_close(rb);
    CHECK(frames == FRAMES, "%d frames compared, want %d", frames, FRAMES);
    CHECK(differ == 0, "%d frames differ between %s and %s", differ, a, b);
    CHECK(late == 0, "%d frames with other timestamps", late);
}

/* The audio packets of a equal those of the target's. */
static void check_audio_copied(const char *path)
{
    vt_stats in, out;
    REQUIRE(vt_probe(clip, &in) == 0 && vt_probe(path, &out) == 0, "probe");
    CHECK(out.audio_count == 1, "%s has %d audio streams", path, out.audio_count);
    if (out.audio_count == 1) {
        const vt_stream_stats *si = &in.s[in.audio[0]], *so = &out.s[out.audio[0]];
        CHECK(si->packets == so->packets, "%d audio packets, target has %d", so->packets, si->packets);
        int same = si->packets == so->packets;
        for (int i = 0; same && i < si->packets; i++)
            same = si->hashes[i] == so->hashes[i];
        CHECK(same, "audio packets of %s differ from the target's", path);
    }
    vt_stats_free(&in);
    vt_stats_free(&out);
}

static void plan_cuts_at_keyframes(void)
{
    REQUIRE(clip[0], "no clip");
    char args[4096], *out = NULL, *json = NULL;
    snprintf(args, sizeof args, "segment-plan -t '%s' --segments 3", clip);
    REQUIRE(tl_run_cli(args, &out, NULL) == 0, "segment-plan failed");
    snprintf(args, sizeof args, "segment-plan -t '%s' --segments 3 --json", clip);
    REQUIRE(tl_run_cli(args, &json, NULL) == 0, "segment-plan --json failed");
    fu_video_index ix;
    fu_err err;
    REQUIRE(fu_video_index_build(clip, &ix, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(ix.count == FRAMES, "index has %lld frames", (long long)ix.count);
    json_error_t jerr;
    json_t *list = json_loads(json, 0, &jerr);
    REQUIRE(json_is_array(list), "not a JSON list: %s", json);
    CHECK(json_array_size(list) == 3, "%zu segments", json_array_size(list));
    long long prev_end = 0;
    char *line = strtok(out, "\n");
    for (size_t i = 0; i < json_array_size(list); i++, line = strtok(NULL, "\n")) {
        json_t *e = json_array_get(list, i);
        long long s = json_integer_value(json_object_get(e, "trim_frame_start"));
        long long t = json_integer_value(json_object_get(e, "trim_frame_end"));
        long long idx = json_integer_value(json_object_get(e, "index")), ti = -1, ts = -1, tt = -1;
        CHECK(idx == (long long)i && s == prev_end && t > s, "segment %zu: %lld [%lld, %lld)", i, idx, s, t);
        CHECK(s < ix.count && ix.keyframe[s] && s % 6 == 0, "segment %zu starts at %lld, not a keyframe", i, s);
        CHECK(line && sscanf(line, "%lld %lld %lld", &ti, &ts, &tt) == 3 && ti == idx && ts == s && tt == t,
              "text line '%s' differs from JSON", line ? line : "(none)");
        prev_end = t;
    }
    CHECK(prev_end == FRAMES, "segments end at %lld", prev_end);
    json_decref(list);
    fu_video_index_free(&ix);
    free(out);
    free(json);
}

static void three_workers_equal_one_render(void)
{
    REQUIRE(clip[0], "no clip");
    char args[8192], *e = NULL;
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' " OPTIONS, clip, single);
    int code = tl_run_cli(args, NULL, &e);
    CHECK(code == 0, "single render: exit %d: %s", code, e);
    free(e);
    if (code)
        return;
    const char *joined = tl_tmp("joined.mkv");
    code = run_recipe(joined, &e);
    CHECK(code == 0, "recipe: exit %d: %s", code, e);
    free(e);
    if (code)
        return;
    for (int k = 0; k < 3; k++)
        CHECK(fu_file_exists(piece(k)), "no piece %s", piece(k));
    check_same_frames(single, joined);
    check_audio_copied(single);
    check_audio_copied(joined);
    char *tag = NULL;
    fu_err err;
    REQUIRE(fu_tag_read_file(joined, &tag, &err) == FACEFUSE_OK, "%s", err.msg);
    CHECK(tag && strstr(tag, "frame_enhancer") && strstr(tag, "real_esrgan_x2"), "joined output's tag: %s",
          tag ? tag : "(none)");
    free(tag);
}

static time_t mtime_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mtime * 1000000000L + st.st_mtim.tv_nsec : 0;
}

/* Size of the partial file of piece 1, -1 when none; remove: delete them;
 * age: date them an hour back. */
static long partial_file(int remove)
{
    DIR *d = opendir(pieces);
    struct dirent *e;
    long size = -1;
    while (d && (e = readdir(d))) {
        if (strstr(e->d_name, "piece-1.mkv.partial-")) {
            char p[8192];
            struct stat st;
            snprintf(p, sizeof p, "%s/%s", pieces, e->d_name);
            if (remove == 1)
                unlink(p);
            else if (remove == 2)
                utime(p, &(struct utimbuf){time(NULL) - 3600, time(NULL) - 3600});
            else if (stat(p, &st) == 0)
                size = st.st_size;
        }
    }
    if (d)
        closedir(d);
    return size;
}

/* Starts the worker of segment 1 and kills it (SIGKILL: no clean-up)
 * once it is rendering; 1 when it died before finishing. */
static int kill_worker_halfway(void)
{
    char cmd[8192];
    unlink(piece(1));
    partial_file(1); /* left by an earlier kill */
    snprintf(cmd, sizeof cmd, "exec '%s' segment-run --segments 3 --segment 1 -t '%s' -o '%s' " OPTIONS
             " </dev/null >/dev/null 2>&1", FACEFUSE_BINARY, clip, piece(1));
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return 0;
    /* its partial file appears when the run starts writing */
    for (int i = 0; i < 20000 && partial_file(0) < 0 && !fu_file_exists(piece(1)); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && !fu_file_exists(piece(1));
}

static void killed_worker_is_redone(void)
{
    REQUIRE(clip[0] && fu_file_exists(piece(0)), "needs the pieces of the previous test");
    int killed = 0;
    for (int attempt = 0; attempt < 3 && !killed; attempt++)
        killed = kill_worker_halfway(); /* a worker that won the race is started again */
    REQUIRE(killed, "could not kill a worker while it was rendering");

    char *e = NULL;
    const char *refused = tl_tmp("refused.mkv");
    int code = concat(refused, piece(0), piece(1), piece(2), &e);
    CHECK(code != 0 && e && strstr(e, "piece-1.mkv") && strstr(e, "does not exist"), "concat: exit %d: %s", code, e);
    CHECK(!fu_file_exists(refused), "concat wrote an output without all pieces");
    free(e);

    /* the killed worker's partial file, once old, is cleaned up by the re-run */
    CHECK(partial_file(0) >= 0, "the killed worker left no partial file");
    partial_file(2);
    time_t before0 = mtime_of(piece(0)), before2 = mtime_of(piece(2));
    const char *joined = tl_tmp("joined-again.mkv");
    code = run_recipe(joined, &e);
    CHECK(code == 0, "re-run: exit %d: %s", code, e);
    if (code) {
        free(e);
        return;
    }
    CHECK(strstr(e, "segment 0 (frames") && strstr(e, "segment 2 (frames") && strstr(e, "skipping") &&
              !strstr(e, "segment 1 (frames"),
          "the verified pieces, and only they, should be skipped: %s", e);
    CHECK(strstr(e, "left by a stopped worker") && partial_file(0) < 0, "stale partial file kept: %s", e);
    free(e);
    CHECK(mtime_of(piece(0)) == before0 && mtime_of(piece(2)) == before2, "a verified piece was rewritten");
    check_same_frames(single, joined);
    check_audio_copied(joined);
}

static void damaged_pieces_are_refused_by_name(void)
{
    REQUIRE(clip[0] && fu_file_exists(piece(2)), "needs the pieces of the previous tests");
    const char *damaged = tl_tmp("damaged1.mkv"), *truncated = tl_tmp("truncated2.mkv");
    REQUIRE(vt_copy_bytes(piece(1), damaged, 1.0, 0.5, 0.52) == 0, "copy");
    REQUIRE(vt_copy_bytes(piece(2), truncated, 0.7, 0, 0) == 0, "copy");
    char *e = NULL;
    const char *out = tl_tmp("from-damaged.mkv");
    int code = concat(out, piece(0), damaged, truncated, &e);
    CHECK(code == 1, "exit %d, want 1", code);
    const char *line = e ? strstr(e, "error:") : NULL;
    CHECK(line && strstr(line, "damaged1.mkv") && strstr(line, "truncated2.mkv") && !strstr(line, "piece-0.mkv"),
          "the error should name both bad pieces and only them: %s", e);
    int lines = 0;
    for (const char *p = e; p && (p = strstr(p, "error:")); p++)
        lines++;
    CHECK(lines == 1, "%d error lines: %s", lines, e);
    CHECK(!fu_file_exists(out), "an output was written from damaged pieces");
    free(e);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    setup();
    RUN(plan_cuts_at_keyframes);
    RUN(three_workers_equal_one_render);
    RUN(killed_worker_is_redone);
    RUN(damaged_pieces_are_refused_by_name);
    return tl_finish();
}
