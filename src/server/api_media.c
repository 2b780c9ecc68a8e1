/*
 * api_media.c — uploads (POST /api/files), file information and frames
 * (GET /api/files/ID[/frame]), the one-frame preview (POST /api/preview), the
 * faces of a frame (GET /api/faces) and their thumbnails (GET /api/thumbs/ID),
 * and turning a request's option values into step options.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "pipeline/jobs/job_args.h"
#include "server/api.h"

/* ------------------------------------------------------------ options */

static json_t *find_option(fu_server *s, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(s->options, i, o) {
        const char *n = json_string_value(json_object_get(o, "name"));
        if (n && !strcmp(n, name))
            return o;
    }
    return NULL;
}

/* One word of a value: a string as it is, a number formatted. */
static json_t *word_of(json_t *v, int integral, const char *name, char *why, size_t why_size)
{
    char buf[64];
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        if (strlen(t) > 1000) {
            snprintf(why, why_size, "option %s: value too long", name);
            return NULL;
        }
        return json_string(t);
    }
    if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return json_string(buf);
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || (integral && d != floor(d))) {
            snprintf(why, why_size, "option %s: %g is not %s", name, d, integral ? "a whole number" : "a number");
            return NULL;
        }
        snprintf(buf, sizeof buf, integral ? "%.0f" : "%.10g", d);
        return json_string(buf);
    }
    snprintf(why, why_size, "option %s: a value must be a string or a number", name);
    return NULL;
}

int fu_api_options_to_args(fu_server *s, json_t *options, json_t *args, char *why, size_t why_size)
{
    const char *name;
    json_t *value;
    if (!options || json_is_null(options))
        return 0;
    if (!json_is_object(options)) {
        snprintf(why, why_size, "\"options\" must be an object of option names and values");
        return -1;
    }
    json_object_foreach(options, name, value) {
        json_t *o = find_option(s, name);
        if (!o) {
            char shown[128];
            fu_one_line(shown, sizeof shown, name); /* the client's bytes: one line */
            snprintf(why, why_size, "unknown option %s (GET /api/options lists them)", shown);
            return -1;
        }
        const char *type = json_string_value(json_object_get(o, "type"));
        int multiple = json_is_true(json_object_get(o, "multiple")) || (type && !strcmp(type, "list"));
        int integral = type && !strcmp(type, "int");
        json_t *words = json_array();
        if (json_is_null(value)) {
            json_decref(words);
            continue;
        }
        if (type && !strcmp(type, "bool")) {
            if (!json_is_boolean(value)) {
                json_decref(words);
                snprintf(why, why_size, "option %s takes true or false", name);
                return -1;
            }
            json_array_append_new(words, json_string(json_is_true(value) ? "true" : "false"));
        } else if (json_is_array(value)) {
            size_t i;
            json_t *v;
            if (!multiple && json_array_size(value) != 1) {
                json_decref(words);
                snprintf(why, why_size, "option %s takes one value, not a list", name);
                return -1;
            }
            json_array_foreach(value, i, v) {
                json_t *w = word_of(v, integral, name, why, why_size);
                if (!w) {
                    json_decref(words);
                    return -1;
                }
                json_array_append_new(words, w);
            }
        } else {
            json_t *w = word_of(value, integral, name, why, why_size);
            if (!w) {
                json_decref(words);
                return -1;
            }
            json_array_append_new(words, w);
        }
        json_object_set_new(args, name, words);
    }
    return 0;
}

facefuse_status fu_api_validate(fu_server *s, json_t *args, char **step_json, fu_err *err)
{
    char *text = json_dumps(args, JSON_COMPACT);
    if (step_json)
        *step_json = NULL;
    if (!text)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    pthread_mutex_lock(&s->service_lock);
    facefuse_status st = s->service.validate(s->service.user, text, step_json, err);
    pthread_mutex_unlock(&s->service_lock);
    free(text);
    return st;
}

/* The workspace path of file id with kind in `kinds` (space-separated). */
static int file_of(fu_server *s, json_t *v, const char *what, const char *kinds, char *path, size_t size,
                   const char **kind, unsigned *status, char *why, size_t why_size)
{
    fu_err err;
    const char *id = json_string_value(v);
    if (!id) {
        *status = MHD_HTTP_BAD_REQUEST;
        snprintf(why, why_size, "%s must be a file id (from POST /api/files)", what);
        return -1;
    }
    if (fu_workspace_path(&s->ws, "files", id, path, size, &err) != FACEFUSE_OK) {
        *status = fu_http_status_of(err.code);
        snprintf(why, why_size, "%s: %s", what, err.msg);
        return -1;
    }
    *kind = fu_media_kind_of_ext(strrchr(id, '.') + 1);
    if (!strstr(kinds, *kind)) {
        *status = MHD_HTTP_BAD_REQUEST;
        snprintf(why, why_size, "%s must be %s, not %s", what, kinds, *kind);
        return -1;
    }
    return 0;
}

