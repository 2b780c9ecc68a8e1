/*
 * http.c — responses (JSON, bytes, files with ranges) with the security
 * headers every answer carries, and the per-request checks: Host, Origin and
 * token (see server.h).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/server_internal.h"

void fu_http_security_headers(struct MHD_Response *r, int html)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    if (html)
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
                                "style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; "
                                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r, const char *mime,
                             int cache)
{
    enum MHD_Result ret;
    if (!r)
        return MHD_NO;
    if (mime)
        MHD_add_response_header(r, "Content-Type", mime);
    MHD_add_response_header(r, "Cache-Control", cache ? "private, max-age=300" : "no-store");
    fu_http_security_headers(r, mime && strncmp(mime, "text/html", 9) == 0);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result fu_http_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return MHD_NO;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r)
        free(text);
    return queue(c, status, r, "application/json", 0);
}

/* Length of the valid UTF-8 sequence at p (as jansson checks it: no
 * overlong forms, surrogates or code points past U+10FFFF), 0 if invalid. */
static size_t utf8_length(const unsigned char *p)
{
    unsigned cp;
    size_t n;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, cp = p[0] & 0x1fu;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, cp = p[0] & 0x0fu;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, cp = p[0] & 0x07u;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* src as valid UTF-8: a byte that is not part of a valid sequence (a
 * client's Latin-1 header, a name cut inside a character) becomes \xNN. */
static void utf8_escaped(char *dst, size_t size, const char *src)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t o = 0;
    while (*p && o + 1 < size) {
        size_t n = utf8_length(p);
        if (n == 0) {
            if (o + 5 > size)
                break;
            snprintf(dst + o, size - o, "\\x%02x", *p++);
            o += 4;
            continue;
        }
        if (o + n >= size)
            break;
        memcpy(dst + o, p, n);
        o += n;
        p += n;
    }
    dst[o] = '\0';
}

/* Every error answer: one line (control characters escaped, as fu_fail's
 * messages) in valid UTF-8 whatever the request carried, so the JSON can
 * always be made — a message jansson refuses would leave the client with
 * no answer at all. */
enum MHD_Result fu_http_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
    char msg[FU_ERRMSG_MAX], line[FU_ERRMSG_MAX], safe[FU_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fu_one_line(line, sizeof line, msg);
    utf8_escaped(safe, sizeof safe, line);
    return fu_http_json(c, status, json_pack("{s:s,s:i}", "error", safe, "status", (int)status));
}

unsigned fu_http_status_of(facefuse_status st)
{
    switch (st) {
    case FACEFUSE_OK: return MHD_HTTP_OK;
    case FACEFUSE_ERR_INVALID_ARGUMENT:
    case FACEFUSE_ERR_UNSUPPORTED: return MHD_HTTP_BAD_REQUEST;
    case FACEFUSE_ERR_NOT_FOUND: return MHD_HTTP_NOT_FOUND;
    case FACEFUSE_ERR_DECODE:
    case FACEFUSE_ERR_NO_FACE: return MHD_HTTP_UNPROCESSABLE_CONTENT;
    case FACEFUSE_ERR_MODEL_MISSING:
    case FACEFUSE_ERR_MODEL_CORRUPT:
    case FACEFUSE_ERR_MODEL_CONTRACT:
    case FACEFUSE_ERR_DOWNLOAD:
    case FACEFUSE_ERR_PROVIDER: return MHD_HTTP_SERVICE_UNAVAILABLE;
    default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

enum MHD_Result fu_http_fail(struct MHD_Connection *c, const fu_err *err)
{
    return fu_http_error(c, fu_http_status_of(err->code), "%s", err->msg[0] ? err->msg : facefuse_strerror(err->code));
}

enum MHD_Result fu_http_bytes(struct MHD_Connection *c, unsigned status, const char *mime, void *data, size_t size)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(size, data, MHD_RESPMEM_MUST_FREE);
    if (!r)
        free(data);
    return queue(c, status, r, mime, 0);
}

enum MHD_Result fu_http_static(struct MHD_Connection *c, const char *mime, const void *data, size_t size,
                               const char *set_cookie)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(size, (void *)data, MHD_RESPMEM_PERSISTENT);
    if (r && set_cookie)
        MHD_add_response_header(r, "Set-Cookie", set_cookie);
    return queue(c, MHD_HTTP_OK, r, mime, 0);
}

/* "bytes=a-b", "bytes=a-", "bytes=-n" against size: 1 valid (first..last),
 * 0 absent, -1 unsatisfiable. */
static int parse_range(const char *h, long long size, long long *first, long long *last)
{
    char *end;
    if (!h)
        return 0;
    if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
        return -1;
    h += 6;
    if (*h == '-') {
        long long n = strtoll(h + 1, &end, 10);
        if (end == h + 1 || *end || n <= 0)
            return -1;
        *first = n >= size ? 0 : size - n;
        *last = size - 1;
    } else {
        *first = strtoll(h, &end, 10);
        if (end == h || *end != '-')
            return -1;
        h = end + 1;
        *last = *h ? strtoll(h, &end, 10) : size - 1;
        if (*h && (end == h || *end))
            return -1;
        if (*last >= size)
            *last = size - 1;
    }
    return *first >= 0 && *first < size && *first <= *last ? 1 : -1;
}

static void safe_name(const char *name, char *out, size_t size)
{
    size_t i = 0;
    for (; name && *name && i + 1 < size; name++)
        out[i++] = isalnum((unsigned char)*name) || *name == '.' || *name == '-' || *name == '_' ? *name : '_';
    out[i] = '\0';
    if (!i)
        snprintf(out, size, "output");
}

enum MHD_Result fu_http_file(struct MHD_Connection *c, const char *path, const char *mime, const char *download_name)
{
    struct stat st;
    long long first = 0, last = 0;
    char header[160];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return fu_http_error(c, MHD_HTTP_NOT_FOUND, "the file is gone");
    }
    int range = parse_range(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range"), (long long)st.st_size, &first,
                            &last);
    if (range < 0 && st.st_size > 0) {
        close(fd);
        struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        snprintf(header, sizeof header, "bytes */%lld", (long long)st.st_size);
        if (r)
            MHD_add_response_header(r, "Content-Range", header);
        return queue(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r, NULL, 0);
    }
    if (range <= 0) {
        first = 0;
        last = (long long)st.st_size - 1;
    }
    struct MHD_Response *r =
        MHD_create_response_from_fd_at_offset64((uint64_t)(last - first + 1), fd, (uint64_t)first);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Accept-Ranges", "bytes");
    if (range > 0) {
        snprintf(header, sizeof header, "bytes %lld-%lld/%lld", first, last, (long long)st.st_size);
        MHD_add_response_header(r, "Content-Range", header);
    }
    if (download_name) {
        char name[128];
        safe_name(download_name, name, sizeof name);
        snprintf(header, sizeof header, "attachment; filename=\"%s\"", name);
        MHD_add_response_header(r, "Content-Disposition", header);
    }
    return queue(c, range > 0 ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK, r, mime, 0);
}

