/*
 * download.c — one URL into one file with libcurl, and a terminal progress bar.
 *
 * The transfer itself is deliberately plain: no retries, short connection
 * timeouts, a stall limit, resume by byte range. Policy (which URLs, what to
 * verify, when to give up) belongs to the caller, see registry.c.
 */
#include "infer/download.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"

#define PROGRESS_INTERVAL_NS 100000000LL /* at most ten reports a second */
#define CONNECT_TIMEOUT_S 10L
#define STALL_LIMIT_BYTES_PER_S 1L
#define STALL_TIME_S 30L
#define BAR_WIDTH 20

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_status = CURLE_FAILED_INIT;

static void init_curl(void)
{
    curl_init_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* State shared with libcurl's callbacks during one transfer. */
typedef struct transfer {
    CURL *curl;
    FILE *fp;
    int write_errno;          /* errno of a failed fwrite, 0 if none */
    const char *label;
    fu_progress_fn progress;
    void *ud;
    volatile int *cancel;
    int64_t max_bytes;        /* the file's size may not pass this */
    int64_t offset;           /* bytes already in the file before this transfer */
    int64_t written;          /* bytes written by this transfer */
    int64_t last_report_ns;
    int64_t announced;        /* offset + Content-Length, -1 when unknown */
    int too_large;            /* stopped: more bytes than announced or allowed */
    int cancelled;            /* stopped by *cancel */
} transfer;

/* The size the file will have by the server's word, -1 when it gave none. */
static int64_t announced_size(transfer *t)
{
    curl_off_t length = -1;
    if (t->announced < 0 && curl_easy_getinfo(t->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
        length >= 0)
        t->announced = t->offset + (int64_t)length;
    return t->announced;
}

static size_t write_cb(char *data, size_t size, size_t count, void *userp)
{
    transfer *t = userp;
    size_t bytes = size * count;
    int64_t limit = announced_size(t);

    if (limit < 0 || limit > t->max_bytes)
        limit = t->max_bytes;
    if (t->offset + t->written + (int64_t)bytes > limit) {
        t->too_large = 1;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    size_t put = fwrite(data, 1, bytes, t->fp);

    if (put != bytes)
        t->write_errno = errno ? errno : EIO;
    t->written += (int64_t)put;
    return put;
}

static int xferinfo_cb(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    transfer *t = userp;
    int64_t now;

    if (t->cancel && *t->cancel) {
        t->cancelled = 1;
        return 1; /* curl stops with CURLE_ABORTED_BY_CALLBACK */
    }
    if (!t->progress)
        return 0;
    now = now_ns();
    if (now - t->last_report_ns < PROGRESS_INTERVAL_NS)
        return 0;
    t->last_report_ns = now;
    t->progress(t->label, t->offset + (int64_t)dlnow,
                dltotal > 0 ? t->offset + (int64_t)dltotal : -1, t->ud);
    return 0;
}

static void set_options(CURL *curl, const char *url, transfer *t, char *errbuf)
{
    static char user_agent[64];

    snprintf(user_agent, sizeof user_agent, "facefuse/%d.%d.%d", FACEFUSE_VERSION_MAJOR,
             FACEFUSE_VERSION_MINOR, FACEFUSE_VERSION_PATCH);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, t);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, STALL_LIMIT_BYTES_PER_S);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, STALL_TIME_S);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    if (t->offset > 0)
        curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)t->offset);
}

/* Opens the partial file for appending (resume) or from scratch; sets
 * t->offset to the bytes already there. */
static facefuse_status open_part(const char *part_path, int resume, transfer *t, fu_err *err)
{
    t->fp = fopen(part_path, resume ? "ab" : "wb");
    if (!t->fp)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s for writing: %s", part_path,
                       strerror(errno));
    if (fseeko(t->fp, 0, SEEK_END) != 0) {
        fclose(t->fp);
        t->fp = NULL;
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot seek in %s: %s", part_path, strerror(errno));
    }
    t->offset = (int64_t)ftello(t->fp);
    return FACEFUSE_OK;
}

static int is_resume_refusal(CURLcode rc, long http_code)
{
    return rc == CURLE_RANGE_ERROR || rc == CURLE_BAD_DOWNLOAD_RESUME ||
           (rc == CURLE_HTTP_RETURNED_ERROR && http_code == 416);
}

/* The transfer's outcome; the partial file is removed on a cancel and when
 * the server sent more than it may. */
