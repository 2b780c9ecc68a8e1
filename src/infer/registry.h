/*
 * registry.h — every model facefuse knows, where to get it, how to verify it.
 *
 * A model is named as in FaceFusion ("scrfd", "inswapper_128", ...). Its
 * file lives in the model cache directory under FaceFusion's file name, with
 * FaceFusion's "<stem>.hash" beside it holding the lowercase hex CRC32 (zlib)
 * of the file. Download URLs are FaceFusion's public release assets:
 *   github:      https://github.com/facefusion/facefusion-assets/releases/download/<bucket>/<file>
 *   huggingface: https://huggingface.co/facefusion/<bucket>/resolve/main/<file>
 * (and the hf-mirror.com mirror of the latter).
 *
 * The deep swapper's DeepFaceLive models are named "<author>/<name>" (as
 * FaceFusion names them) and come only from Hugging Face, whatever the
 * download providers, from the repository "deepfacelive-models-<author>":
 *   https://huggingface.co/facefusion/deepfacelive-models-iperov/resolve/main/elon_musk_224.dfm
 * They live in a folder per author, as in FaceFusion's .assets/models:
 *   <cache>/iperov/elon_musk_224.dfm and <cache>/iperov/elon_musk_224.hash
 * Only their "lite" set (24 of iperov's) is in FaceFusion's lite download
 * scope; the full scope adds the other 133.
 * $FACEFUSE_DOWNLOAD_BASE_URL, when set, replaces them all: the file is
 * fetched from <base>/<bucket>/<file> (any http(s):// or file:// base; a
 * huggingface.co or hf-mirror.com base gets the resolve/main/ part).
 *
 * The cache directory is, in order: an explicit directory (--model-dir,
 * facefuse_context_params.model_dir), $FACEFUSE_MODEL_DIR,
 * $XDG_CACHE_HOME/facefuse/models, ~/.cache/facefuse/models.
 */
#ifndef FU_REGISTRY_H
#define FU_REGISTRY_H

#include <limits.h>
#include <stdint.h>

#include "core/error.h"
#include "infer/ort.h"

/* FaceFusion's --download-scope: which models force-download fetches. */
typedef enum fu_download_scope { FU_SCOPE_LITE = 0, FU_SCOPE_FULL = 1 } fu_download_scope;

typedef struct fu_model_def {
    const char *name;            /* FaceFusion's model name */
    facefuse_model_kind kind;
    const char *file;            /* file name in the cache, e.g. "scrfd_2.5g.onnx" */
    const char *bucket;          /* release bucket, e.g. "models-3.0.0" */
    const char *template_name;   /* warp template for crops ("arcface_128"), or NULL */
    int size;                    /* model input size in px (square), 0 = n/a */
    float mean[3], std[3];       /* per-channel normalisation: (x/255 - mean)/std */
    const fu_contract *contract; /* load-time check, or NULL */
    const char *extra_model;     /* a second model this one needs (e.g. crossface), or NULL */
    fu_download_scope scope;     /* the narrowest scope that holds it (lite = every scope) */
    const char *providers;       /* download providers it is on; NULL = the store's */
} fu_model_def;

/* The model named `name`, or NULL. */
const fu_model_def *fu_model_find(const char *name);
/* All models, NULL-terminated array. */
const fu_model_def *const *fu_model_all(void);

/* "lite" or "full" (NULL = lite); FACEFUSE_ERR_INVALID_ARGUMENT otherwise. */
facefuse_status fu_download_scope_parse(const char *name, fu_download_scope *out, fu_err *err);
/* 1 when force-download with `scope` fetches m (FaceFusion's create_static_model_set(scope)). */
int fu_model_in_scope(const fu_model_def *m, fu_download_scope scope);

#define FU_URL_MAX 2048

/* The URLs fu_model_ensure tries for m's file (hash = 0) or its .hash
 * (hash = 1), in order, for the given providers ("github huggingface"; the
 * model's own providers win) or $FACEFUSE_DOWNLOAD_BASE_URL. Returns how
 * many were written (at most max), or −1 with err set for an unknown provider. */
int fu_model_urls(const char *providers, const fu_model_def *m, int hash, char (*urls)[FU_URL_MAX], int max,
                  fu_err *err);

/* Resolves the cache directory (see top); explicit may be NULL. */
void fu_model_dir_resolve(const char *explicit_dir, char *out, size_t size);

/* Download progress: done and total bytes (total -1 when unknown). */
typedef void (*fu_progress_fn)(const char *file, int64_t done, int64_t total, void *ud);

typedef struct fu_model_store {
    char dir[PATH_MAX];          /* the cache directory */
    int allow_download;
    const char *providers;       /* "github huggingface" */
    fu_progress_fn progress;     /* NULL = none */
    void *progress_ud;
} fu_model_store;

/* Makes sure <dir>/<m->file> is present and valid, and writes its path.
 * - present with a .hash: CRC32 must match, else FACEFUSE_ERR_MODEL_CORRUPT
 *   (the file is left in place; the message says to delete or re-download);
 * - present without a .hash: used, with a one-line "unverified" warning;
 * - absent: downloaded (.hash first, then the file, resumed, verified, and
 *   renamed into place only when valid) when allowed; otherwise, or when the
 *   download fails, FACEFUSE_ERR_MODEL_MISSING naming the file, the URL and
 *   the directory where to put it. Never hangs: connection timeouts are short. */
facefuse_status fu_model_ensure(const fu_model_store *store, const fu_model_def *m,
                                char *path_out, size_t path_size, fu_err *err);

/* CRC32 (zlib) of a file, as FaceFusion's .hash files hold it. */
facefuse_status fu_file_crc32(const char *path, uint32_t *crc, fu_err *err);

#endif