const char *fu_http_arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* ------------------------------------------------------------ checks */

/* Splits "host:port" / "[v6]:port" into host and port (-1 when absent). */
static int split_host(const char *value, char *host, size_t size, long *port)
{
    const char *colon;
    *port = -1;
    if (value[0] == '[') {
        const char *close = strchr(value, ']');
        if (!close)
            return -1;
        snprintf(host, size, "%.*s", (int)(close - value - 1), value + 1); /* without the brackets */
        colon = close[1] == ':' ? close + 1 : NULL;
        if (close[1] && !colon)
            return -1;
    } else {
        colon = strchr(value, ':');
        snprintf(host, size, "%.*s", colon ? (int)(colon - value) : (int)strlen(value), value);
    }
    if (colon) {
        char *end;
        *port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end)
            return -1;
    }
    return host[0] ? 0 : -1;
}

static int host_allowed(const fu_server *s, const char *value)
{
    char host[256];
    long port;
    if (!value || split_host(value, host, sizeof host, &port) != 0)
        return 0;
    if (port < 0 ? s->port != 80 : port != s->port)
        return 0;
    if (s->wildcard)
        return 1; /* any name of this machine; a token is required then */
    if (strcasecmp(host, s->host) == 0)
        return 1;
    if (s->loopback)
        return !strcasecmp(host, "localhost") || !strcmp(host, "127.0.0.1") || !strcmp(host, "::1");
    return 0;
}

static int token_equal(const char *a, const char *b)
{
    size_t n = strlen(b), m = a ? strlen(a) : 0;
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)((i < m ? a[i] : 0) ^ b[i]);
    return diff == 0;
}

static const char *bearer(struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return auth && strncasecmp(auth, "Bearer ", 7) == 0 ? auth + 7 : NULL;
}

int fu_http_check(fu_server *s, struct MHD_Connection *c, const char *method, unsigned *status, char *why,
                  size_t why_size, int *set_cookie)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
    int safe = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    *set_cookie = 0;

    if (!host_allowed(s, host)) {
        *status = MHD_HTTP_MISDIRECTED_REQUEST;
        snprintf(why, why_size, "this server does not answer for host '%.100s'", host ? host : "(none)");
        return -1;
    }
    if (origin) {
        char expected[300];
        snprintf(expected, sizeof expected, "http://%s", host);
        if (strcasecmp(origin, expected) != 0) {
            *status = MHD_HTTP_FORBIDDEN;
            snprintf(why, why_size, "requests from %.100s are not allowed (cross-site)", origin);
            return -1;
        }
    } else if (!safe && site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
        *status = MHD_HTTP_FORBIDDEN;
        snprintf(why, why_size, "cross-site %s requests are not allowed", method);
        return -1;
    }
    if (!s->token[0])
        return 0;
    const char *given = bearer(c);
    if (!given)
        given = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "facefuse_token");
    if (!given) {
        given = fu_http_arg(c, "token");
        *set_cookie = given != NULL && safe;
    }
    if (!given) {
        *status = MHD_HTTP_UNAUTHORIZED;
        snprintf(why, why_size, "this server needs its token: open the address it printed (…/?token=…) or send "
                                "'Authorization: Bearer <token>'");
        return -1;
    }
    if (!token_equal(given, s->token)) {
        *status = MHD_HTTP_FORBIDDEN;
        snprintf(why, why_size, "wrong token");
        *set_cookie = 0;
        return -1;
    }
    return 0;
}
