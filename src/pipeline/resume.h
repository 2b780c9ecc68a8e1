/*
 * resume.h — a video render that survives being stopped: `headless-run
 * --resume` (the video workflow calls fu_video_run_resumable).
 *
 * The run writes the output as keyframe-aligned pieces of about
 * checkpoint_s seconds in a hidden work directory beside the output
 * (".<output name>.facefuse-resume/"), each piece appearing only when
 * complete. Stopped anywhere (Ctrl-C, a crash, a killed job), the same
 * command with --resume checks the pieces already there (they read through
 * to the end and hold all their frames; they are not decoded again, which
 * would cost minutes per resumed hour), renders from the first missing one, then joins the
 * pieces by stream copy with the audio treated exactly as a single render
 * treats it, and removes the work directory. A changed target or changed
 * settings (fingerprint) start over.
 */
#ifndef FU_RESUME_H
#define FU_RESUME_H

#include "core/error.h"
#include "core/option.h"
#include "pipeline/video_run.h"

typedef struct fu_resume_settings {
    int enabled;                /* --resume: the workflow renders through checkpoint pieces */
    float checkpoint_s;         /* piece length in seconds (60); the most work a stop can lose */
    const char *fingerprint;    /* every setting that changes the frames, e.g. the command line; NULL: the
                                   job's encoder settings only */
    int keep_work_dir;          /* leave the pieces after a successful join (debugging) */
} fu_resume_settings;

fu_resume_settings fu_resume_default_settings(void);

/* --resume, --resume-checkpoint (section resume). */
extern const fu_option_group fu_resume_options;       /* into fu_resume_settings */

/* Runs job as fu_video_run would, resumably. Needs the target's own timing:
 * no output_fps and no .avi output (FACEFUSE_ERR_INVALID_ARGUMENT). */
facefuse_status fu_video_run_resumable(const fu_video_job *job, const fu_resume_settings *settings, fu_err *err);

/* The work directory of an output path, into buf. */
const char *fu_resume_work_dir(const char *output_path, char *buf, size_t size);

#endif