static facefuse_status finish_transfer(const char *url, const char *part_path, transfer *t, CURLcode rc,
                                       long http_code, int close_errno, const char *errbuf,
                                       int *resume_refused, fu_err *err)
{
    if (t->cancelled) {
        unlink(part_path);
        return fu_fail(err, FACEFUSE_ERR_CANCELLED, "download of %s stopped; removed %s", url, part_path);
    }
    if (t->too_large) {
        unlink(part_path);
        if (t->announced >= 0 && t->announced <= t->max_bytes)
            return fu_fail(err, FACEFUSE_ERR_DOWNLOAD,
                           "cannot download %s: the server sent more than the %lld bytes it announced", url,
                           (long long)t->announced);
        return fu_fail(err, FACEFUSE_ERR_DOWNLOAD, "cannot download %s: larger than the %lld bytes allowed", url,
                       (long long)t->max_bytes);
    }
    if (t->write_errno)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s: %s", part_path, strerror(t->write_errno));
    if (rc != CURLE_OK) {
        if (resume_refused && t->offset > 0 && is_resume_refusal(rc, http_code))
            *resume_refused = 1;
        return fu_fail(err, FACEFUSE_ERR_DOWNLOAD, "cannot download %s: %s", url,
                       errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    if (close_errno)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot write %s: %s", part_path, strerror(close_errno));
    return FACEFUSE_OK;
}

facefuse_status fu_download_append(const char *url, const char *part_path, int resume,
                                   const fu_transfer_opts *opts, int *resume_refused, fu_err *err)
{
    static const fu_transfer_opts none = {0};
    transfer t = {0};
    char errbuf[CURL_ERROR_SIZE] = "";
    CURL *curl;
    CURLcode rc;
    long http_code = 0;
    int close_errno = 0;
    facefuse_status st;

    if (!opts)
        opts = &none;
    t.label = opts->label ? opts->label : part_path;
    t.progress = opts->progress;
    t.ud = opts->ud;
    t.cancel = opts->cancel;
    t.max_bytes = opts->max_bytes > 0 ? opts->max_bytes : FU_DOWNLOAD_MAX_BYTES;
    t.announced = -1;
    if (resume_refused)
        *resume_refused = 0;
    if (t.cancel && *t.cancel)
        return fu_fail(err, FACEFUSE_ERR_CANCELLED, "download of %s stopped before it began", url);
    pthread_once(&curl_once, init_curl);
    if (curl_init_status != CURLE_OK)
        return fu_fail(err, FACEFUSE_ERR_DOWNLOAD, "cannot download %s: libcurl failed to start: %s",
                       url, curl_easy_strerror(curl_init_status));
    st = open_part(part_path, resume, &t, err);
    if (st != FACEFUSE_OK)
        return st;
    curl = curl_easy_init();
    if (!curl) {
        fclose(t.fp);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "cannot download %s: curl_easy_init failed", url);
    }
    t.curl = curl;
    int slot = fu_partial_track(part_path);
    set_options(curl, url, &t, errbuf);
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_code);
    announced_size(&t);
    curl_easy_cleanup(curl);
    if (fclose(t.fp) != 0)
        close_errno = errno ? errno : EIO;
    st = finish_transfer(url, part_path, &t, rc, http_code, close_errno, errbuf, resume_refused, err);
    fu_partial_untrack(slot);
    if (st == FACEFUSE_OK && t.progress)
        t.progress(t.label, t.offset + t.written, t.offset + t.written, t.ud);
    return st;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

facefuse_status fu_download_file(const char *url, const char *dest_path, fu_progress_fn progress,
                                 void *ud, fu_err *err)
{
    char part[PATH_MAX];
    struct stat sb;
    int resume, refused = 0;
    facefuse_status st;

    if (snprintf(part, sizeof part, "%s.download", dest_path) >= (int)sizeof part)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "path too long: %s", dest_path);
    fu_transfer_opts opts = {base_name(dest_path), progress, ud, 0, NULL};
    resume = stat(part, &sb) == 0 && sb.st_size > 0;
    st = fu_download_append(url, part, resume, &opts, &refused, err);
    if (st != FACEFUSE_OK && refused)
        st = fu_download_append(url, part, 0, &opts, NULL, err);
    if (st != FACEFUSE_OK)
        return st;
    if (rename(part, dest_path) != 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot rename %s to %s: %s", part, dest_path,
                       strerror(errno));
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- progress bar */

static pthread_mutex_t bar_lock = PTHREAD_MUTEX_INITIALIZER;
static char bar_file[256];
static int64_t bar_start_ns, bar_start_done, bar_last_done;

void fu_progress_bar(const char *file, int64_t done, int64_t total, void *ud)
{
    static const char hashes[BAR_WIDTH + 1] = "####################";
    const double mb = 1e6;
    double elapsed_s, speed;
    int64_t now;

    if (!isatty(STDERR_FILENO))
        return;
    pthread_mutex_lock(&bar_lock);
    now = now_ns();
    if (strcmp(bar_file, file) != 0 || done < bar_last_done) {
        snprintf(bar_file, sizeof bar_file, "%s", file);
        bar_start_ns = now;
        bar_start_done = done;
    }
    bar_last_done = done;
    elapsed_s = (double)(now - bar_start_ns) / 1e9;
    speed = elapsed_s > 0 ? (double)(done - bar_start_done) / elapsed_s : 0.0;
    if (total > 0) {
        int64_t shown = done < total ? done : total;
        int filled = (int)(shown * BAR_WIDTH / total);
        int percent = (int)(shown * 100 / total);
        fprintf(stderr, "\r%s [%.*s%*s] %3d%% %.1f/%.1f MB %.1f MB/s\033[K", file, filled, hashes,
                BAR_WIDTH - filled, "", percent, (double)done / mb, (double)total / mb, speed / mb);
    } else {
        fprintf(stderr, "\r%s %.1f MB %.1f MB/s\033[K", file, (double)done / mb, speed / mb);
    }
    if (total > 0 && done >= total) {
        fputc('\n', stderr);
        bar_file[0] = '\0';
        bar_last_done = 0;
    }
    fflush(stderr);
    pthread_mutex_unlock(&bar_lock);
}
