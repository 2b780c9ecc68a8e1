/*
 * provenance_tag.c — the provenance tag inside PNG, JPEG and WebP bytes and
 * video containers (see provenance_tag.h). The image formats are walked
 * chunk by chunk (segment by segment for JPEG) with bounds checked at every
 * step, so a malformed file gives "no tag", never a read past the end.
 */
#include "media/provenance_tag.h"

#include <errno.h>
#include <libavformat/avformat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "media/av_log.h"

#define TAG_PREFIX "{\"generator\":\"facefuse\""
#define XMP_NS_JPEG "http://ns.adobe.com/xap/1.0/"
#define XMP_KEYWORD_PNG "XML:com.adobe.xmp"
#define XMP_ATTR "facefuse:Provenance=\""

/* ------------------------------------------------------------ byte buffers */

typedef struct bytes {
    uint8_t *data;
    size_t len, cap;
    int failed;
} bytes;

static void put(bytes *b, const void *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2 + 256;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_str(bytes *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_be16(bytes *b, unsigned v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 2);
}

static void put_be32(bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 4);
}

static void put_le32(bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* ------------------------------------------------------------ XMP */

static void put_xml_escaped(bytes *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': put_str(b, "&amp;"); break;
        case '"': put_str(b, "&quot;"); break;
        case '<': put_str(b, "&lt;"); break;
        case '>': put_str(b, "&gt;"); break;
        default: put(b, s, 1);
        }
    }
}

