/*
 * onnx_initializer.c — the last graph initializer of an ONNX file, read from
 * the protobuf wire format (see onnx_initializer.h).
 *
 * Wire format: a message is a sequence of (tag, value); tag = field << 3 |
 * wire type; wire types 0 varint, 1 fixed 64-bit, 2 length-delimited (bytes,
 * sub-messages, packed repeated scalars), 5 fixed 32-bit. Repeated
 * sub-message fields may appear anywhere and several times (protobuf merges
 * repeated occurrences of graph), so "the last initializer" is the last
 * GraphProto.initializer met in file order. Every length is checked against
 * the bytes left, so a truncated file is an error, never a read past the end.
 */
#include "infer/onnx_initializer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_BYTES = 2, WT_FIXED32 = 5 };

/* ModelProto, GraphProto and TensorProto field numbers we use. */
enum { MODEL_GRAPH = 7, GRAPH_INITIALIZER = 5 };
enum { TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_FLOAT_DATA = 4, TENSOR_INT32_DATA = 5,
       TENSOR_NAME = 8, TENSOR_RAW_DATA = 9, TENSOR_DATA_LOCATION = 14 };

#define MAX_ELEMENTS ((int64_t)1 << 31)

/* A span of bytes being read. */
typedef struct pb_buf {
    const uint8_t *p, *end;
} pb_buf;

/* One decoded field: its number, wire type and value (scalar or span). */
typedef struct pb_field {
    uint32_t number;
    int wire_type;
    uint64_t value;     /* varint and fixed types */
    pb_buf bytes;       /* length-delimited */
} pb_field;

static int read_varint(pb_buf *b, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (b->p >= b->end)
            return 0;
        uint8_t byte = *b->p++;
        x |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0; /* more than 10 bytes: malformed */
}

