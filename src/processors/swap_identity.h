/*
 * swap_identity.h — the source identity a face swapper pastes onto targets.
 *
 * As FaceFusion: every source image is analysed, the largest face of each is
 * taken, and the identity is the average of those faces' raw embeddings and
 * the average of their normed embeddings (the latter is not re-normalised).
 * From it, each model type derives the vector it is fed (its "latent"):
 * - inswapper: insightface's INSwapper.get — l = (e / ‖e‖)·emap, then
 *   l / ‖l‖. FaceFusion skips the second normalisation; we follow insightface
 *   on purpose, since it is the reference the model was trained against and
 *   the two differ only by a scalar on l (before the weight blend below);
 * - hyperswap: the averaged normed embedding as is;
 * - simswap, hififace: the averaged raw embedding through the model's
 *   CrossFace converter (crossface_simswap / crossface_hififace.onnx,
 *   [1,512] → [1,512]), then L2-normalised;
 * - ghost: the same through crossface_ghost.onnx, used raw.
 * Then FaceFusion's identity balance (--face-swapper-weight w):
 * w' = interp(w, [0, 1] → [+0.35, −0.35]); latent = latent·(1 − w') +
 * t·w', t the target's embedding, L2-normalised — except for ghost, where
 * FaceFusion blends the target's raw embedding in.
 * The projected inswapper latent, or the converter's output, is cached in the
 * identity (keyed by the model file), so the 512×512 emap is read, or the
 * converter run, once, not per frame.
 * blendswap and uniface take no vector but an image of the source face: the
 * largest face of the first source image that has one (FaceFusion: the
 * averaged face's landmarks, which are the first face's, on the first source
 * image), aligned — blendswap: arcface_112_v2 at 112 px; uniface: ffhq_512
 * at 256 px — as planar RGB x/255. Both crops are made with the identity
 * (under 1 MB) and owned by it; an identity made from faces alone (no
 * images) has none, and those two models refuse it.
 */
#ifndef FU_SWAP_IDENTITY_H
#define FU_SWAP_IDENTITY_H

#include <limits.h>
#include <pthread.h>

#include "core/error.h"
#include "infer/ort.h"

struct facefuse_source_identity {
    int dim;                                       /* embedding length */
    int face_count;                                /* faces averaged */
    float embedding[FACEFUSE_EMBEDDING_MAX];       /* mean of the raw embeddings */
    float normed_embedding[FACEFUSE_EMBEDDING_MAX]; /* mean of the normed embeddings */
    pthread_mutex_t lock;                          /* guards the cache below */
    char cached_path[PATH_MAX];                    /* model file the cached latent is for */
    float cached_latent[FACEFUSE_EMBEDDING_MAX];
    float *blendswap_source;                       /* 3×112×112, see top; NULL when made from faces */
    float *uniface_source;                         /* 3×256×256, see top; NULL when made from faces */
};

typedef enum fu_swap_kind {
    FU_SWAP_INSWAPPER = 0,
    FU_SWAP_HYPERSWAP = 1,
    FU_SWAP_SIMSWAP,
    FU_SWAP_GHOST,
    FU_SWAP_HIFIFACE,
    FU_SWAP_BLENDSWAP,
    FU_SWAP_UNIFACE
} fu_swap_kind;

/* The identity of n analysed faces (one a source image). */
facefuse_status fu_identity_from_faces(const facefuse_face *faces, int n, facefuse_source_identity **out,
                                       fu_err *err);
/* Detects the faces of each image with p (its recognizer_model must be set),
 * analyses the largest, averages. names[i] (may be NULL) names image i in
 * messages. FACEFUSE_ERR_NO_FACE naming the images when none has a face. */
facefuse_status fu_identity_from_images(facefuse_context *ctx, const facefuse_image *images,
                                        const char *const *names, int n, const facefuse_analysis_params *p,
                                        facefuse_source_identity **out, fu_err *err);
/* The same from files; audio files (by extension) are skipped. */
facefuse_status fu_identity_from_paths(facefuse_context *ctx, const char *const *paths, int n,
                                       const facefuse_analysis_params *p, facefuse_source_identity **out,
                                       fu_err *err);

/* The model's latent before the weight blend, dim values (see top).
 * model_path is the swapper's file (inswapper: its last initializer is the
 * emap); converter is the session of the kind's CrossFace converter (simswap,
 * ghost, hififace; NULL for the others). Not for blendswap/uniface. */
facefuse_status fu_identity_latent(facefuse_source_identity *id, fu_swap_kind kind, const char *model_path,
                                   fu_session *converter, int dim, float *latent, fu_err *err);
/* Blends the target's embedding in by the weight (see top); latent has dim
 * values. A no-op when w' is 0 (weight 0.5). FACEFUSE_ERR_INVALID_ARGUMENT
 * when it is needed and target has no dim-long embedding. */
facefuse_status fu_latent_balance(fu_swap_kind kind, float *latent, int dim, const facefuse_face *target,
                                  float weight, fu_err *err);

/* The side of the source face crop an image-source kind takes (blendswap
 * 112, uniface 256), 0 for the kinds fed a vector. */
int fu_identity_source_size(fu_swap_kind kind);
/* That crop (planar RGB x/255, 3×size×size, owned by id), or NULL when the
 * kind takes none or id was made from faces without their images. */
const float *fu_identity_source_image(const facefuse_source_identity *id, fu_swap_kind kind);

#endif