static void put_xmp(bytes *b, const char *tag)
{
    put_str(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
               "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
               " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
               "  <rdf:Description rdf:about=\"\"\n"
               "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
               "    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"\n"
               "    xmlns:facefuse=\"urn:facefuse:provenance:1\"\n"
               "    xmp:CreatorTool=\"facefuse\"\n"
               "    Iptc4xmpExt:DigitalSourceType=\"http://cv.iptc.org/newscodes/digitalsourcetype/"
               "compositeWithTrainedAlgorithmicMedia\"\n"
               "    " XMP_ATTR);
    put_xml_escaped(b, tag);
    put_str(b, "\"/>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
}

/* The facefuse:Provenance value of an XMP packet, unescaped (malloc'd). */
static char *tag_from_xmp(const uint8_t *x, size_t n)
{
    size_t alen = strlen(XMP_ATTR), i = 0;
    while (i + alen <= n && memcmp(x + i, XMP_ATTR, alen))
        i++;
    if (i + alen > n)
        return NULL;
    i += alen;
    char *out = malloc(n - i + 1);
    size_t len = 0;
    if (!out)
        return NULL;
    while (i < n && x[i] != '"') {
        static const struct { const char *entity; char c; } ents[] = {
            {"&amp;", '&'}, {"&quot;", '"'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&apos;", '\''}};
        int matched = 0;
        for (size_t e = 0; x[i] == '&' && e < sizeof ents / sizeof ents[0]; e++) {
            size_t el = strlen(ents[e].entity);
            if (i + el <= n && !memcmp(x + i, ents[e].entity, el)) {
                out[len++] = ents[e].c;
                i += el;
                matched = 1;
                break;
            }
        }
        if (!matched)
            out[len++] = (char)x[i++];
    }
    out[len] = '\0';
    if (i >= n || strncmp(out, TAG_PREFIX, strlen(TAG_PREFIX))) {
        free(out);
        return NULL;
    }
    return out;
}

static char *tag_from_text(const uint8_t *p, size_t n)
{
    size_t plen = strlen(TAG_PREFIX);
    if (n < plen || memcmp(p, TAG_PREFIX, plen))
        return NULL;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* ------------------------------------------------------------ JPEG */

static int is_jpeg(const uint8_t *d, size_t n)
{
    return n >= 4 && d[0] == 0xFF && d[1] == 0xD8;
}

static facefuse_status tag_jpeg(const uint8_t *in, size_t n, const char *tag, bytes *out, fu_err *err)
{
    size_t pos = 2;
    /* JFIF (APP0) must stay first */
    if (n >= 6 && in[2] == 0xFF && in[3] == 0xE0)
        pos = 4 + ((size_t)in[4] << 8 | in[5]);
    if (pos > n)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "malformed JPEG header");
    bytes xmp = {0};
    put(&xmp, XMP_NS_JPEG, sizeof XMP_NS_JPEG); /* with its NUL */
    put_xmp(&xmp, tag);
    size_t tlen = strlen(tag);
    if (xmp.failed || xmp.len + 2 > 65535 || tlen + 2 > 65535) {
        free(xmp.data);
        return fu_fail(err, xmp.failed ? FACEFUSE_ERR_NO_MEMORY : FACEFUSE_ERR_INVALID_ARGUMENT,
                       "provenance tag too long for a JPEG segment");
    }
    put(out, in, pos);
    put_be16(out, 0xFFE1);
    put_be16(out, (unsigned)(xmp.len + 2));
    put(out, xmp.data, xmp.len);
    put_be16(out, 0xFFFE);
    put_be16(out, (unsigned)(tlen + 2));
    put(out, tag, tlen);
    put(out, in + pos, n - pos);
    free(xmp.data);
    return FACEFUSE_OK;
}

static char *find_jpeg(const uint8_t *d, size_t n)
{
    size_t i = 2;
    char *xmp_tag = NULL;
    while (i + 4 <= n && d[i] == 0xFF) {
        uint8_t m = d[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD9 || m == 0xDA)
            break;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
        if (len < 2 || i + 2 + len > n)
            break;
        const uint8_t *p = d + i + 4;
        size_t plen = len - 2;
        if (m == 0xFE) {
            char *t = tag_from_text(p, plen);
            if (t) {
                free(xmp_tag);
                return t;
            }
        } else if (m == 0xE1 && !xmp_tag && plen > sizeof XMP_NS_JPEG &&
                   !memcmp(p, XMP_NS_JPEG, sizeof XMP_NS_JPEG)) {
            xmp_tag = tag_from_xmp(p + sizeof XMP_NS_JPEG, plen - sizeof XMP_NS_JPEG);
        }
        i += 2 + len;
    }
    return xmp_tag;
}

/* ------------------------------------------------------------ PNG */

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

static int is_png(const uint8_t *d, size_t n)
{
    return n >= 8 + 25 && !memcmp(d, png_sig, 8);
}

static facefuse_status tag_png(const uint8_t *in, size_t n, const char *tag, bytes *out, fu_err *err)
{
    size_t ihdr_end = 8 + 12 + (size_t)be32(in + 8);
    if (memcmp(in + 12, "IHDR", 4) || ihdr_end > n)
        return fu_fail(err, FACEFUSE_ERR_DECODE, "malformed PNG header");
    bytes chunk = {0};
    put_str(&chunk, "iTXt" XMP_KEYWORD_PNG);
    put(&chunk, "\0\0\0\0\0", 5); /* keyword end, no compression, method, no language, no translation */
    put_xmp(&chunk, tag);
    if (chunk.failed) {
        free(chunk.data);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory tagging a PNG");
    }
    put(out, in, ihdr_end);
    put_be32(out, (uint32_t)(chunk.len - 4));
    put(out, chunk.data, chunk.len);
    put_be32(out, (uint32_t)crc32(0L, chunk.data, (uInt)chunk.len));
    put(out, in + ihdr_end, n - ihdr_end);
    free(chunk.data);
    return FACEFUSE_OK;
}

static char *find_png(const uint8_t *d, size_t n)
{
    size_t i = 8, klen = strlen(XMP_KEYWORD_PNG);
    while (i + 12 <= n) {
        size_t len = be32(d + i);
        if (len > n - i - 12)
            break;
        const uint8_t *type = d + i + 4, *p = d + i + 8;
        if (!memcmp(type, "IEND", 4))
            break;
        if (!memcmp(type, "iTXt", 4) && len > klen + 5 && !memcmp(p, XMP_KEYWORD_PNG, klen) && p[klen] == 0 &&
            p[klen + 1] == 0) {
            /* keyword, NUL, flag, method, language NUL, translated NUL, text */
            size_t j = klen + 3;
            while (j < len && p[j])
                j++;
            j++;
            while (j < len && p[j])
                j++;
            j++;
            if (j < len)
                return tag_from_xmp(p + j, len - j);
        }
        i += 12 + len;
    }
    return NULL;
}

/* ------------------------------------------------------------ WebP */

static int is_webp(const uint8_t *d, size_t n)
{
    return n >= 20 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4);
}

static void put_chunk(bytes *b, const char *fourcc, const uint8_t *p, size_t n)
{
    put(b, fourcc, 4);
    put_le32(b, (uint32_t)n);
    put(b, p, n);
    if (n & 1)
        put(b, "", 1);
}

/* Canvas size and alpha of a simple-format WebP's first chunk. */
static int simple_canvas(const uint8_t *c, size_t n, int *w, int *h, int *alpha)
{
    const uint8_t *p = c + 8;
    size_t len = le32(c + 4);
    *alpha = 0;
    if (len > n - 8)
        return 0;
    if (!memcmp(c, "VP8 ", 4) && len >= 10 && p[3] == 0x9d && p[4] == 0x01 && p[5] == 0x2a) {
        *w = (p[6] | p[7] << 8) & 0x3fff;
        *h = (p[8] | p[9] << 8) & 0x3fff;
        return 1;
    }
    if (!memcmp(c, "VP8L", 4) && len >= 5 && p[0] == 0x2f) {
        uint32_t bits = le32(p + 1);
        *w = (int)(bits & 0x3fff) + 1;
        *h = (int)((bits >> 14) & 0x3fff) + 1;
        *alpha = (int)((bits >> 28) & 1);
        return 1;
    }
    return 0;
}

static facefuse_status tag_webp(const uint8_t *in, size_t n, const char *tag, bytes *out, fu_err *err)
{
    bytes xmp = {0}, body = {0};
    put_xmp(&xmp, tag);
    const uint8_t *first = in + 12;
    if (!memcmp(first, "VP8X", 4)) {
        if (le32(first + 4) != 10 || n < 12 + 18)
            return fu_fail(err, FACEFUSE_ERR_DECODE, "malformed WebP header");
        put(&body, in + 12, n - 12);
        if (!body.failed)
            body.data[8] |= 0x04; /* XMP present */
    } else {
        int w, h, alpha;
        if (!simple_canvas(first, n - 12, &w, &h, &alpha))
            return fu_fail(err, FACEFUSE_ERR_DECODE, "malformed WebP bitstream header");
        uint8_t vp8x[10] = {(uint8_t)(0x04 | (alpha ? 0x10 : 0)), 0, 0, 0,
                            (uint8_t)(w - 1), (uint8_t)((w - 1) >> 8), (uint8_t)((w - 1) >> 16),
                            (uint8_t)(h - 1), (uint8_t)((h - 1) >> 8), (uint8_t)((h - 1) >> 16)};
        put_chunk(&body, "VP8X", vp8x, sizeof vp8x);
        put(&body, in + 12, n - 12);
    }
    put_chunk(&body, "XMP ", xmp.data, xmp.len);
    facefuse_status rc = FACEFUSE_OK;
    if (xmp.failed || body.failed) {
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory tagging a WebP");
    } else {
        put_str(out, "RIFF");
        put_le32(out, (uint32_t)(body.len + 4));
        put_str(out, "WEBP");
        put(out, body.data, body.len);
    }
    free(xmp.data);
    free(body.data);
    return rc;
}

static char *find_webp(const uint8_t *d, size_t n)
{
    size_t i = 12;
    while (i + 8 <= n) {
        size_t len = le32(d + i + 4);
        if (len > n - i - 8)
            break;
        if (!memcmp(d + i, "XMP ", 4))
            return tag_from_xmp(d + i + 8, len);
        i += 8 + len + (len & 1);
    }
    return NULL;
}

/* ------------------------------------------------------------ entry points */

facefuse_status fu_tag_image_bytes(const uint8_t *in, size_t n, const char *tag, uint8_t **out, size_t *out_n,
                                   fu_err *err)
{
    bytes b = {0};
    facefuse_status rc;
    *out = NULL;
    *out_n = 0;
    if (!tag || !*tag)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "empty provenance tag");
    if (is_jpeg(in, n))
        rc = tag_jpeg(in, n, tag, &b, err);
    else if (is_png(in, n))
        rc = tag_png(in, n, tag, &b, err);
    else if (is_webp(in, n))
        rc = tag_webp(in, n, tag, &b, err);
    else
        rc = fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "provenance tags go into JPEG, PNG and WebP images only");
    if (rc == FACEFUSE_OK && b.failed)
        rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory adding the provenance tag");
    if (rc != FACEFUSE_OK) {
        free(b.data);
        return rc;
    }
    *out = b.data;
    *out_n = b.len;
    return FACEFUSE_OK;
}