static uint64_t read_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Reads the next field; returns 1, or 0 at a malformed or truncated field. */
static int next_field(pb_buf *b, pb_field *f)
{
    uint64_t tag, len;
    memset(f, 0, sizeof *f);
    if (!read_varint(b, &tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
        return 0;
    f->number = (uint32_t)(tag >> 3);
    f->wire_type = (int)(tag & 7);
    switch (f->wire_type) {
    case WT_VARINT:
        return read_varint(b, &f->value);
    case WT_FIXED64:
        if (b->end - b->p < 8)
            return 0;
        f->value = read_le(b->p, 8);
        b->p += 8;
        return 1;
    case WT_FIXED32:
        if (b->end - b->p < 4)
            return 0;
        f->value = read_le(b->p, 4);
        b->p += 4;
        return 1;
    case WT_BYTES:
        if (!read_varint(b, &len) || len > (uint64_t)(b->end - b->p))
            return 0;
        f->bytes.p = b->p;
        f->bytes.end = b->p + len;
        b->p += len;
        return 1;
    default:
        return 0; /* groups (3, 4) are not used by ONNX */
    }
}

/* What pass one over a TensorProto found. */
typedef struct tensor_scan {
    int rank;
    int64_t dims[FU_MAX_RANK];
    int64_t data_type;
    int external;
    pb_buf raw;
    int has_raw;
    int64_t n_float, n_int32;
    char name[128];
} tensor_scan;

static float half_to_float(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v;
    if (exp == 0)
        v = ldexpf((float)mant, -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = ldexpf((float)(mant | 0x400), exp - 25);
    return sign ? -v : v;
}

static int add_dim(tensor_scan *t, uint64_t d)
{
    if (t->rank == FU_MAX_RANK || d > (uint64_t)MAX_ELEMENTS)
        return 0;
    t->dims[t->rank++] = (int64_t)d;
    return 1;
}

/* Counts the varints of a packed span; -1 when malformed. */
static int64_t count_varints(pb_buf b)
{
    int64_t n = 0;
    uint64_t v;
    while (b.p < b.end) {
        if (!read_varint(&b, &v))
            return -1;
        n++;
    }
    return n;
}

/* Pass one: shape, type, name, where the data is. Returns 0 when malformed. */
static int scan_tensor(pb_buf b, tensor_scan *t)
{
    pb_field f;
    memset(t, 0, sizeof *t);
    while (b.p < b.end) {
        if (!next_field(&b, &f))
            return 0;
        switch (f.number) {
        case TENSOR_DIMS:
            if (f.wire_type == WT_VARINT) {
                if (!add_dim(t, f.value))
                    return 0;
            } else if (f.wire_type == WT_BYTES) {
                uint64_t d;
                while (f.bytes.p < f.bytes.end)
                    if (!read_varint(&f.bytes, &d) || !add_dim(t, d))
                        return 0;
            } else {
                return 0;
            }
            break;
        case TENSOR_DATA_TYPE:
            if (f.wire_type != WT_VARINT)
                return 0;
            t->data_type = (int64_t)f.value;
            break;
        case TENSOR_FLOAT_DATA:
            if (f.wire_type == WT_FIXED32)
                t->n_float++;
            else if (f.wire_type == WT_BYTES && (f.bytes.end - f.bytes.p) % 4 == 0)
                t->n_float += (f.bytes.end - f.bytes.p) / 4;
            else
                return 0;
            break;
        case TENSOR_INT32_DATA:
            if (f.wire_type == WT_VARINT) {
                t->n_int32++;
            } else if (f.wire_type == WT_BYTES) {
                int64_t n = count_varints(f.bytes);
                if (n < 0)
                    return 0;
                t->n_int32 += n;
            } else {
                return 0;
            }
            break;
        case TENSOR_NAME:
            if (f.wire_type != WT_BYTES)
                return 0;
            {
                size_t n = (size_t)(f.bytes.end - f.bytes.p);
                if (n >= sizeof t->name)
                    n = sizeof t->name - 1;
                memcpy(t->name, f.bytes.p, n);
                t->name[n] = '\0';
            }
            break;
        case TENSOR_RAW_DATA:
            if (f.wire_type != WT_BYTES)
                return 0;
            t->raw = f.bytes;
            t->has_raw = 1;
            break;
        case TENSOR_DATA_LOCATION:
            if (f.wire_type != WT_VARINT)
                return 0;
            t->external = f.value == 1;
            break;
        default:
            break;
        }
    }
    return 1;
}

/* Pass two: copies float_data / int32_data values into out (count values). */
static void gather_typed(pb_buf b, int is_half, float *out)
{
    pb_field f;
    int64_t n = 0;
    while (b.p < b.end && next_field(&b, &f)) {
        if (!is_half && f.number == TENSOR_FLOAT_DATA) {
            if (f.wire_type == WT_FIXED32) {
                uint32_t bits = (uint32_t)f.value;
                memcpy(&out[n++], &bits, 4);
            } else {
                for (const uint8_t *p = f.bytes.p; p < f.bytes.end; p += 4) {
                    uint32_t bits = (uint32_t)read_le(p, 4);
                    memcpy(&out[n++], &bits, 4);
                }
            }
        } else if (is_half && f.number == TENSOR_INT32_DATA) {
            uint64_t v;
            if (f.wire_type == WT_VARINT)
                out[n++] = half_to_float((uint16_t)f.value);
            else
                while (f.bytes.p < f.bytes.end && read_varint(&f.bytes, &v))
                    out[n++] = half_to_float((uint16_t)v);
        }
    }
}

static void convert_raw(const uint8_t *p, int64_t count, int is_half, float *out)
{
    for (int64_t i = 0; i < count; i++) {
        if (is_half) {
            out[i] = half_to_float((uint16_t)read_le(p + 2 * i, 2));
        } else {
            uint32_t bits = (uint32_t)read_le(p + 4 * i, 4);
            memcpy(&out[i], &bits, 4);
        }
    }
}

static facefuse_status decode_tensor(const char *path, pb_buf b, fu_initializer *out, fu_err *err)
{
    tensor_scan t;
    int64_t count = 1;

    if (!scan_tensor(b, &t))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT, "%s: malformed initializer in the ONNX graph", path);
    if (t.external)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "%s: initializer %s is stored in an external file",
                       path, t.name);
    if (t.data_type != FU_DTYPE_FLOAT && t.data_type != FU_DTYPE_FLOAT16)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED,
                       "%s: initializer %s has element type %lld (float32 or float16 expected)", path,
                       t.name, (long long)t.data_type);
    for (int i = 0; i < t.rank; i++) {
        count *= t.dims[i];
        if (count > MAX_ELEMENTS)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT, "%s: initializer %s is too large", path, t.name);
    }
    int is_half = t.data_type == FU_DTYPE_FLOAT16;
    int64_t have = t.has_raw ? (t.raw.end - t.raw.p) / (is_half ? 2 : 4) : is_half ? t.n_int32 : t.n_float;
    int64_t raw_bytes = t.has_raw ? (int64_t)(t.raw.end - t.raw.p) : 0;
    if (have != count || (t.has_raw && raw_bytes != count * (is_half ? 2 : 4)))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT,
                       "%s: initializer %s holds %lld values but its dims give %lld", path, t.name,
                       (long long)have, (long long)count);
    memset(out, 0, sizeof *out);
    out->data = malloc(sizeof(float) * (size_t)(count > 0 ? count : 1));
    if (!out->data)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for initializer %s of %s", t.name, path);
    if (t.has_raw)
        convert_raw(t.raw.p, count, is_half, out->data);
    else
        gather_typed(b, is_half, out->data);
    snprintf(out->name, sizeof out->name, "%s", t.name);
    out->dtype = (int)t.data_type;
    out->rank = t.rank;
    memcpy(out->dims, t.dims, sizeof out->dims);
    out->count = count;
    return FACEFUSE_OK;
}

