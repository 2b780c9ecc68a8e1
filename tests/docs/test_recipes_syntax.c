/*
 * test_recipes_syntax.c — the batch-engine recipes in docs/recipes are
 * valid: the shell scripts and Slurm batch files parse (sh -n / bash -n,
 * and shellcheck when installed); slurm-submit.sh, run against a stand-in
 * `sbatch` that records its arguments, queues an array with one task per
 * planned segment and the join after it (afterok); the Kubernetes files
 * are Jobs whose YAML parses, the segments Job is Indexed with as many
 * completions as the --segments its command plans, and the shell command of
 * every container parses. (The GNU parallel recipe is run for real by
 * tests/pipeline/test_segments_parallel_join.c.)
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testlib.h"
#include "../media/video_testutil.h"

static const char *recipe(const char *name)
{
    static char buf[4][4096];
    static int n;
    char *b = buf[n++ % 4];
    snprintf(b, 4096, "%s/docs/recipes/%s", FACEFUSE_SOURCE_DIR, name);
    return b;
}

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

static void shell_scripts_parse(void)
{
    const char *posix[] = {"parallel-local.sh", "parallel-ssh.sh"};
    const char *bash[] = {"slurm-segments.sbatch", "slurm-concat.sbatch", "slurm-submit.sh"};
    for (int i = 0; i < 2; i++)
        CHECK(sh("sh -n '%s'%s", recipe(posix[i]), "") == 0, "%s does not parse", posix[i]);
    for (int i = 0; i < 3; i++)
        CHECK(sh("bash -n '%s'%s", recipe(bash[i]), "") == 0, "%s does not parse", bash[i]);
    if (sh("command -v shellcheck >/dev/null%s%s", "", "") != 0) {
        printf("  (shellcheck not installed: lint skipped)\n");
        return;
    }
    for (int i = 0; i < 2; i++)
        CHECK(sh("shellcheck -s sh '%s'%s", recipe(posix[i]), "") == 0, "shellcheck: %s", posix[i]);
    for (int i = 0; i < 3; i++)
        CHECK(sh("shellcheck -s bash '%s'%s", recipe(bash[i]), "") == 0, "shellcheck: %s", bash[i]);
}

static void slurm_submit_queues_array_then_join(void)
{
    const char *clip = tl_tmp("film.mp4"), *bin = tl_tmp("bin"), *log = tl_tmp("sbatch.log");
    vt_clip c = vt_clip_default();
    c.frames = 30;
    c.gop = 6;
    c.audio_tracks = 0;
    REQUIRE(vt_make_clip(clip, &c) == 0, "clip");
    mkdir(bin, 0755);
    char path[4096], cmd[16384];
    snprintf(path, sizeof path, "%s/sbatch", bin);
    FILE *f = fopen(path, "w");
    REQUIRE(f, "stub");
    fprintf(f, "#!/bin/sh\necho \"$*\" >> '%s'\necho 4242\n", log);
    fclose(f);
    chmod(path, 0755);
    snprintf(cmd, sizeof cmd, "PATH='%s':\"$PATH\" FACEFUSE='%s' bash '%s' '%s' '%s' 3 '-s face.jpg' >/dev/null", bin,
             FACEFUSE_BINARY, recipe("slurm-submit.sh"), clip, tl_tmp("out.mp4"));
    REQUIRE(system(cmd) == 0, "slurm-submit.sh failed");
    f = fopen(log, "r");
    REQUIRE(f, "sbatch was not called");
    char first[2048] = "", second[2048] = "";
    CHECK(fgets(first, sizeof first, f) && fgets(second, sizeof second, f), "two submissions expected");
    fclose(f);
    CHECK(strstr(first, "--array=0-2") && strstr(first, "slurm-segments.sbatch"), "array job: %s", first);
    CHECK(strstr(second, "--dependency=afterok:4242") && strstr(second, "slurm-concat.sbatch"), "join job: %s",
          second);
}

static void kubernetes_jobs_are_valid(void)
{
    if (sh("python3 -c 'import yaml' 2>/dev/null%s%s", "", "") != 0) {
        tl_skip("python3-yaml not installed");
        return;
    }
    /* each document: a batch/v1 Job with Never restarts whose container
     * command is sh -c with a script that parses; the Indexed one has as
     * many completions as its --segments, and uses the completion index */
    const char *check =
        "python3 - '%s' '%s' <<'PY'\n"
        "import re, subprocess, sys, yaml\n"
        "seg = yaml.safe_load(open(sys.argv[1]))\n"
        "cat = yaml.safe_load(open(sys.argv[2]))\n"
        "for job in (seg, cat):\n"
        "    assert job['apiVersion'] == 'batch/v1' and job['kind'] == 'Job', job.get('kind')\n"
        "    pod = job['spec']['template']['spec']\n"
        "    assert pod['restartPolicy'] == 'Never'\n"
        "    claims = {v['name'] for v in pod['volumes'] if 'persistentVolumeClaim' in v}\n"
        "    for c in pod['containers']:\n"
        "        assert c['command'] == ['/bin/sh', '-c'], c['command']\n"
        "        subprocess.run(['sh', '-n', '-c', c['args'][0]], check=True)\n"
        "        assert {m['name'] for m in c['volumeMounts']} <= claims\n"
        "spec = seg['spec']\n"
        "script = spec['template']['spec']['containers'][0]['args'][0]\n"
        "n = int(re.search(r'--segments (\\d+)', script).group(1))\n"
        "assert spec['completionMode'] == 'Indexed' and spec['completions'] == n, (spec, n)\n"
        "assert 0 < spec['parallelism'] <= n and '$JOB_COMPLETION_INDEX' in script\n"
        "joined = cat['spec']['template']['spec']['containers'][0]['args'][0]\n"
        "assert ('--segments %%d' %% n) in joined\n"
        "PY";
    CHECK(sh(check, recipe("k8s-segments-job.yaml"), recipe("k8s-concat-job.yaml")) == 0,
          "the Kubernetes recipes are not valid Jobs");
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    RUN(shell_scripts_parse);
    RUN(slurm_submit_queues_array_then_join);
    RUN(kubernetes_jobs_are_valid);
    return tl_finish();
}
