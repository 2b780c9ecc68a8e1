/*
 * provenance.c — the provenance tag of an output (see provenance.h).
 * Names are JSON-escaped; the tag is compact (no spaces) so readers can
 * also find it by the prefix {"generator":"facefuse".
 */
#include "pipeline/provenance.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "pipeline/config.h"
#include "processors/processor.h"

static const fu_option provenance_options[] = {
    {.name = "--output-provenance", .section = "output_creation", .type = FU_OPT_STRING, .def = "tag",
     .choices = "tag none", .offset = offsetof(fu_provenance_settings, mode),
     .help = "tag every output with where it came from (facefuse, its version, processors, models): container "
             "metadata, PNG iTXt, JPEG/WebP XMP; none leaves it out"},
    {0}};

const fu_option_group fu_provenance_options = {"output_provenance", "output provenance", provenance_options,
                                               sizeof(fu_provenance_settings), NULL};

void fu_provenance_init(fu_provenance *p)
{
    memset(p, 0, sizeof *p);
}

static void add_unique(const char **list, int *count, const char *name)
{
    if (!name || !*name || *count >= FU_PROVENANCE_MAX)
        return;
    for (int i = 0; i < *count; i++)
        if (!strcmp(list[i], name))
            return;
    list[(*count)++] = name;
}

void fu_provenance_add_processor(fu_provenance *p, const char *name)
{
    add_unique(p->processors, &p->processor_count, name);
}

void fu_provenance_add_model(fu_provenance *p, const char *name)
{
    add_unique(p->models, &p->model_count, name);
}

/* Appends s JSON-escaped; returns the new length (capped). */
static size_t append_escaped(char *buf, size_t size, size_t len, const char *s)
{
    for (; *s && len + 7 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            len += (size_t)snprintf(buf + len, size - len, "\\%c", c);
        else if (c < 0x20)
            len += (size_t)snprintf(buf + len, size - len, "\\u%04x", c);
        else
            buf[len++] = (char)c;
    }
    buf[len < size ? len : size - 1] = '\0';
    return len;
}

static size_t append(char *buf, size_t size, size_t len, const char *s)
{
    int n = snprintf(buf + len, size - len, "%s", s);
    return n > 0 && len + (size_t)n < size ? len + (size_t)n : size - 1;
}

static size_t append_list(char *buf, size_t size, size_t len, const char *key, const char *const *items, int n)
{
    len = append(buf, size, len, ",\"");
    len = append(buf, size, len, key);
    len = append(buf, size, len, "\":[");
    for (int i = 0; i < n; i++) {
        len = append(buf, size, len, i ? ",\"" : "\"");
        len = append_escaped(buf, size, len, items[i]);
        len = append(buf, size, len, "\"");
    }
    return append(buf, size, len, "]");
}

const char *fu_provenance_tag(const fu_provenance *p, const char *mode, char *buf, size_t size)
{
    static int told;
    if (mode && !strcmp(mode, "none")) {
        if (!__atomic_exchange_n(&told, 1, __ATOMIC_SEQ_CST))
            fu_info("output provenance tag off (--output-provenance none): outputs do not say they were made "
                    "with facefuse");
        return NULL;
    }
    if (!buf || size < 128)
        return NULL;
    size_t len = 0;
    len = append(buf, size, len, "{\"generator\":\"facefuse\",\"version\":\"");
    len = append_escaped(buf, size, len, facefuse_version());
    len = append(buf, size, len, "\"");
    len = append_list(buf, size, len, "processors", p->processors, p->processor_count);
    len = append_list(buf, size, len, "models", p->models, p->model_count);
    len = append(buf, size, len, ",\"digital_source_type\":\"compositeWithTrainedAlgorithmicMedia\"");
    if (p->watermark_visible || p->watermark_invisible)
        len = append(buf, size, len, p->watermark_visible && p->watermark_invisible ? ",\"watermark\":\"visible+invisible\""
                                     : p->watermark_visible ? ",\"watermark\":\"visible\""
                                                            : ",\"watermark\":\"invisible\"");
    append(buf, size, len, "}");
    return buf;
}

/* Each "--…-model" option of a processor's table, read from its settings. */
static void add_processor_models(const fu_run_config *cfg, const fu_processor *proc, fu_provenance *p)
{
    const void *settings = fu_run_config_processor_settings(cfg, proc->name);
    if (!settings || !proc->options)
        return;
    for (const fu_option *o = proc->options->options; o->name; o++) {
        size_t len = strlen(o->name);
        if (o->type == FU_OPT_STRING && o->offset != FU_OPT_NONE && len > 6 && !strcmp(o->name + len - 6, "-model"))
            fu_provenance_add_model(p, *(const char *const *)((const char *)settings + o->offset));
    }
}

static int has_word(fu_strs list, const char *word)
{
    for (int i = 0; i < list.n; i++)
        if (!strcmp(list.v[i], word))
            return 1;
    return 0;
}

void fu_provenance_from_config(const fu_run_config *cfg, fu_provenance *p)
{
    unsigned needs = 0;
    for (int i = 0; i < cfg->processors.n; i++) {
        const fu_processor *proc = fu_processor_find(cfg->processors.v[i]);
        fu_provenance_add_processor(p, cfg->processors.v[i]);
        if (!proc)
            continue;
        needs |= proc->needs;
        add_processor_models(cfg, proc, p);
    }
    if (needs & (FU_NEEDS_FACES | FU_NEEDS_IDENTITY | FU_NEEDS_AGE)) {
        fu_provenance_add_model(p, cfg->analysis.detector_model);
        if (cfg->analysis.landmarker_score > 0)
            fu_provenance_add_model(p, cfg->analysis.landmarker_model);
    }
    if (needs & FU_NEEDS_IDENTITY)
        fu_provenance_add_model(p, cfg->analysis.recognizer_model ? cfg->analysis.recognizer_model
                                                                 : "arcface_w600k_r50");
    if (has_word(cfg->masker.types, "occlusion"))
        fu_provenance_add_model(p, cfg->masker.occluder_model);
    if (has_word(cfg->masker.types, "region"))
        fu_provenance_add_model(p, cfg->masker.parser_model);
    p->watermark_visible = cfg->watermark.text && cfg->watermark.text[0];
    p->watermark_invisible = cfg->watermark.invisible;
}