/* Finds the span of the last GraphProto.initializer of a ModelProto. */
static facefuse_status find_last_initializer(const char *path, pb_buf model, pb_buf *last, fu_err *err)
{
    pb_field f, g;
    int found = 0, graphs = 0;
    const uint8_t *start = model.p;

    while (model.p < model.end) {
        if (!next_field(&model, &f))
            return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT,
                           "%s: not a valid ONNX file (truncated or malformed at byte %lld)", path,
                           (long long)(model.p - start));
        if (f.number != MODEL_GRAPH)
            continue;
        if (f.wire_type != WT_BYTES)
            return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT, "%s: not a valid ONNX file (bad graph field)", path);
        graphs++;
        pb_buf graph = f.bytes;
        while (graph.p < graph.end) {
            if (!next_field(&graph, &g))
                return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT,
                               "%s: not a valid ONNX file (graph truncated or malformed at byte %lld)", path,
                               (long long)(graph.p - start));
            if (g.number == GRAPH_INITIALIZER && g.wire_type == WT_BYTES) {
                *last = g.bytes;
                found = 1;
            }
        }
    }
    if (!graphs)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT, "%s: not a valid ONNX file (no graph)", path);
    if (!found)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT, "%s: the ONNX graph has no initializer", path);
    return FACEFUSE_OK;
}

facefuse_status fu_onnx_last_initializer(const char *path, fu_initializer *out, fu_err *err)
{
    struct stat st = {0};
    void *map;
    facefuse_status rc;

    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = fu_fail(err, FACEFUSE_ERR_IO, "cannot read %s: %s", path,
                     S_ISREG(st.st_mode) ? strerror(errno) : "not a regular file");
        close(fd);
        return rc;
    }
    if (st.st_size == 0) {
        close(fd);
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT, "%s: empty file, not an ONNX model", path);
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot map %s: %s", path, strerror(errno));
    rc = fu_onnx_last_initializer_memory(map, (size_t)st.st_size, path, out, err);
    munmap(map, (size_t)st.st_size);
    return rc;
}

facefuse_status fu_onnx_last_initializer_memory(const uint8_t *data, size_t size, const char *name,
                                                fu_initializer *out, fu_err *err)
{
    pb_buf model, last = {0};
    facefuse_status rc;

    memset(out, 0, sizeof *out);
    if (!data || size == 0)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT, "%s: empty file, not an ONNX model", name);
    model.p = data;
    model.end = data + size;
    rc = find_last_initializer(name, model, &last, err);
    if (rc == FACEFUSE_OK)
        rc = decode_tensor(name, last, out, err);
    return rc;
}

void fu_initializer_free(fu_initializer *t)
{
    if (!t)
        return;
    free(t->data);
    memset(t, 0, sizeof *t);
}