json_t *fu_api_request_sources(fu_server *s, json_t *body, unsigned *status, char *why, size_t why_size)
{
    char path[PATH_MAX + 64];
    const char *kind;
    json_t *sources = json_object_get(body, "sources");
    json_t *args = json_object();
    json_t *paths = json_array();

    *status = MHD_HTTP_BAD_REQUEST;
    if (!json_is_object(body)) {
        snprintf(why, why_size, "the body must be a JSON object");
        goto bad;
    }
    if (sources && !json_is_array(sources)) {
        snprintf(why, why_size, "\"sources\" must be a list of file ids");
        goto bad;
    }
    if (json_array_size(sources) > 32) {
        snprintf(why, why_size, "at most 32 sources");
        goto bad;
    }
    size_t i;
    json_t *v;
    json_array_foreach(sources, i, v) {
        char what[32];
        snprintf(what, sizeof what, "sources[%zu]", i);
        if (file_of(s, v, what, "image audio", path, sizeof path, &kind, status, why, why_size) != 0)
            goto bad;
        json_array_append_new(paths, json_string(path));
    }
    if (json_array_size(paths) > 0)
        json_object_set(args, FU_ARG_SOURCE_PATHS, paths);
    *status = MHD_HTTP_BAD_REQUEST;
    if (fu_api_options_to_args(s, json_object_get(body, "options"), args, why, why_size) != 0)
        goto bad;
    json_decref(paths);
    return args;
bad:
    json_decref(paths);
    json_decref(args);
    return NULL;
}

json_t *fu_api_request_args(fu_server *s, json_t *body, const char **target_kind, unsigned *status, char *why,
                            size_t why_size)
{
    char path[PATH_MAX + 64];
    json_t *args = fu_api_request_sources(s, body, status, why, why_size);
    if (!args)
        return NULL;
    if (file_of(s, json_object_get(body, "target"), "target", "image video", path, sizeof path, target_kind, status,
                why, why_size) != 0) {
        json_decref(args);
        return NULL;
    }
    json_object_set_new(args, FU_ARG_TARGET_PATH, json_pack("[s]", path));
    return args;
}

static json_t *parse_body(fu_request *req, char *why, size_t why_size)
{
    json_error_t je;
    json_t *body = req->data ? json_loadb(req->data, req->size, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (!body)
        snprintf(why, why_size, "the body is not valid JSON%s%s", req->data ? ": " : " (empty)",
                 req->data ? je.text : "");
    return body;
}

/* ------------------------------------------------------------ files */

static json_t *media_json(const char *id, const fu_service_media *m)
{
    return json_pack("{s:s,s:s,s:i,s:i,s:I,s:f,s:f}", "id", id, "kind", m->kind, "width", m->width, "height",
                     m->height, "frames", (json_int_t)m->frame_count, "fps", m->fps, "duration_s", m->duration_s);
}

static facefuse_status probe(fu_server *s, const char *path, fu_service_media *m, fu_err *err)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_lock(&s->service_lock);
    facefuse_status st = s->service.probe(s->service.user, path, m, err);
    pthread_mutex_unlock(&s->service_lock);
    return st;
}

/* A client's name, for showing only: printable, at most 100 bytes. */
static void display_name(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (; name && *name && n + 1 < size && n < 100; name++)
        out[n++] = (unsigned char)*name < 0x20 || *name == '/' || *name == '\\' ? '_' : *name;
    out[n] = '\0';
}

enum MHD_Result fu_api_upload_done(fu_server *s, struct MHD_Connection *c, fu_request *req)
{
    char id[FU_WORKSPACE_ID_MAX], path[PATH_MAX + 64], name[128];
    const char *kind;
    fu_service_media m;
    fu_err err;

    if (req->written == 0)
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "the upload is empty (send the file's bytes as the body)");
    const char *ext = fu_media_sniff(req->head, req->head_size, &kind);
    if (!ext)
        return fu_http_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                             "not an image, video or audio file facefuse knows (by its content, whatever its name)");
    if (close(req->fd) != 0) {
        req->fd = -1;
        return fu_http_error(c, MHD_HTTP_INSUFFICIENT_STORAGE, "cannot store the upload: %s", strerror(errno));
    }
    req->fd = -1;
    if (fu_workspace_new_id(ext, id, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    snprintf(path, sizeof path, "%s/files/%s", s->ws.root, id);
    if (rename(req->temp_path, path) != 0)
        return fu_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the upload: %s", strerror(errno));
    req->temp_path[0] = '\0';
    if (probe(s, path, &m, &err) != FACEFUSE_OK) {
        unlink(path);
        return fu_http_error(c, MHD_HTTP_UNPROCESSABLE_CONTENT, "the %s cannot be read: %s", kind, err.msg);
    }
    display_name(fu_http_arg(c, "name"), name, sizeof name);
    json_t *o = media_json(id, &m);
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "size", json_integer((json_int_t)req->written));
    return fu_http_json(c, MHD_HTTP_CREATED, o);
}

