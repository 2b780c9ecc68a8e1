/*
 * onnx_initializer.h — reads one graph initializer straight from an ONNX file.
 *
 * ONNX Runtime does not hand out a model's initializers, but inswapper keeps
 * its identity projection ("emap", 512×512) as the last initializer of the
 * graph. This reader walks the protobuf wire format of the file (mapped, not
 * copied, so a 554 MB model costs only the pages it touches) far enough to
 * find ModelProto.graph (7) → GraphProto.initializer (5, repeated) and
 * decodes the last TensorProto: dims (1), data_type (2), float_data (4),
 * int32_data (5, float16 bit patterns), name (8), raw_data (9, little-endian).
 * Float32 and float16 tensors are returned as float32.
 */
#ifndef FU_ONNX_INITIALIZER_H
#define FU_ONNX_INITIALIZER_H

#include <stdint.h>

#include "core/error.h"
#include "infer/ort.h"

typedef struct fu_initializer {
    char name[128];
    int dtype;                   /* the file's element type (FU_DTYPE_FLOAT or FU_DTYPE_FLOAT16) */
    int rank;
    int64_t dims[FU_MAX_RANK];
    int64_t count;               /* product of dims */
    float *data;                 /* count floats, malloc'd; free with fu_initializer_free */
} fu_initializer;

/* The last initializer of the graph of the ONNX file at path.
 * Errors: FACEFUSE_ERR_IO (cannot open or map), FACEFUSE_ERR_MODEL_CORRUPT
 * (truncated or malformed protobuf, no graph or no initializer, data size
 * not matching dims), FACEFUSE_ERR_UNSUPPORTED (an element type other than
 * float32/float16, or data stored outside the file), FACEFUSE_ERR_NO_MEMORY. */
facefuse_status fu_onnx_last_initializer(const char *path, fu_initializer *out, fu_err *err);
/* The same on size bytes of an ONNX file at data; name is used in messages. */
facefuse_status fu_onnx_last_initializer_memory(const uint8_t *data, size_t size, const char *name,
                                                fu_initializer *out, fu_err *err);
void fu_initializer_free(fu_initializer *t);

#endif
