/*
 * ort.h — ONNX Runtime sessions behind a small, typed interface.
 *
 * One OrtEnv per process (created on first use). A fu_session wraps one
 * OrtSession plus the shapes and element types of its inputs and outputs,
 * read once at load. Inputs and outputs are bound by position, never by
 * name (FaceFusion's re-exports and InsightFace's originals name them
 * differently). fu_session_run takes float32 inputs and gives float32
 * outputs whatever the model's precision: float16 models are converted at
 * the boundary. Run is thread-safe.
 */
#ifndef FU_ORT_H
#define FU_ORT_H

#include <stdint.h>

#include "core/error.h"

#define FU_MAX_RANK 8
#define FU_MAX_IO 16
#define FU_MAX_DEVICES 8

/* Element types, same values as ONNXTensorElementDataType. */
enum { FU_DTYPE_FLOAT = 1, FU_DTYPE_UINT8 = 2, FU_DTYPE_INT64 = 7, FU_DTYPE_FLOAT16 = 10,
       FU_DTYPE_DOUBLE = 11 };

typedef struct fu_tensor_info {
    char name[128];
    int dtype;
    int rank;
    int64_t dims[FU_MAX_RANK]; /* -1 for a symbolic dimension */
} fu_tensor_info;

/* A float32 tensor. As an input: data is borrowed. As an output of
 * fu_session_run: data is malloc'd and owned by the caller (fu_tensor_free). */
typedef struct fu_tensor {
    int rank;
    int64_t dims[FU_MAX_RANK];
    float *data;
} fu_tensor;

typedef struct fu_session fu_session;

/* Provider options a session is created with. */
typedef struct fu_providers {
    const char *names[9];   /* FaceFusion names, NULL-terminated; empty = cpu */
    int device_id;          /* the device when device_ids is empty */
    int thread_count;       /* intra-op threads; 0 = ORT default */
    /* GPU providers: a session is opened on each device and Runs alternate
     * between them (FaceFusion's --execution-device-ids); the CPU has none. */
    int device_ids[FU_MAX_DEVICES];
    int n_devices;
} fu_providers;

/* Loads path. FACEFUSE_ERR_MODEL_CORRUPT when ORT cannot parse the file. */
facefuse_status fu_session_open(const char *path, const fu_providers *providers,
                                fu_session **out, fu_err *err);
void fu_session_close(fu_session *s);
/* How many devices the session runs on (1 on the CPU). */
int fu_session_replica_count(const fu_session *s);

int fu_session_input_count(const fu_session *s);
int fu_session_output_count(const fu_session *s);
const fu_tensor_info *fu_session_input(const fu_session *s, int index);
const fu_tensor_info *fu_session_output(const fu_session *s, int index);
const char *fu_session_path(const fu_session *s);

/* Runs with n_in inputs (positional) and fills all outputs (n_out must equal
 * the model's output count; pass fewer to take only the first n_out). */
facefuse_status fu_session_run(fu_session *s, const fu_tensor *inputs, int n_in,
                               fu_tensor *outputs, int n_out, fu_err *err);
/* Inputs whose model type is float16, int64, double or uint8 are converted
 * from the float32 data given; outputs of those types are converted to float32. */

void fu_tensor_free(fu_tensor *t);
int64_t fu_tensor_numel(const fu_tensor *t);

/* Cumulative nanoseconds spent inside OrtRun, process-wide (for benchmarks). */
int64_t fu_ort_run_ns(void);
/* Number of OrtRun calls so far, process-wide (for tests and benchmarks). */
int64_t fu_ort_run_count(void);

/* FaceFusion provider names this ORT build offers (static array). */
const char *const *fu_ort_available_providers(int *count);
/* FACEFUSE_ERR_PROVIDER with a message when a requested name is unknown or
 * not in this build. */
facefuse_status fu_ort_check_providers(const fu_providers *p, fu_err *err);

/* The ONNX Runtime library's version string. */
const char *fu_ort_version(void);

/* Expected shape of one input or output, for the load-time contract check.
 * rank_min..rank_max is the accepted rank (0 = any); dims[i] > 0 must equal
 * the model's dim i (counting from the front) unless the model's is symbolic;
 * last_dim > 0 checks the last dimension instead. dtype 0 = float32 or float16,
 * -1 = any element type (ids or scores, converted to float either way). */
typedef struct fu_io_contract {
    int rank_min, rank_max;
    int64_t dims[FU_MAX_RANK];
    int64_t last_dim;
    int dtype;
} fu_io_contract;

typedef struct fu_contract {
    int n_inputs;                        /* the model has exactly this many inputs */
    int n_outputs;                       /* and at least this many outputs */
    fu_io_contract inputs[FU_MAX_IO];
    fu_io_contract outputs[FU_MAX_IO];
} fu_contract;

/* Compares the session's inputs and outputs with the contract; on mismatch
 * FACEFUSE_ERR_MODEL_CONTRACT naming the file and the first difference. */
facefuse_status fu_session_check(const fu_session *s, const fu_contract *c, fu_err *err);

#endif