static enum MHD_Result send_image(struct MHD_Connection *c, fu_service_image *im)
{
    char mime[32];
    snprintf(mime, sizeof mime, "%s", im->mime[0] ? im->mime : "image/jpeg");
    void *data = im->data;
    size_t size = im->size;
    im->data = NULL;
    return fu_http_bytes(c, MHD_HTTP_OK, mime, data, size);
}

static int parse_frame(const char *text, long long *frame)
{
    char *end;
    if (!text) {
        *frame = 0;
        return 0;
    }
    *frame = strtoll(text, &end, 10);
    return end == text || *end || *frame < 0 ? -1 : 0;
}

enum MHD_Result fu_api_files(fu_server *s, struct MHD_Connection *c, const char *method, const char *id,
                             const char *action)
{
    char path[PATH_MAX + 64];
    fu_err err;
    if (!id) /* POST /api/files comes through fu_api_upload_done */
        return fu_api_method_not_allowed(c, "POST");
    if (strcmp(method, "GET") != 0)
        return fu_api_method_not_allowed(c, "GET");
    if (fu_workspace_path(&s->ws, "files", id, path, sizeof path, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    if (!action) {
        fu_service_media m;
        if (probe(s, path, &m, &err) != FACEFUSE_OK)
            return fu_http_fail(c, &err);
        return fu_http_json(c, MHD_HTTP_OK, media_json(id, &m));
    }
    if (strcmp(action, "frame") != 0)
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
    long long frame;
    if (parse_frame(fu_http_arg(c, "n"), &frame) != 0)
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "n must be a frame number (0, 1, ...)");
    fu_service_image im = {0};
    pthread_mutex_lock(&s->service_lock);
    facefuse_status st = s->service.frame(s->service.user, path, frame, &im, &err);
    pthread_mutex_unlock(&s->service_lock);
    if (st != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    enum MHD_Result r = send_image(c, &im);
    fu_service_image_free(&im);
    return r;
}

/* ------------------------------------------------------------ preview */

enum MHD_Result fu_api_preview(fu_server *s, struct MHD_Connection *c, const char *method, fu_request *req)
{
    char why[FU_ERRMSG_MAX];
    unsigned status;
    const char *kind;
    fu_err err;
    if (strcmp(method, "POST") != 0)
        return fu_api_method_not_allowed(c, "POST");
    json_t *body = parse_body(req, why, sizeof why);
    if (!body)
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "%s", why);
    json_t *frame_v = json_object_get(body, "frame");
    if (frame_v && (!json_is_integer(frame_v) || json_integer_value(frame_v) < 0)) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "\"frame\" must be a frame number (0, 1, ...)");
    }
    long long frame = frame_v ? (long long)json_integer_value(frame_v) : 0;
    /* FaceFusion's preview resolution: 1024 (its default), 768, 512; 0 = full size. */
    json_t *res_v = json_object_get(body, "resolution");
    long long resolution = res_v ? (json_is_integer(res_v) ? (long long)json_integer_value(res_v) : -1) : 1024;
    if (resolution != 0 && (resolution < 64 || resolution > 8192)) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST,
                             "\"resolution\" must be the largest side in pixels (64..8192, e.g. 1024), or 0 for full size");
    }
    /* FaceFusion's preview modes: default and frame-by-frame are the
     * processed frame (the page puts the original beside it); face-by-face
     * is each face's crop before | after. */
    const char *mode = json_string_value(json_object_get(body, "mode"));
    if (json_object_get(body, "mode") &&
        (!mode || (strcmp(mode, "default") && strcmp(mode, "frame-by-frame") && strcmp(mode, "face-by-face")))) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "\"mode\" must be default, frame-by-frame or face-by-face");
    }
    int face_by_face = mode && !strcmp(mode, "face-by-face");
    if (face_by_face && !s->service.preview_faces) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_NOT_IMPLEMENTED, "this server has no face-by-face preview");
    }
    json_t *args = fu_api_request_args(s, body, &kind, &status, why, sizeof why);
    json_decref(body);
    if (!args)
        return fu_http_error(c, status, "%s", why);
    if (fu_api_validate(s, args, NULL, &err) != FACEFUSE_OK) {
        json_decref(args);
        return fu_http_fail(c, &err);
    }
    char *text = json_dumps(args, JSON_COMPACT);
    json_decref(args);
    fu_service_image im = {0};
    pthread_mutex_lock(&s->service_lock);
    facefuse_status st = !text ? fu_fail(&err, FACEFUSE_ERR_NO_MEMORY, "out of memory")
                         : face_by_face
                             ? s->service.preview_faces(s->service.user, text, frame, (int)resolution, &im, &err)
                             : s->service.preview(s->service.user, text, frame, (int)resolution, &im, &err);
    pthread_mutex_unlock(&s->service_lock);
    free(text);
    if (st != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    enum MHD_Result r = send_image(c, &im);
    fu_service_image_free(&im);
    return r;
}

