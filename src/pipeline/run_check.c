/*
 * run_check.c — checks a run makes before any work (see run_check.h).
 */
#include "pipeline/run_check.h"

#include <math.h>
#include <string.h>

#include "core/file.h"
#include "core/image.h"
#include "processors/frame_enhancer.h"

int fu_run_frame_scale(const fu_run_config *cfg)
{
    int scale = 1;
    for (int i = 0; i < cfg->processors.n; i++)
        if (strcmp(cfg->processors.v[i], "frame_enhancer") == 0)
            scale *= fu_frame_enhancer_settings_scale(fu_run_config_processor_settings(cfg, "frame_enhancer"));
    return scale;
}

facefuse_status fu_check_not_an_input(const char *output, const char *const *inputs, int n, fu_err *err)
{
    for (int i = 0; output && i < n; i++)
        if (inputs[i] && fu_same_file(output, inputs[i]))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "output %s is the input %s itself; refusing to overwrite it (choose another -o)",
                           output, inputs[i]);
    return FACEFUSE_OK;
}

facefuse_status fu_run_check_inputs(const fu_run_config *cfg, const char *output, fu_err *err)
{
    const fu_strs *sources = &cfg->paths.source_paths;
    facefuse_status rc;

    if ((rc = fu_input_check(cfg->paths.target_path, "target", err)) != FACEFUSE_OK)
        return rc;
    if ((rc = fu_check_not_an_input(output, &cfg->paths.target_path, 1, err)) != FACEFUSE_OK)
        return rc;
    for (int i = 0; i < sources->n; i++) {
        const char *what = fu_path_is_audio(sources->v[i]) ? "audio source" : "source";
        if ((rc = fu_input_check(sources->v[i], what, err)) != FACEFUSE_OK)
            return rc;
    }
    return fu_check_not_an_input(output, sources->v, sources->n, err);
}

facefuse_status fu_run_check_image_size(const fu_run_config *cfg, int width, int height, fu_err *err)
{
    double k = fu_run_frame_scale(cfg), scale = cfg->output.image_scale;
    facefuse_status rc = fu_image_size_check((int64_t)(width * k), (int64_t)(height * k), cfg->paths.target_path, err);
    if (rc != FACEFUSE_OK || fabs(scale - 1.0) < 1e-6)
        return rc;
    if (!isfinite(scale) || scale <= 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "--output-image-scale %g is not a positive number", scale);
    double w = round(width * k * scale), h = round(height * k * scale);
    if (w > 4.0 * FU_MAX_IMAGE_PIXELS || h > 4.0 * FU_MAX_IMAGE_PIXELS) /* keep the int64 conversion defined */
        w = h = 4.0 * FU_MAX_IMAGE_PIXELS;
    return fu_image_size_check((int64_t)w, (int64_t)h, cfg->paths.output_path, err);
}
