/*
 * api.c — the routes: the page's files, GET /api/options, and dispatch to
 * api_media.c (files, preview, faces, thumbnails) and api_jobs.c (jobs).
 * Paths are split into segments and matched exactly; anything else is a
 * JSON 404 (there are no directory listings and no file system lookups by
 * a client's path).
 */
#include <stdio.h>
#include <string.h>

#include "server/api.h"
#include "server/web_assets.h"

#define MAX_SEGMENTS 6

/* Splits url into segments; -1 for empty, "." or ".." segments. */
static int split(const char *url, char seg[MAX_SEGMENTS][160], int *count)
{
    *count = 0;
    if (url[0] != '/')
        return -1;
    const char *p = url + 1;
    if (!*p)
        return 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (*count == MAX_SEGMENTS || n == 0 || n >= 160)
            return -1;
        snprintf(seg[*count], 160, "%.*s", (int)n, p);
        if (!strcmp(seg[*count], ".") || !strcmp(seg[*count], ".."))
            return -1;
        (*count)++;
        if (!slash)
            return 0;
        p = slash + 1;
    }
}

body_kind fu_api_body_kind(const char *method, const char *url)
{
    /* job_manager's steps, job_runner's start, the terminal's level */
    if ((!strcmp(method, "POST") && !strncmp(url, "/api/jobs/", 10) && strstr(url, "/steps")) ||
        (!strcmp(method, "POST") && !strcmp(url, "/api/runner")) || (!strcmp(method, "PUT") && !strcmp(url, "/api/log")))
        return BODY_JSON;
    if (strcmp(method, "POST") != 0)
        return BODY_NONE;
    if (!strcmp(url, "/api/files"))
        return BODY_UPLOAD;
    if (!strcmp(url, "/api/preview") || !strcmp(url, "/api/jobs"))
        return BODY_JSON;
    return BODY_NONE;
}

enum MHD_Result fu_api_method_not_allowed(struct MHD_Connection *c, const char *allow)
{
    return fu_http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "this address takes %s only", allow);
}

static enum MHD_Result page_file(fu_server *s, struct MHD_Connection *c, const char *method, const char *name,
                                 int set_cookie)
{
    char cookie[160];
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return fu_api_method_not_allowed(c, "GET");
    const fu_web_asset *a = fu_web_asset_find(name);
    if (!a)
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no page /%.100s", name);
    snprintf(cookie, sizeof cookie, "facefuse_token=%s; Path=/; HttpOnly; SameSite=Strict", s->token);
    return fu_http_static(c, fu_web_mime(a->name), a->data, a->size, set_cookie ? cookie : NULL);
}

static enum MHD_Result options(fu_server *s, struct MHD_Connection *c, const char *method)
{
    if (strcmp(method, "GET") != 0)
        return fu_api_method_not_allowed(c, "GET");
    return fu_http_json(c, MHD_HTTP_OK, json_incref(s->options));
}

/* How the page presents itself: --ui-workflow and the opening layout. */
static enum MHD_Result ui(fu_server *s, struct MHD_Connection *c, const char *method)
{
    if (strcmp(method, "GET") != 0)
        return fu_api_method_not_allowed(c, "GET");
    return fu_http_json(c, MHD_HTTP_OK,
                        json_pack("{s:s,s:s,s:s}", "workflow", s->settings.workflow, "layout", s->settings.layout,
                                  "version", facefuse_version()));
}

enum MHD_Result fu_api_route(fu_server *s, struct MHD_Connection *c, const char *method, const char *url,
                             fu_request *req, int set_cookie)
{
    char seg[MAX_SEGMENTS][160];
    int n;
    if (split(url, seg, &n) != 0)
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
    if (n == 0)
        return page_file(s, c, method, "index.html", set_cookie);
    if (strcmp(seg[0], "api") != 0)
        return n == 1 ? page_file(s, c, method, seg[0], set_cookie)
                      : fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
    if (n == 2 && !strcmp(seg[1], "options"))
        return options(s, c, method);
    if (n == 2 && !strcmp(seg[1], "ui"))
        return ui(s, c, method);
    if (!strcmp(seg[1], "files") && n <= 4)
        return fu_api_files(s, c, method, n > 2 ? seg[2] : NULL, n > 3 ? seg[3] : NULL);
    if (n == 2 && !strcmp(seg[1], "preview"))
        return fu_api_preview(s, c, method, req);
    if (n == 2 && !strcmp(seg[1], "faces"))
        return fu_api_faces(s, c, method);
    if (n == 3 && !strcmp(seg[1], "thumbs"))
        return fu_api_thumb(s, c, method, seg[2]);
    if (!strcmp(seg[1], "jobs") && n >= 4 && !strcmp(seg[3], "steps"))
        return fu_api_steps(s, c, method, seg[2], n > 4 ? seg[4] : NULL, n > 5 ? seg[5] : NULL, req);
    if (n == 2 && !strcmp(seg[1], "log"))
        return fu_api_log(s, c, method, req);
    if (!strcmp(seg[1], "runner") && n <= 3)
        return fu_api_runner(s, c, method, n > 2 ? seg[2] : NULL, req);
    if (!strcmp(seg[1], "jobs") && n <= 4)
        return fu_api_jobs(s, c, method, n > 2 ? seg[2] : NULL, n > 3 ? seg[3] : NULL, req);
    return fu_http_error(c, MHD_HTTP_NOT_FOUND, "no such address");
}

const char *fu_api_mime_of(const char *path)
{
    static const char *const types[][2] = {
        {"jpg", "image/jpeg"},  {"jpeg", "image/jpeg"},      {"png", "image/png"},        {"webp", "image/webp"},
        {"bmp", "image/bmp"},   {"tiff", "image/tiff"},      {"mp4", "video/mp4"},        {"m4v", "video/mp4"},
        {"mov", "video/quicktime"}, {"mkv", "video/x-matroska"}, {"webm", "video/webm"}, {"avi", "video/x-msvideo"},
        {"wav", "audio/wav"},   {"mp3", "audio/mpeg"},       {"flac", "audio/flac"},      {"ogg", "audio/ogg"},
        {"m4a", "audio/mp4"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot + 1, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}
