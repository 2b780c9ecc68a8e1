/*
 * clitest.h — helpers for tests that run the facefuse program.
 */
#ifndef FU_CLITEST_H
#define FU_CLITEST_H

#include <dirent.h>
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

#endif
