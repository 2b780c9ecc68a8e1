/*
 * context.c — facefuse_context: creation, the session cache, custom models,
 * and the public calls that only need the context (version, errors, models).
 */
#include "infer/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/log.h"
#include "media/image_io.h"

const char *facefuse_version(void)
{
    return "0.1.0";
}

facefuse_context_params facefuse_context_default_params(void)
{
    facefuse_context_params p;
    memset(&p, 0, sizeof p);
    p.execution_providers[0] = "cpu";
    p.allow_download = 1;
    p.download_providers = "github huggingface";
    p.log_level = FACEFUSE_LOG_INFO;
    return p;
}

facefuse_status facefuse_context_new(const facefuse_context_params *params, facefuse_context **out)
{
    facefuse_context_params defaults = facefuse_context_default_params();
    facefuse_context *ctx;
    fu_err err;

    if (!out)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!params)
        params = &defaults;
    ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return FACEFUSE_ERR_NO_MEMORY;
    pthread_mutex_init(&ctx->lock, NULL);
    fu_log_set(params->log_level, params->log_callback, params->log_user_data);
    ctx->log_level = params->log_level;

    fu_model_dir_resolve(params->model_dir, ctx->store.dir, sizeof ctx->store.dir);
    ctx->store.allow_download = params->allow_download;
    snprintf(ctx->download_providers, sizeof ctx->download_providers, "%s",
             params->download_providers ? params->download_providers : "github huggingface");
    ctx->store.providers = ctx->download_providers;

    int n = 0;
    for (int i = 0; i < FACEFUSE_MAX_PROVIDERS && params->execution_providers[i]; i++) {
        snprintf(ctx->provider_storage[n], sizeof ctx->provider_storage[n], "%s",
                 params->execution_providers[i]);
        ctx->providers.names[n] = ctx->provider_storage[n];
        n++;
    }
    ctx->providers.device_id = params->execution_device_id;
    ctx->providers.n_devices = params->execution_device_count < FU_MAX_DEVICES ? params->execution_device_count
                                                                                : FU_MAX_DEVICES;
    for (int i = 0; i < ctx->providers.n_devices; i++)
        ctx->providers.device_ids[i] = params->execution_device_ids[i];
    ctx->providers.thread_count = params->execution_thread_count;
    fu_err_clear(&err);
    if (fu_ort_check_providers(&ctx->providers, &err) != FACEFUSE_OK) {
        fu_log(FACEFUSE_LOG_ERROR, "%s", err.msg);
        facefuse_context_free(ctx);
        return FACEFUSE_ERR_PROVIDER;
    }
    *out = ctx;
    return FACEFUSE_OK;
}

void facefuse_context_free(facefuse_context *ctx)
{
    if (!ctx)
        return;
    for (int i = 0; i < ctx->n_sessions; i++)
        fu_session_close(ctx->sessions[i].session);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

const char *facefuse_context_errmsg(const facefuse_context *ctx)
{
    return ctx ? ctx->err.msg : "no context";
}

facefuse_status fu_context_fail(facefuse_context *ctx, const fu_err *err)
{
    pthread_mutex_lock(&ctx->lock);
    ctx->err = *err;
    pthread_mutex_unlock(&ctx->lock);
    return err->code;
}

const char *const *facefuse_available_providers(int *count)
{
    return fu_ort_available_providers(count);
}

const fu_model_def *fu_context_model(facefuse_context *ctx, const char *name)
{
    const fu_model_def *def = NULL;
    if (!name)
        return NULL;
    pthread_mutex_lock(&ctx->lock);
    for (int i = 0; i < ctx->n_custom; i++)
        if (strcmp(ctx->custom[i].name, name) == 0)
            def = &ctx->custom[i].def;
    pthread_mutex_unlock(&ctx->lock);
    return def ? def : fu_model_find(name);
}

static fu_custom_model *custom_of(facefuse_context *ctx, const fu_model_def *def)
{
    for (int i = 0; i < ctx->n_custom; i++)
        if (&ctx->custom[i].def == def)
            return &ctx->custom[i];
    return NULL;
}

/* Called with ctx->lock held: loading is serialised, which also keeps two
 * threads from loading the same model twice. */
static facefuse_status load_session(facefuse_context *ctx, const fu_model_def *def, fu_session **out,
                                    fu_err *err)
{
    char path[PATH_MAX];
    facefuse_status rc;
    fu_custom_model *custom = custom_of(ctx, def);

    if (custom) {
        snprintf(path, sizeof path, "%s", custom->path);
        if (!fu_file_exists(path))
            return fu_fail(err, FACEFUSE_ERR_MODEL_MISSING, "model %s: file %s does not exist",
                           def->name, path);
    } else if ((rc = fu_model_ensure(&ctx->store, def, path, sizeof path, err)) != FACEFUSE_OK) {
        return rc;
    }
    if ((rc = fu_session_open(path, &ctx->providers, out, err)) != FACEFUSE_OK)
        return rc;
    if ((rc = fu_session_check(*out, def->contract, err)) != FACEFUSE_OK) {
        fu_session_close(*out);
        *out = NULL;
        return rc;
    }
    fu_debug("loaded model %s from %s", def->name, path);
    return FACEFUSE_OK;
}

facefuse_status fu_context_session(facefuse_context *ctx, const char *name, fu_session **out,
                                   const fu_model_def **def_out, fu_err *err)
{
    const fu_model_def *def = fu_context_model(ctx, name);
    facefuse_status rc = FACEFUSE_OK;

    *out = NULL;
    if (def_out)
        *def_out = def;
    if (!def)
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "unknown model '%s'", name ? name : "(null)");
    pthread_mutex_lock(&ctx->lock);
    for (int i = 0; i < ctx->n_sessions; i++) {
        fu_session_slot *slot = &ctx->sessions[i];
        if (slot->def != def)
            continue;
        *out = slot->session;
        if (!slot->session && err)
            *err = slot->failure;
        rc = slot->session ? FACEFUSE_OK : slot->failure.code;
        pthread_mutex_unlock(&ctx->lock);
        return rc;
    }
    if (ctx->n_sessions == FU_MAX_SESSIONS)
        rc = fu_fail(err, FACEFUSE_ERR_INTERNAL, "too many models open (%d)", FU_MAX_SESSIONS);
    else
        rc = load_session(ctx, def, out, err);
    /* Remember a model that cannot be had (missing offline, failed download)
     * so that each frame does not try to fetch it again. */
    if (rc == FACEFUSE_OK || rc == FACEFUSE_ERR_MODEL_MISSING || rc == FACEFUSE_ERR_DOWNLOAD) {
        fu_session_slot *slot = &ctx->sessions[ctx->n_sessions++];
        slot->def = def;
        slot->session = *out;
        fu_err_clear(&slot->failure);
        if (rc != FACEFUSE_OK && err)
            slot->failure = *err;
        slot->failure.code = rc;
    }
    pthread_mutex_unlock(&ctx->lock);
    return rc;
}

