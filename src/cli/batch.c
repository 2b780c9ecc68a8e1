/*
 * batch.c — expansion of batch-run patterns (see batch.h).
 */
#include "cli/batch.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"

/* Expands pattern; sorted, regular files only. */
static facefuse_status expand(const char *what, const char *pattern, glob_t *g, fu_err *err)
{
    memset(g, 0, sizeof *g);
    int rc = glob(pattern, 0, NULL, g);
    if (rc == GLOB_NOMATCH || (rc == 0 && g->gl_pathc == 0))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "%s pattern %s matches no file", what, pattern);
    if (rc != 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot expand %s pattern %s", what, pattern);
    return FACEFUSE_OK;
}

/* Appends src to dst (bounded). */
static int append(char *dst, size_t size, size_t *len, const char *src)
{
    size_t n = strlen(src);
    if (*len + n + 1 > size)
        return 0;
    memcpy(dst + *len, src, n + 1);
    *len += n;
    return 1;
}

static facefuse_status format_output(const char *pattern, int index, const char *source, const char *target,
                                     char *out, size_t size, fu_err *err)
{
    char source_name[PATH_MAX] = "", target_name[PATH_MAX], ext[64], dotted[72], number[32];
    size_t len = 0;

    if (source[0])
        fu_path_stem(source, source_name, sizeof source_name);
    fu_path_stem(target, target_name, sizeof target_name);
    fu_path_extension(target, ext, sizeof ext);
    snprintf(dotted, sizeof dotted, ".%s", ext);
    snprintf(number, sizeof number, "%d", index);
    out[0] = '\0';
    for (const char *p = pattern; *p;) {
        const char *value = NULL;
        size_t skip = 0;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t n = close ? (size_t)(close - p - 1) : 0;
            if (!close)
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unclosed placeholder in output pattern %s", pattern);
            if (n == 5 && strncmp(p + 1, "index", 5) == 0)
                value = number;
            else if (n == 11 && strncmp(p + 1, "source_name", 11) == 0 && source[0])
                value = source_name;
            else if (n == 11 && strncmp(p + 1, "target_name", 11) == 0)
                value = target_name;
            else if (n == 16 && strncmp(p + 1, "target_extension", 16) == 0)
                value = p > pattern && p[-1] == '.' ? ext : dotted;
            else
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown placeholder {%.*s} in output pattern %s",
                               (int)n, p + 1, pattern);
            skip = n + 2;
        }
        if (value) {
            if (!append(out, size, &len, value))
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "output path too long for %s", pattern);
            p += skip;
        } else {
            char c[2] = {*p, '\0'};
            if (!append(out, size, &len, c))
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "output path too long for %s", pattern);
            p++;
        }
    }
    return FACEFUSE_OK;
}

facefuse_status fu_batch_expand(const char *source_pattern, const char *target_pattern,
                                const char *output_pattern, fu_batch_item **items, int *count, fu_err *err)
{
    glob_t sources = {0}, targets = {0};
    facefuse_status rc;
    size_t n_sources = 1;

    *items = NULL;
    *count = 0;
    if (!target_pattern || !output_pattern)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "batch-run needs -t TARGET_PATTERN and -o OUTPUT_PATTERN");
    if (source_pattern) {
        if ((rc = expand("source", source_pattern, &sources, err)) != FACEFUSE_OK)
            return rc;
        n_sources = sources.gl_pathc;
    }
    if ((rc = expand("target", target_pattern, &targets, err)) != FACEFUSE_OK) {
        globfree(&sources);
        return rc;
    }
    size_t total = n_sources * targets.gl_pathc;
    fu_batch_item *list = calloc(total, sizeof *list);
    if (!list) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for %zu batch items", total);
        goto done;
    }
    int index = 0;
    for (size_t s = 0; s < n_sources && rc == FACEFUSE_OK; s++) {
        for (size_t t = 0; t < targets.gl_pathc && rc == FACEFUSE_OK; t++, index++) {
            fu_batch_item *it = &list[index];
            snprintf(it->source, sizeof it->source, "%s", source_pattern ? sources.gl_pathv[s] : "");
            snprintf(it->target, sizeof it->target, "%s", targets.gl_pathv[t]);
            rc = format_output(output_pattern, index, it->source, it->target, it->output, sizeof it->output, err);
        }
    }
    if (rc == FACEFUSE_OK) {
        *items = list;
        *count = index;
        list = NULL;
    }
done:
    free(list);
    if (source_pattern)
        globfree(&sources);
    globfree(&targets);
    return rc;
}
