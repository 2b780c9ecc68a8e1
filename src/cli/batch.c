/*
 * batch.c — expansion of batch-run patterns (see batch.h).
 */
#include "cli/batch.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* The output path with its directory resolved ("out/./a.png" and
 * "./out/a.png" are one file); the path itself when the directory does not
 * resolve. */
static void canonical_output(const char *path, char *out, size_t size)
{
    char dir[PATH_MAX], real[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path > 0 ? slash - path : 1), path);
    else
        snprintf(dir, sizeof dir, ".");
    if (realpath(dir, real))
        snprintf(out, size, "%s/%s", real, name);
    else
        snprintf(out, size, "%s", path);
}

typedef struct named_output {
    char path[PATH_MAX];
    int item;
} named_output;

static int by_path(const void *a, const void *b)
{
    const named_output *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : x->item - y->item;
}

/* An existing file by identity: an output (input = 0) or an input of an item. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
    int item;
    int input;
    const char *path;
} file_id;

static int by_id(const void *a, const void *b)
{
    const file_id *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    return x->input - y->input; /* outputs first */
}

static int add_id(file_id *ids, int n, const char *path, int item, int input)
{
    struct stat st;
    if (!path || !path[0] || stat(path, &st) != 0)
        return n;
    ids[n].dev = st.st_dev;
    ids[n].ino = st.st_ino;
    ids[n].item = item;
    ids[n].input = input;
    ids[n].path = path;
    return n + 1;
}

static facefuse_status check_distinct_outputs(const fu_batch_item *items, int count, fu_err *err)
{
    named_output *outs = calloc((size_t)count, sizeof *outs);
    facefuse_status rc = FACEFUSE_OK;
    if (!outs)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory checking %d batch items", count);
    for (int i = 0; i < count; i++) {
        canonical_output(items[i].output, outs[i].path, sizeof outs[i].path);
        outs[i].item = i;
    }
    qsort(outs, (size_t)count, sizeof *outs, by_path); /* equal outputs become neighbours */
    for (int i = 1; i < count && rc == FACEFUSE_OK; i++) {
        if (strcmp(outs[i - 1].path, outs[i].path) != 0)
            continue;
        int a = outs[i - 1].item, b = outs[i].item;
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                     "batch-run: items %d (%s) and %d (%s) would both write %s; refusing before any work "
                     "(use {index}, {source_name} or {target_name} in the output pattern)",
                     a + 1, items[a].target, b + 1, items[b].target, items[a].output);
    }
    free(outs);
    return rc;
}

static facefuse_status check_outputs_are_not_inputs(const fu_batch_item *items, int count, fu_err *err)
{
    file_id *ids = calloc((size_t)count * 3, sizeof *ids);
    facefuse_status rc = FACEFUSE_OK;
    int n = 0;
    if (!ids)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory checking %d batch items", count);
    for (int i = 0; i < count; i++) {
        n = add_id(ids, n, items[i].output, i, 0);
        n = add_id(ids, n, items[i].target, i, 1);
        n = add_id(ids, n, items[i].source, i, 1);
    }
    qsort(ids, (size_t)n, sizeof *ids, by_id); /* an output precedes the inputs that are the same file */
    for (int i = 0; i + 1 < n && rc == FACEFUSE_OK; i++) {
        const file_id *o = &ids[i], *in = &ids[i + 1];
        if (o->input || !in->input || o->dev != in->dev || o->ino != in->ino)
            continue;
        rc = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                     "batch-run: item %d would write %s over the input %s; refusing before any work", o->item + 1,
                     o->path, in->path);
    }
    free(ids);
    return rc;
}

facefuse_status fu_batch_check(const fu_batch_item *items, int count, fu_err *err)
{
    if (count <= 0)
        return FACEFUSE_OK;
    facefuse_status rc = check_distinct_outputs(items, count, err);
    return rc == FACEFUSE_OK ? check_outputs_are_not_inputs(items, count, err) : rc;
}