/* ------------------------------------------------------------ faces */

/* Stores a thumbnail in the workspace; its id into id. */
static int store_thumbnail(fu_server *s, const fu_service_image *im, char *id)
{
    char path[PATH_MAX + 64];
    const char *ext = strstr(im->mime, "png") ? "png" : strstr(im->mime, "webp") ? "webp" : "jpg";
    if (!im->data || fu_workspace_new_id(ext, id, NULL) != FACEFUSE_OK)
        return -1;
    snprintf(path, sizeof path, "%s/thumbs/%s", s->ws.root, id);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(im->data, 1, im->size, f) == im->size;
    if (fclose(f) != 0 || !ok) {
        unlink(path);
        return -1;
    }
    return 0;
}

enum MHD_Result fu_api_faces(fu_server *s, struct MHD_Connection *c, const char *method)
{
    char why[FU_ERRMSG_MAX];
    unsigned status;
    const char *kind;
    long long frame;
    fu_err err;
    json_error_t je;
    if (strcmp(method, "GET") != 0)
        return fu_api_method_not_allowed(c, "GET");
    if (parse_frame(fu_http_arg(c, "frame"), &frame) != 0)
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "frame must be a frame number (0, 1, ...)");
    const char *file = fu_http_arg(c, "file");
    const char *opts = fu_http_arg(c, "options");
    json_t *options = opts ? json_loads(opts, JSON_REJECT_DUPLICATES, &je) : NULL;
    if (opts && !options)
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "options is not valid JSON: %s", je.text);
    json_t *body = json_pack("{s:s?,s:o?}", "target", file, "options", options);
    if (!file) {
        json_decref(body);
        return fu_http_error(c, MHD_HTTP_BAD_REQUEST, "file must name an uploaded file (?file=ID&frame=N)");
    }
    json_t *args = fu_api_request_args(s, body, &kind, &status, why, sizeof why);
    json_decref(body);
    if (!args)
        return fu_http_error(c, status, "%s", why);
    if (fu_api_validate(s, args, NULL, &err) != FACEFUSE_OK) {
        json_decref(args);
        return fu_http_fail(c, &err);
    }
    char *text = json_dumps(args, JSON_COMPACT);
    json_decref(args);
    fu_service_face *faces = NULL;
    int n = 0;
    pthread_mutex_lock(&s->service_lock);
    facefuse_status st = text ? s->service.faces(s->service.user, text, frame, &faces, &n, &err)
                              : fu_fail(&err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    pthread_mutex_unlock(&s->service_lock);
    free(text);
    if (st != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        char id[FU_WORKSPACE_ID_MAX], url[128];
        int stored = store_thumbnail(s, &faces[i].thumbnail, id) == 0;
        snprintf(url, sizeof url, "/api/thumbs/%s", stored ? id : "");
        json_array_append_new(list, json_pack("{s:i,s:[f,f,f,f],s:f,s:s?}", "index", i, "box", faces[i].box[0],
                                              faces[i].box[1], faces[i].box[2], faces[i].box[3], "score",
                                              faces[i].score, "thumbnail", stored ? url : NULL));
    }
    fu_service_faces_free(faces, n);
    return fu_http_json(c, MHD_HTTP_OK, list);
}

enum MHD_Result fu_api_thumb(fu_server *s, struct MHD_Connection *c, const char *method, const char *id)
{
    char path[PATH_MAX + 64];
    fu_err err;
    if (strcmp(method, "GET") != 0)
        return fu_api_method_not_allowed(c, "GET");
    if (fu_workspace_path(&s->ws, "thumbs", id, path, sizeof path, &err) != FACEFUSE_OK)
        return fu_http_fail(c, &err);
    return fu_http_file(c, path, fu_api_mime_of(path), NULL);
}
