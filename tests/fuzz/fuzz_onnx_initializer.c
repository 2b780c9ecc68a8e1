/*
 * fuzz_onnx_initializer.c — any bytes as an ONNX file for the protobuf walk
 * that finds the last graph initializer (inswapper's emap): varints, nested
 * lengths, dims, float/float16/raw data. Must never read out of bounds,
 * overflow a size or leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "infer/onnx_initializer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fu_initializer t;
    fu_err err;
    if (fu_onnx_last_initializer_memory(data, size, "fuzz.onnx", &t, &err) == FACEFUSE_OK) {
        volatile float sum = 0;
        for (int64_t i = 0; i < t.count; i++) /* every value readable */
            sum += t.data[i];
        fu_initializer_free(&t);
    }
    return 0;
}
