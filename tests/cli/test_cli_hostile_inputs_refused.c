/*
 * test_cli_hostile_inputs_refused.c — a hostile corpus of inputs, built
 * here, that must be refused before any work: FIFOs and devices given as a
 * source, a target, detect's image or --config-path (no blocking: every run
 * is killed after 30 s, which fails the case); missing, directory and
 * symlink-loop sources; a missing config file, audio source or a model dir
 * that is a file; an output that is the target or a source (by any
 * spelling: ./, a directory, a hard link, a symlink); batch jobs that would
 * write one file twice or over an input; control characters in file names.
 * Each case: exit code 2, exactly one "error:" line naming the file or
 * option, nothing at the output path, no partial file, every input
 * byte-identical afterwards. Invalid option values (abc, nan, inf, an
 * empty --processors, binary bytes in the ini) are refused by name, never
 * defaulted; a path with a space stays one path. Also: no arguments is a short usage; partial
 * files a killed run left are removed (and named) by the next run on the
 * same output, while one a live run holds is kept.
 */
#include <fcntl.h>
#include <sys/file.h>

#include "clitest.h"

#define RUN_LIMIT_S 30

typedef struct inputs {
    const char *path[8];
    uint64_t sum[8];
    int n;
} inputs;

static inputs corpus;
static const char *dir, *target, *source, *clip;

static void keep(const char *path)
{
    corpus.path[corpus.n] = path;
    corpus.sum[corpus.n++] = file_checksum(path);
}

static void inputs_unchanged(const char *label)
{
    for (int i = 0; i < corpus.n; i++)
        CHECK(file_checksum(corpus.path[i]) == corpus.sum[i], "%s: input %s changed", label, corpus.path[i]);
}

/* Runs args; checks exit `want`, one error line mentioning `mention`, no
 * file at `output` (NULL: the output is an input, checked unchanged), no
 * partial file, inputs unchanged. */
static void expect(int want, const char *args, const char *mention, const char *output)
{
    char *e = NULL;
    int code = tl_run_cli_within(RUN_LIMIT_S, args, NULL, &e);
    CHECK(code == want, "exit %d (want %d) for: %s\n    stderr: %s", code, want, args, e);
    CHECK(error_lines(e) == 1, "%s: not one error line: %s", mention, e);
    CHECK(strstr(e, mention) != NULL, "error does not name %s: %s", mention, e);
    if (output)
        CHECK(!path_exists(output), "%s: %s was written", mention, output);
    CHECK(!dir_has(dir, ".partial-"), "%s: a partial file was left", mention);
    inputs_unchanged(mention);
    free(e);
}

#define DEBUGGER_ONLY "--processors face_debugger --face-detector-model scrfd --face-landmarker-score 0 --progress none"

static const char *debugger(void)
{
    return DEBUGGER_ONLY " --log-level warn";
}

static void special_files_are_refused_without_blocking(void)
{
    char fifo[1024], args[4096], out[1024];
    snprintf(fifo, sizeof fifo, "%s/pipe.jpg", dir);
    REQUIRE(mkfifo(fifo, 0644) == 0, "mkfifo");
    snprintf(out, sizeof out, "%s/out-fifo.jpg", dir);

    snprintf(args, sizeof args, "headless-run -s '%s' -t '%s' -o '%s' %s", fifo, target, out, debugger());
    expect(2, args, fifo, out);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' %s", fifo, out, debugger());
    expect(2, args, fifo, out);
    snprintf(args, sizeof args, "detect '%s' --face-detector-model scrfd", fifo);
    expect(2, args, fifo, NULL);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --config-path '%s' %s", target, out, fifo, debugger());
    expect(2, args, fifo, out);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --config-path /dev/zero %s", target, out, debugger());
    expect(2, args, "/dev/zero", out);
    snprintf(args, sizeof args, "headless-run -t /dev/zero -o '%s' %s", out, debugger());
    expect(2, args, "/dev/zero", out);
    unlink(fifo);
}

static void missing_directory_and_looping_inputs_are_exit_2(void)
{
    char args[4096], out[1024], loop_a[1024], loop_b[1024], missing[1024], model_file[1024];
    snprintf(out, sizeof out, "%s/out-missing.jpg", dir);
    snprintf(missing, sizeof missing, "%s/no-such-face.jpg", dir);
    snprintf(loop_a, sizeof loop_a, "%s/loop-a.jpg", dir);
    snprintf(loop_b, sizeof loop_b, "%s/loop-b.jpg", dir);
    REQUIRE(symlink(loop_b, loop_a) == 0 && symlink(loop_a, loop_b) == 0, "symlinks");

    snprintf(args, sizeof args, "headless-run -s '%s' -t '%s' -o '%s' %s", missing, target, out, debugger());
    expect(2, args, missing, out);
    snprintf(args, sizeof args, "headless-run -s '%s' -t '%s' -o '%s' %s", dir, target, out, debugger());
    expect(2, args, dir, out);
    snprintf(args, sizeof args, "headless-run -s '%s' -t '%s' -o '%s' %s", loop_a, target, out, debugger());
    expect(2, args, loop_a, out);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' %s", missing, out, debugger());
    expect(2, args, missing, out);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --config-path '%s/none.ini' %s", target, out, dir,
             debugger());
    expect(2, args, "none.ini", out);
    /* a model directory that is a file */
    snprintf(model_file, sizeof model_file, "%s/models-file", dir);
    write_text(model_file, "not a directory\n");
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --model-dir '%s' %s", target, out, model_file,
             debugger());
    expect(2, args, model_file, out);
    /* a replacing soundtrack that is not there: never a silent video */
    snprintf(out, sizeof out, "%s/out-missing.mp4", dir);
    snprintf(args, sizeof args, "headless-run -s '%s' '%s/voice.wav' -t '%s' -o '%s' %s", source, dir, clip, out,
             debugger());
    expect(2, args, "voice.wav", out);
}

