/*
 * clitest.h — helpers for tests that run the facefuse program.
 */
#ifndef FU_CLITEST_H
#define FU_CLITEST_H

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

/* Number of lines of s that contain "error:". */
static inline int error_lines(const char *s)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, "error:")); p++)
        n++;
    return n;
}

/* 1 if dir holds a file whose name contains part. */
static inline int dir_has(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)))
        found |= strstr(e->d_name, part) != NULL;
    closedir(d);
    return found;
}

static inline int path_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static inline void copy_file(const char *from, const char *to)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp -L '%s' '%s'", from, to);
    if (system(cmd) != 0)
        fprintf(stderr, "copy %s failed\n", from);
}

static inline void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A hard link to `from` at `to`; 1 on success. */
static inline int link_file(const char *from, const char *to)
{
    return link(from, to) == 0;
}

/* A checksum of the file's bytes (FNV-1a), 0 when it cannot be read: to
 * prove an input came out of a run unchanged. */
static inline uint64_t file_checksum(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint64_t h = 1469598103934665603ULL;
    int c;
    if (!f)
        return 0;
    while ((c = getc(f)) != EOF)
        h = (h ^ (uint64_t)c) * 1099511628211ULL;
    fclose(f);
    return h;
}

/* LeakSanitizer's "Suppressions used" table goes to stderr after the
 * program's own lines: tests that count lines turn it off. */
static inline void quiet_leak_report(void)
{
    char opts[4096];
    const char *old = getenv("LSAN_OPTIONS");
    snprintf(opts, sizeof opts, "%s%sprint_suppressions=0", old ? old : "", old && *old ? ":" : "");
    setenv("LSAN_OPTIONS", opts, 1);
}

/* Lines of s (a last line without '\n' counts). */
static inline int line_count(const char *s)
{
    int n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '\n' || (!p[1]);
    return n;
}

#endif