facefuse_status fu_context_add_model(facefuse_context *ctx, const char *name, const char *path,
                                     const fu_model_def *like, const fu_model_def **out, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    *out = NULL;
    if (!name || !path || !like || strlen(name) >= sizeof ctx->custom[0].name ||
        strlen(path) >= sizeof ctx->custom[0].path)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot register model '%s'", name ? name : "(null)");
    pthread_mutex_lock(&ctx->lock);
    for (int i = ctx->n_custom - 1; i >= 0; i--) /* the latest registration of a name counts */
        if (strcmp(ctx->custom[i].name, name) == 0) {
            if (strcmp(ctx->custom[i].path, path) == 0 && ctx->custom[i].def.kind == like->kind)
                *out = &ctx->custom[i].def;
            break;
        }
    if (!*out) {
        if (ctx->n_custom == FU_MAX_CUSTOM_MODELS) {
            rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "too many registered models (%d)", FU_MAX_CUSTOM_MODELS);
        } else {
            fu_custom_model *m = &ctx->custom[ctx->n_custom++];
            memset(m, 0, sizeof *m);
            snprintf(m->name, sizeof m->name, "%s", name);
            snprintf(m->path, sizeof m->path, "%s", path);
            m->def = *like;
            m->def.name = m->name;
            m->def.file = m->path;
            m->def.bucket = NULL;
            m->def.contract = NULL;
            m->def.providers = NULL;
            *out = &m->def;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    return rc;
}

facefuse_status facefuse_register_recognizer(facefuse_context *ctx, const char *name,
                                             const char *onnx_path, int size, float mean, float std)
{
    fu_model_def like = {0};
    const fu_model_def *def;
    fu_err err;
    fu_err_clear(&err);
    if (!ctx || !name || !onnx_path || size <= 0 || std <= 0 || strlen(name) >= 64)
        return fu_fail(&err, FACEFUSE_ERR_INVALID_ARGUMENT, "bad recognizer registration"),
               ctx ? fu_context_fail(ctx, &err) : FACEFUSE_ERR_INVALID_ARGUMENT;
    like.kind = FACEFUSE_MODEL_RECOGNIZER;
    like.template_name = "arcface_112_v2";
    like.size = size;
    for (int c = 0; c < 3; c++) {
        like.mean[c] = mean;
        like.std[c] = std;
    }
    if (fu_context_add_model(ctx, name, onnx_path, &like, &def, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}

facefuse_status facefuse_model_ensure(facefuse_context *ctx, const char *model_name,
                                      facefuse_progress_callback progress, void *user_data)
{
    fu_err err;
    char path[PATH_MAX];
    fu_model_store store;
    const fu_model_def *def;

    fu_err_clear(&err);
    if (!ctx)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    def = fu_context_model(ctx, model_name);
    if (!def) {
        fu_fail(&err, FACEFUSE_ERR_NOT_FOUND, "unknown model '%s'", model_name ? model_name : "");
        return fu_context_fail(ctx, &err);
    }
    if (custom_of(ctx, def))
        return FACEFUSE_OK;
    store = ctx->store;
    store.progress = progress;
    store.progress_ud = user_data;
    if (fu_model_ensure(&store, def, path, sizeof path, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}

facefuse_status facefuse_image_load(facefuse_context *ctx, const char *path, facefuse_image *out)
{
    fu_err err;
    fu_err_clear(&err);
    if (!ctx || !path || !out)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (fu_image_read(path, out, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}

facefuse_status facefuse_image_save(facefuse_context *ctx, const char *path,
                                    const facefuse_image *image, int quality)
{
    fu_err err;
    fu_err_clear(&err);
    if (!ctx || !path || !image)
        return FACEFUSE_ERR_INVALID_ARGUMENT;
    if (fu_image_write(path, image, quality, &err) != FACEFUSE_OK)
        return fu_context_fail(ctx, &err);
    return FACEFUSE_OK;
}
