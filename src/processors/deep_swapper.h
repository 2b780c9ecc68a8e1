/*
 * deep_swapper.h — FaceFusion's deep_swapper: a DeepFaceLab/DeepFaceLive
 * model (.dfm, an ONNX file trained on one celebrity) replaces the face.
 *
 * Models are FaceFusion's 157 "<author>/<name>" (registry.h: downloaded
 * from Hugging Face into <cache>/<author>/<name>.dfm; 24 in the lite
 * download scope) or a user's own: every file in <cache>/custom/ (names
 * starting with "." or "__" skipped) is the model "custom/<file name
 * without its extension>", as FaceFusion lists .assets/models/custom.
 *
 * Per face, as FaceFusion 3.8.1: the input size S is the model's own (the
 * `in_face:0` input, NHWC [N,S,S,3]); the face is aligned to dfl_whole_face
 * at S px; mask = box (the run's blur and padding) min occlusion (when
 * selected) on the crop as cut; the crop is sharpened (1.75·x − 0.75·
 * GaussianBlur(x, σ 2), in bytes), fed as BGR/255 NHWC to `in_face:0`, and
 * the morph (0..100 → 0..1) to `morph_value:0` when the model has it (both
 * bound by name). Outputs, in order: the target face mask, the swapped face
 * (BGR in [0, 1]), the source face mask. The face ×255 to bytes, colour-
 * matched to the crop as cut (conditional_match_frame_color); the model's
 * mask = min(source, target), eroded twice by a 3×3 cross, Gaussian σ 6.25;
 * then the area and region masks when selected (region on the swapped
 * face); all combined by minimum and pasted back. Bytes are rounded where
 * FaceFusion truncates.
 *
 * Read-only after open; frames may share a deep swapper across threads.
 *
 * The deep_swapper processor (the bottom of deep_swapper.c) takes
 * --deep-swapper-model (its choices, for --help and UIs, are the registry's
 * 157 ids; its check also takes custom/<name>, whose file is looked for at
 * prepare) and --deep-swapper-morph, and the run's mask settings.
 */
#ifndef FU_DEEP_SWAPPER_H
#define FU_DEEP_SWAPPER_H

#include <stdint.h>

#include "core/error.h"
#include "core/geometry.h"
#include "processors/face_masker.h"

#define FU_DEEP_SWAPPER_DEFAULT_MODEL "iperov/elon_musk_224"

typedef struct fu_deep_swapper_settings {
    const char *model;   /* "<author>/<name>" or "custom/<name>"; NULL = iperov/elon_musk_224 */
    int morph;           /* 0..100, default 100 */
    float mask_blur;     /* --face-mask-blur, 0..1 (default 0.3) */
    int mask_padding[4]; /* --face-mask-padding, % top, right, bottom, left (default 0 0 0 0) */
} fu_deep_swapper_settings;

/* Where the time of faces went, in nanoseconds (accumulated into). */
typedef struct fu_deep_swap_timing {
    int64_t crop_ns;  /* warp and the masks before the model */
    int64_t model_ns; /* sharpening, tensors, the model, the model's mask */
    int64_t paste_ns; /* colour match, area/region masks, paste-back */
} fu_deep_swap_timing;

typedef struct fu_deep_swapper fu_deep_swapper;

fu_deep_swapper_settings fu_deep_swapper_defaults(void);

/* The user's own models in <model_dir>/custom, as "custom/<name>" ids,
 * sorted; *ids is malloc'd (free with fu_deep_swapper_free_ids), NULL when
 * *count is 0 (no folder is not an error). */
facefuse_status fu_deep_swapper_custom_models(const char *model_dir, char ***ids, int *count, fu_err *err);
void fu_deep_swapper_free_ids(char **ids, int count);

/* Opens the model: a registry model (fetched when allowed: offline, the
 * one-line error naming the file and where to put it), or custom/<name>
 * from the cache's custom folder. FACEFUSE_ERR_INVALID_ARGUMENT for an
 * unknown model or morph outside 0..100; FACEFUSE_ERR_MODEL_CONTRACT when
 * the file lacks `in_face:0` [N,S,S,3] or the three outputs. masker is
 * borrowed (NULL: box only). */
facefuse_status fu_deep_swapper_open(facefuse_context *ctx, const fu_deep_swapper_settings *s,
                                     const fu_face_masker *masker, fu_deep_swapper **out, fu_err *err);
void fu_deep_swapper_close(fu_deep_swapper *ds);

int fu_deep_swapper_size(const fu_deep_swapper *ds);      /* S, from the model */
int fu_deep_swapper_has_morph(const fu_deep_swapper *ds); /* the model takes morph_value:0 */
const char *fu_deep_swapper_model_path(const fu_deep_swapper *ds);
/* Frame → crop: the face at dfl_whole_face, S px. */
fu_affine fu_deep_swapper_align(const fu_deep_swapper *ds, const facefuse_face *face);

/* Swaps one face of frame (RGB or RGBA, alpha kept). timing may be NULL. */
facefuse_status fu_deep_swapper_swap_face(const fu_deep_swapper *ds, facefuse_image *frame,
                                          const facefuse_face *face, fu_deep_swap_timing *timing, fu_err *err);

/* The pieces, for tests and benchmarks. */
/* FaceFusion's sharpening of the crop: 1.75·x − 0.75·GaussianBlur(x, σ 2)
 * on bytes (8-bit kernel size 13, results rounded and clipped), in place. */
facefuse_status fu_deep_swapper_sharpen(facefuse_image *crop, fu_err *err);
/* The model's mask made ready, in place on an S×S plane: clip to [0, 1],
 * erode twice by a 3×3 cross (pixels outside ignored), Gaussian σ 6.25. */
facefuse_status fu_deep_swapper_prepare_mask(float *mask, int size, fu_err *err);
/* The model on an aligned S×S crop (RGB): face receives the swapped face
 * (RGB bytes, before colour matching; allocated S×S×3), mask the prepared
 * model mask (S×S floats, the caller's). */
facefuse_status fu_deep_swapper_forward(const fu_deep_swapper *ds, const facefuse_image *crop,
                                        facefuse_image *face, float *mask, fu_err *err);

#endif
