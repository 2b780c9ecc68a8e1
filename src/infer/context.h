/*
 * context.h — what a facefuse_context holds, for the library's own files.
 *
 * The context owns the model store (cache dir, download policy), the
 * execution-provider settings, the cache of open sessions (one per model,
 * opened on first use and checked against the registry's contract), models
 * registered at run time, and the last error message.
 */
#ifndef FU_CONTEXT_H
#define FU_CONTEXT_H

#include <pthread.h>

#include "core/error.h"
#include "infer/ort.h"
#include "infer/registry.h"

#define FU_MAX_SESSIONS 64
#define FU_MAX_CUSTOM_MODELS 16

typedef struct fu_session_slot {
    const fu_model_def *def;
    fu_session *session;     /* NULL: the model could not be had; `failure` says why */
    fu_err failure;
} fu_session_slot;

typedef struct fu_custom_model {
    fu_model_def def;
    char name[160];
    char path[PATH_MAX];
} fu_custom_model;

struct facefuse_context {
    fu_model_store store;
    fu_providers providers;
    char provider_storage[FACEFUSE_MAX_PROVIDERS][16];
    char download_providers[128];
    facefuse_log_level log_level;

    pthread_mutex_t lock;            /* guards sessions, custom models and err */
    fu_session_slot sessions[FU_MAX_SESSIONS];
    int n_sessions;
    fu_custom_model custom[FU_MAX_CUSTOM_MODELS];
    int n_custom;
    fu_err err;
};

/* The model named `name`: a registered custom model first, then the registry. */
const fu_model_def *fu_context_model(facefuse_context *ctx, const char *name);

/* The open session for a model, loading (ensure + open + contract check) it
 * on first use. The session is owned by ctx. *def may be NULL. */
facefuse_status fu_context_session(facefuse_context *ctx, const char *name, fu_session **out,
                                   const fu_model_def **def, fu_err *err);

/* Registers a model file outside the registry (a user's own model) under
 * `name`, described like `like` (kind, template, size, normalisation;
 * contract and file are not taken), and returns its definition (owned by
 * ctx). Registering a name again with the same path and kind returns the
 * same definition; otherwise the new registration replaces it for later
 * look-ups (sessions already open on the old one stay valid). */
facefuse_status fu_context_add_model(facefuse_context *ctx, const char *name, const char *path,
                                     const fu_model_def *like, const fu_model_def **out, fu_err *err);

/* Copies err into the context's message and returns err->code. */
facefuse_status fu_context_fail(facefuse_context *ctx, const fu_err *err);

#endif
