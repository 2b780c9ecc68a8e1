/*
 * apitest.h — helpers for the HTTP API tests: a server with the fake service
 * on 127.0.0.1 and a free port, and requests through libcurl.
 */
#ifndef FU_APITEST_H
#define FU_APITEST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "fake_service.h"
#include "server/server.h"
#include "testlib.h"

typedef struct api_reply {
    long status;
    char *body;                 /* NUL-terminated */
    size_t size;
    char headers[4096];
    int curl_error;             /* CURLcode, 0 when the request completed */
} api_reply;

static inline size_t api_collect(char *data, size_t size, size_t n, void *user)
{
    api_reply *r = user;
    size_t add = size * n;
    char *bigger = realloc(r->body, r->size + add + 1);
    if (!bigger)
        return 0;
    r->body = bigger;
    memcpy(r->body + r->size, data, add);
    r->size += add;
    r->body[r->size] = '\0';
    return add;
}

static inline size_t api_header(char *data, size_t size, size_t n, void *user)
{
    api_reply *r = user;
    size_t len = strlen(r->headers), add = size * n;
    if (len + add < sizeof r->headers) {
        memcpy(r->headers + len, data, add);
        r->headers[len + add] = '\0';
    }
    return add;
}

/* method, url, extra headers (NULL-terminated, may be NULL), body. */
static inline api_reply api_request(const char *method, const char *url, const char *const *headers,
                                    const void *body, size_t body_size)
{
    api_reply r;
    struct curl_slist *list = NULL;
    memset(&r, 0, sizeof r);
    r.body = calloc(1, 1);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, api_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, api_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    for (int i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_size);
    }
    r.curl_error = (int)curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return r;
}

static inline void api_reply_free(api_reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* The reply's body parsed as JSON (NULL when it is not). */
static inline json_t *api_json(const api_reply *r)
{
    return json_loadb(r->body, r->size, 0, NULL);
}

/* METHOD base+path with a JSON (or empty) body: the reply's status in
 * *status and its body parsed as JSON (NULL when it is not). */
static inline json_t *api_call(const char *base, const char *method, const char *path, const char *body,
                               long *status)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    api_reply r = api_request(method, url, NULL, body, body ? strlen(body) : 0);
    *status = r.status;
    json_t *j = api_json(&r);
    api_reply_free(&r);
    return j;
}

/* The "error" text of a JSON error reply, or "". */
static inline const char *api_error_text(const api_reply *r, char *buf, size_t size)
{
    json_t *j = api_json(r);
    snprintf(buf, size, "%s", json_string_value(json_object_get(j, "error")) ?: "");
    json_decref(j);
    return buf;
}

static inline void *api_slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *d = malloc((size_t)n + 1);
    *size = fread(d, 1, (size_t)n, f);
    fclose(f);
    return d;
}

/* POST /api/files?name=... with a file's bytes; the new id into id ("" on failure). */
static inline long api_upload(const char *base, const char *path, const char *name, char *id, size_t id_size)
{
    char url[1024];
    size_t size;
    void *data = api_slurp(path, &size);
    char *escaped = curl_easy_escape(NULL, name, 0);
    snprintf(url, sizeof url, "%sapi/files?name=%s", base, escaped);
    curl_free(escaped);
    api_reply r = api_request("POST", url, NULL, data, size);
    free(data);
    json_t *j = api_json(&r);
    snprintf(id, id_size, "%s", json_string_value(json_object_get(j, "id")) ?: "");
    json_decref(j);
    long status = r.status;
    api_reply_free(&r);
    return status;
}

/* A server on a service table (copied), jobs under <tmp>/<name>. */
static inline fu_server *api_start_service(const fu_service *table, const char *name, const char *token,
                                           int timeout_s, int max_connections, int max_upload_mb)
{
    fu_server_settings st = fu_server_default_settings();
    fu_server *s = NULL;
    fu_err err;
    char locks[1024];
    snprintf(locks, sizeof locks, "%s", tl_tmp("locks"));
    mkdir(locks, 0755);
    st.port = 0;
    st.jobs_path = tl_tmp(name);
    st.lock_dir = strdup(locks);
    st.token = token;
    st.timeout_s = timeout_s;
    st.max_connections = max_connections;
    st.max_upload_mb = max_upload_mb;
    if (fu_server_start(&st, table, &s, &err) != FACEFUSE_OK) {
        fprintf(stderr, "server: %s\n", err.msg);
        exit(2);
    }
    free((void *)st.lock_dir);
    return s;
}

/* A server with the fake service, jobs under <tmp>/<name>. */
static inline fu_server *api_start(fake_service *fake, const char *name, const char *token, int timeout_s,
                                   int max_connections, int max_upload_mb)
{
    fu_service table = fake_service_table(fake);
    return api_start_service(&table, name, token, timeout_s, max_connections, max_upload_mb);
}

/* "http://127.0.0.1:PORT/" */
static inline const char *api_base(const fu_server *s)
{
    static char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/", fu_server_port(s));
    return base;
}

/* A raw TCP connection to the server (for slow and idle clients). */
static inline int api_connect(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

#endif