/* Invalid values from the command line or the ini file are refused naming
 * the option (and file:line), never replaced by a default; a source path
 * with a space (argv or quoted in the ini) stays one path; binary bytes in
 * the ini are escaped in the message. */
static void invalid_option_values_never_fall_back(void)
{
    static const char *const bad_args[][2] = {
        {"--processors face_swapper --face-swapper-pixel-boost abc", "--face-swapper-pixel-boost"},
        {"--processors ''", "--processors"},
        {"--face-detector-score nan", "--face-detector-score"},
        {"--processors face_swapper --face-swapper-weight inf", "--face-swapper-weight"},
        {"--face-detector-score 1e999", "--face-detector-score"},
    };
    char args[4096], out[1024], ini[1024], spaced[1024];
    snprintf(out, sizeof out, "%s/out-values.jpg", dir);
    for (size_t i = 0; i < sizeof bad_args / sizeof bad_args[0]; i++) {
        snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' %s", target, out, bad_args[i][0]);
        expect(2, args, bad_args[i][1], out);
    }
    snprintf(ini, sizeof ini, "%s/binary.ini", dir);
    write_text(ini, "[processors]\nface_swapper_model = \x01\x1b[31m\xff\n");
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --config-path '%s'", target, out, ini);
    expect(2, args, "binary.ini:2", out);
    char *e = NULL;
    tl_run_cli_within(RUN_LIMIT_S, args, NULL, &e);
    CHECK(!strchr(e, '\x1b') && !strchr(e, '\x01') && strstr(e, "\\x1b"), "raw bytes echoed: %s", e);
    free(e);
    /* a path with a space: one path, named whole */
    snprintf(spaced, sizeof spaced, "%s/my face.jpg", dir);
    snprintf(args, sizeof args, "headless-run -s '%s' -t '%s' -o '%s' %s", spaced, target, out, debugger());
    expect(2, args, spaced, out);
    snprintf(ini, sizeof ini, "%s/spaced.ini", dir);
    char text[2048];
    snprintf(text, sizeof text, "[paths]\nsource_paths = \"%s\"\n", spaced);
    write_text(ini, text);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' --config-path '%s' %s", target, out, ini, debugger());
    expect(2, args, spaced, out);
}

static void an_output_that_is_an_input_is_refused(void)
{
    char args[4096], link[1024], sym[1024], copy_dir[1024], copy[2048];

    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' %s", target, target, debugger());
    expect(2, args, target, NULL);
    snprintf(args, sizeof args, "headless-run -s '%s' -t '%s' -o '%s' %s", source, target, source, debugger());
    expect(2, args, source, NULL);
    /* -o DIR resolving to the target itself */
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' %s", target, dir, debugger());
    expect(2, args, target, NULL);
    /* the same file by another name: a hard link, a symlink, "dir/./name" */
    snprintf(link, sizeof link, "%s/hard-link.jpg", dir);
    REQUIRE(link_file(target, link), "link");
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' %s", target, link, debugger());
    expect(2, args, link, NULL);
    snprintf(sym, sizeof sym, "%s/sym-link.png", dir);
    REQUIRE(symlink(source, sym) == 0, "symlink");
    snprintf(args, sizeof args, "headless-run -s '%s' -t '%s' -o '%s' %s", source, target, sym, debugger());
    expect(2, args, sym, NULL);
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s/./target.jpg' %s", target, dir, debugger());
    expect(2, args, "target.jpg", NULL);
    unlink(link);
    unlink(sym);
    /* a plain different output in the same place still works */
    snprintf(copy_dir, sizeof copy_dir, "%s/elsewhere", dir);
    mkdir(copy_dir, 0755);
    snprintf(copy, sizeof copy, "%s/target.jpg", copy_dir);
    char *e = NULL;
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' %s", target, copy_dir, debugger());
    int code = tl_run_cli_within(120, args, NULL, &e);
    CHECK(code == 0 && path_exists(copy), "-o DIR elsewhere: exit %d %s", code, e);
    free(e);
    inputs_unchanged("-o DIR elsewhere");
}

