/*
 * fuzz_batch_patterns.c — batch-run patterns: the input is split at '\n'
 * into a source pattern, a target pattern (both globbed inside a scratch
 * directory holding a few files: '/' is dropped so the glob stays there) and
 * an output pattern with FaceFusion's placeholders, then the items are
 * checked for clashes. Must never crash, overflow a path or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/batch.h"

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *files[] = {"a.jpg", "b.png", "c d.webp", "{index}.jpg", "x.y.z", NULL};
    (void)argc, (void)argv;
    snprintf(dir, sizeof dir, "/tmp/facefuse-fuzz-batch-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    for (int i = 0; files[i]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "w");
        if (f)
            fclose(f);
    }
    return 0;
}

/* Field k of the input (fields end at '\n'), '/' dropped when `contained`. */
static void field(const uint8_t *data, size_t size, int k, int contained, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    for (int f = 0; f < k && i < size; i++)
        f += data[i] == '\n';
    for (; i < size && data[i] != '\n' && o + 1 < cap; i++)
        if (data[i] && !(contained && data[i] == '/'))
            out[o++] = (char)data[i];
    out[o] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char src[300], tgt[300], out[4200], src_pattern[400], tgt_pattern[400];
    fu_batch_item *items = NULL;
    int n = 0;
    fu_err err;

    field(data, size, 0, 1, src, sizeof src);
    field(data, size, 1, 1, tgt, sizeof tgt);
    field(data, size, 2, 0, out, sizeof out);
    snprintf(src_pattern, sizeof src_pattern, "%s/%s", dir, src);
    snprintf(tgt_pattern, sizeof tgt_pattern, "%s/%s", dir, tgt);
    if (fu_batch_expand(src[0] ? src_pattern : NULL, tgt_pattern, out, &items, &n, &err) == FACEFUSE_OK) {
        fu_batch_check(items, n, &err);
        free(items);
    }
    return 0;
}
