/*
 * provenance.c — the provenance tag of an output (see provenance.h).
 * Names are JSON-escaped; the tag is compact (no spaces) so readers can
 * also find it by the prefix {"generator":"facefuse".
 */
#include "pipeline/provenance.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"

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

static int has_processor(const fu_run_config *cfg, const char *name)
{
    for (int i = 0; i < cfg->processor_count; i++)
        if (!strcmp(cfg->processors[i], name))
            return 1;
    return 0;
}

void fu_provenance_from_config(const fu_run_config *cfg, fu_provenance *p)
{
    int faces = 0;
    for (int i = 0; i < cfg->processor_count; i++) {
        fu_provenance_add_processor(p, cfg->processors[i]);
        faces |= strcmp(cfg->processors[i], "frame_enhancer") != 0;
    }
    if (faces) {
        fu_provenance_add_model(p, cfg->analysis.detector_model);
        if (cfg->analysis.landmarker_score > 0)
            fu_provenance_add_model(p, cfg->analysis.landmarker_model);
    }
    if (has_processor(cfg, "face_swapper")) {
        fu_provenance_add_model(p, cfg->analysis.recognizer_model ? cfg->analysis.recognizer_model
                                                                 : "arcface_w600k_r50");
        fu_provenance_add_model(p, cfg->swapper_model);
    }
    if (has_processor(cfg, "face_enhancer"))
        fu_provenance_add_model(p, cfg->face_enhancer_model);
    if (has_processor(cfg, "frame_enhancer"))
        fu_provenance_add_model(p, cfg->frame_enhancer_model);
    for (int i = 0; i < cfg->mask_type_count; i++) {
        if (!strcmp(cfg->mask_types[i], "occlusion"))
            fu_provenance_add_model(p, cfg->occluder_model ? cfg->occluder_model : "xseg_1");
        if (!strcmp(cfg->mask_types[i], "region"))
            fu_provenance_add_model(p, cfg->parser_model ? cfg->parser_model : "bisenet_resnet_34");
    }
}