char *fu_tag_find_in_image(const uint8_t *data, size_t n)
{
    if (is_jpeg(data, n))
        return find_jpeg(data, n);
    if (is_png(data, n))
        return find_png(data, n);
    if (is_webp(data, n))
        return find_webp(data, n);
    return NULL;
}

static char *comment_tag(AVDictionary *m)
{
    const AVDictionaryEntry *e = NULL;
    while ((e = av_dict_get(m, "", e, AV_DICT_IGNORE_SUFFIX))) {
        const char *at = strstr(e->value, TAG_PREFIX);
        if (at)
            return strdup(at);
    }
    return NULL;
}

static facefuse_status read_container_tag(const char *path, char **tag, fu_err *err)
{
    AVFormatContext *ic = NULL;
    char eb[128];
    fu_av_log_init();
    int ret = avformat_open_input(&ic, path, NULL, NULL);
    if (ret < 0) {
        av_strerror(ret, eb, sizeof eb);
        return fu_fail(err, FACEFUSE_ERR_DECODE, "cannot read %s: %s", path, eb);
    }
    *tag = comment_tag(ic->metadata);
    for (unsigned i = 0; !*tag && i < ic->nb_streams; i++)
        *tag = comment_tag(ic->streams[i]->metadata);
    avformat_close_input(&ic);
    return FACEFUSE_OK;
}

facefuse_status fu_tag_read_file(const char *path, char **tag, fu_err *err)
{
    uint8_t head[16];
    *tag = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    size_t got = fread(head, 1, sizeof head, f);
    if (!(is_jpeg(head, got) || (got >= 8 && !memcmp(head, png_sig, 8)) ||
          (got >= 12 && !memcmp(head, "RIFF", 4) && !memcmp(head + 8, "WEBP", 4)))) {
        fclose(f);
        return read_container_tag(path, tag, err);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = size > 0 ? malloc((size_t)size) : NULL;
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        fclose(f);
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot read %s", path);
    }
    fclose(f);
    *tag = fu_tag_find_in_image(data, (size_t)size);
    free(data);
    return FACEFUSE_OK;
}