static void batch_jobs_that_clash_are_refused_before_any_work(void)
{
    char batch[1024], out_dir[1024], a[2048], b[2048], args[8192], out[2048];
    snprintf(batch, sizeof batch, "%s/batch", dir);
    snprintf(out_dir, sizeof out_dir, "%s/batch-out", dir);
    mkdir(batch, 0755);
    mkdir(out_dir, 0755);
    snprintf(a, sizeof a, "%s/a.jpg", batch);
    snprintf(b, sizeof b, "%s/b.jpg", batch);
    copy_file(target, a);
    copy_file(target, b);
    keep(a);
    keep(b);
    /* two targets, one output name */
    snprintf(out, sizeof out, "%s/same.jpg", out_dir);
    snprintf(args, sizeof args, "batch-run -t '%s/*.jpg' -o '%s' %s", batch, out, debugger());
    expect(2, args, "same.jpg", out);
    CHECK(!dir_has(out_dir, ".jpg"), "a batch step ran before the refusal");
    /* outputs over the targets themselves */
    snprintf(args, sizeof args, "batch-run -t '%s/*.jpg' -o '%s/{target_name}.jpg' %s", batch, batch, debugger());
    expect(2, args, "a.jpg", NULL);
}

static void control_characters_in_names_are_escaped(void)
{
    char name[1024], args[4096], *e = NULL;
    snprintf(name, sizeof name, "%s/evil\nname\033[31m.jpg", dir);
    write_text(name, "not an image\n");
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s/evil-out.jpg' %s", name, dir, debugger());
    int code = tl_run_cli_within(RUN_LIMIT_S, args, NULL, &e);
    CHECK(code == 2, "exit %d: %s", code, e);
    CHECK(line_count(e) == 1 && error_lines(e) == 1, "not one line: %s", e);
    CHECK(strstr(e, "evil\\nname\\x1b[31m.jpg") != NULL, "name not escaped: %s", e);
    CHECK(strchr(e, '\033') == NULL, "a raw escape character reached the terminal");
    unlink(name);
    free(e);
}

static void no_arguments_is_a_short_usage(void)
{
    char *e = NULL;
    int code = tl_run_cli_within(RUN_LIMIT_S, "", NULL, &e);
    CHECK(code == 2, "exit %d", code);
    CHECK(line_count(e) >= 1 && line_count(e) <= 4 && strstr(e, "usage"), "usage: %s", e);
    free(e);
}

static void partials_of_a_killed_run_are_removed_by_the_next(void)
{
    char out_dir[1024], out[2048], stale[2048], live[2048], args[4096], *e = NULL;
    snprintf(out_dir, sizeof out_dir, "%s/partials", dir);
    mkdir(out_dir, 0755);
    snprintf(out, sizeof out, "%s/out.jpg", out_dir);
    snprintf(stale, sizeof stale, "%s/out.jpg.partial-Kill9x", out_dir);
    snprintf(live, sizeof live, "%s/out.jpg.partial-Alive1", out_dir);
    write_text(stale, "half a jpeg");
    write_text(live, "being written");
    int fd = open(live, O_RDONLY);
    REQUIRE(fd >= 0 && flock(fd, LOCK_EX) == 0, "lock the live partial");
    snprintf(args, sizeof args, "headless-run -t '%s' -o '%s' " DEBUGGER_ONLY " --log-level info", target, out);
    int code = tl_run_cli_within(120, args, NULL, &e);
    CHECK(code == 0 && path_exists(out), "exit %d: %s", code, e);
    CHECK(!path_exists(stale), "the stale partial is still there");
    CHECK(strstr(e, "out.jpg.partial-Kill9x") != NULL, "the removal is not named: %s", e);
    CHECK(path_exists(live), "a partial held by a live run was removed");
    close(fd);
    unlink(live);
    free(e);
}

int main(void)
{
    dir = strdup(tl_tmpdir());
    target = strdup(tl_tmp("target.jpg"));
    source = strdup(tl_tmp("source.png"));
    clip = strdup(tl_tmp("clip.mp4"));
    copy_file(tl_shared("samples/grace_hopper.jpg"), target);
    copy_file(tl_shared("samples/astronaut.png"), source);
    copy_file(tl_shared("samples/grace_hopper_zoom_2s.mp4"), clip);
    keep(target);
    keep(source);
    keep(clip);
    setenv("FACEFUSE_DOWNLOAD_BASE_URL", "file:///nonexistent-facefuse-mirror", 1); /* offline by construction */
    quiet_leak_report();
    RUN(special_files_are_refused_without_blocking);
    RUN(missing_directory_and_looping_inputs_are_exit_2);
    RUN(invalid_option_values_never_fall_back);
    RUN(an_output_that_is_an_input_is_refused);
    RUN(batch_jobs_that_clash_are_refused_before_any_work);
    RUN(control_characters_in_names_are_escaped);
    RUN(no_arguments_is_a_short_usage);
    RUN(partials_of_a_killed_run_are_removed_by_the_next);
    return tl_finish();
}
