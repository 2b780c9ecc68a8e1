/*
 * workspace.c — the server's file area and content sniffing (see workspace.h).
 */
#include "server/workspace.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"

static const char *const kinds[][2] = {
    {"jpg", "image"}, {"png", "image"},  {"webp", "image"}, {"bmp", "image"}, {"tiff", "image"},
    {"mp4", "video"}, {"mov", "video"},  {"mkv", "video"},  {"webm", "video"}, {"avi", "video"},
    {"wav", "audio"}, {"mp3", "audio"},  {"flac", "audio"}, {"ogg", "audio"}, {"m4a", "audio"},
};

const char *fu_media_kind_of_ext(const char *ext)
{
    for (size_t i = 0; ext && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i][0], ext) == 0)
            return kinds[i][1];
    return NULL;
}

static int at(const unsigned char *head, size_t size, size_t off, const char *magic, size_t n)
{
    return size >= off + n && memcmp(head + off, magic, n) == 0;
}

static int contains(const unsigned char *head, size_t size, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(head + i, text, n) == 0)
            return 1;
    return 0;
}

static const char *sniff_ext(const unsigned char *h, size_t n)
{
    if (at(h, n, 0, "\xFF\xD8\xFF", 3))
        return "jpg";
    if (at(h, n, 0, "\x89PNG\r\n\x1A\n", 8))
        return "png";
    if (at(h, n, 0, "RIFF", 4) && at(h, n, 8, "WEBP", 4))
        return "webp";
    if (at(h, n, 0, "RIFF", 4) && at(h, n, 8, "AVI ", 4))
        return "avi";
    if (at(h, n, 0, "RIFF", 4) && at(h, n, 8, "WAVE", 4))
        return "wav";
    if (at(h, n, 0, "BM", 2) && n >= 26 && h[14] >= 12 && h[15] == 0 && h[16] == 0)
        return "bmp";
    if (at(h, n, 0, "II*\0", 4) || at(h, n, 0, "MM\0*", 4))
        return "tiff";
    if (at(h, n, 4, "ftyp", 4)) {
        if (at(h, n, 8, "qt  ", 4))
            return "mov";
        if (at(h, n, 8, "M4A ", 4))
            return "m4a";
        return "mp4";
    }
    if (at(h, n, 0, "\x1A\x45\xDF\xA3", 4))
        return contains(h, n, "webm") ? "webm" : "mkv";
    if (at(h, n, 0, "fLaC", 4))
        return "flac";
    if (at(h, n, 0, "OggS", 4))
        return "ogg";
    if (at(h, n, 0, "ID3", 3) || (n >= 2 && h[0] == 0xFF && (h[1] & 0xE6) == 0xE2))
        return "mp3";
    return NULL;
}

const char *fu_media_sniff(const unsigned char *head, size_t size, const char **kind)
{
    const char *ext = sniff_ext(head, size);
    if (kind)
        *kind = ext ? fu_media_kind_of_ext(ext) : NULL;
    return ext;
}

facefuse_status fu_random_hex(char *out, size_t bytes, fu_err *err)
{
    unsigned char raw[64];
    if (bytes > sizeof raw)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "too many random bytes asked for");
    size_t got = 0;
    while (got < bytes) {
        ssize_t n = getrandom(raw + got, bytes - got, 0);
        if (n < 0 && errno != EINTR)
            return fu_fail(err, FACEFUSE_ERR_IO, "no random bytes: %s", strerror(errno));
        if (n > 0)
            got += (size_t)n;
    }
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return FACEFUSE_OK;
}

facefuse_status fu_workspace_open(fu_workspace *w, const char *jobs_path, fu_err *err)
{
    static const char *const dirs[] = {"files", "outputs", "thumbs"};
    char path[PATH_MAX + 32], resolved[PATH_MAX];
    facefuse_status st;
    snprintf(path, sizeof path, "%s/workspace", jobs_path);
    if ((st = fu_mkdirs(path, err)) != FACEFUSE_OK)
        return st;
    chmod(path, 0700);
    if (!realpath(path, resolved))
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot resolve %s: %s", path, strerror(errno));
    snprintf(w->root, sizeof w->root, "%s", resolved);
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", w->root, dirs[i]);
        if ((st = fu_mkdirs(path, err)) != FACEFUSE_OK)
            return st;
        chmod(path, 0700);
    }
    return FACEFUSE_OK;
}

facefuse_status fu_workspace_new_id(const char *ext, char *out, fu_err *err)
{
    char hex[33];
    facefuse_status st = fu_random_hex(hex, 16, err);
    if (st != FACEFUSE_OK)
        return st;
    if (!fu_media_kind_of_ext(ext) && strcmp(ext, "jpg") != 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "no id for a .%s file", ext);
    snprintf(out, FU_WORKSPACE_ID_MAX, "%s.%s", hex, ext);
    return FACEFUSE_OK;
}

int fu_workspace_id_valid(const char *id)
{
    if (!id || strlen(id) < 34 || strlen(id) >= FU_WORKSPACE_ID_MAX)
        return 0;
    for (int i = 0; i < 32; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return 0;
    return id[32] == '.' && fu_media_kind_of_ext(id + 33) != NULL;
}

facefuse_status fu_workspace_path(const fu_workspace *w, const char *dir, const char *id, char *out, size_t size,
                                  fu_err *err)
{
    struct stat st;
    if (!fu_workspace_id_valid(id))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "'%.60s' is not a file id", id ? id : "");
    snprintf(out, size, "%s/%s/%s", w->root, dir, id);
    if (stat(out, &st) != 0 || !S_ISREG(st.st_mode))
        return fu_fail(err, FACEFUSE_ERR_NOT_FOUND, "no file %s", id);
    return FACEFUSE_OK;
}

int fu_workspace_owns_output(const fu_workspace *w, const char *path)
{
    char resolved[PATH_MAX], outputs[PATH_MAX + 16];
    if (!path || !realpath(path, resolved))
        return 0;
    snprintf(outputs, sizeof outputs, "%s/outputs/", w->root);
    return strncmp(resolved, outputs, strlen(outputs)) == 0 && !strchr(resolved + strlen(outputs), '/');
}

/* Removes the files of dir/ whose name starts with prefix (all when "")
 * and that are older than max_age_s. */
static void remove_old(const fu_workspace *w, const char *sub, const char *prefix, int max_age_s)
{
    char dir[PATH_MAX + 16], path[PATH_MAX + 300];
    struct dirent *e;
    struct stat st;
    time_t now = time(NULL);
    snprintf(dir, sizeof dir, "%s/%s", w->root, sub);
    DIR *d = opendir(dir);
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime >= max_age_s)
            unlink(path);
    }
    closedir(d);
}

void fu_workspace_clean(const fu_workspace *w, int thumb_age_s)
{
    remove_old(w, "thumbs", "", thumb_age_s);
    remove_old(w, "files", ".upload-", 600); /* uploads cut short by a stopped server */
}
