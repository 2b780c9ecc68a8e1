/*
 * ort.c — ONNX Runtime sessions (see ort.h).
 *
 * The OrtEnv is created once per process (pthread_once) and never released:
 * ONNX Runtime does not support re-creating it. Its telemetry is off (see
 * ort_init). Sessions hold their I/O
 * descriptions so callers never deal with OrtTypeInfo. Float16 inputs and
 * outputs are converted here so every caller works in float32.
 */
#include "infer/ort.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <onnxruntime_c_api.h>

#include "core/log.h"
#include "core/numeric.h"

struct fu_session {
    OrtSession *session;            /* on the first device: the one described */
    OrtSession *replicas[FU_MAX_DEVICES]; /* one per device; [0] == session */
    int n_replicas;
    _Atomic unsigned next;          /* the replica the next Run uses */
    char path[4096];
    int n_in, n_out;
    fu_tensor_info in[FU_MAX_IO], out[FU_MAX_IO];
    const char *in_names[FU_MAX_IO], *out_names[FU_MAX_IO];
    volatile int *cancel;          /* non-zero: runs are refused (Ctrl-C) */
    atomic_int nonfinite_reported; /* the one warning about NaN/inf outputs was given */
};

static const OrtApi *ort;
static OrtEnv *ort_env;
static void ignore_status(OrtStatus *st);
static OrtStatus *ort_init_status;
static pthread_once_t ort_once = PTHREAD_ONCE_INIT;
static _Atomic int64_t ort_run_total_ns;
static _Atomic int64_t ort_run_calls;

static const struct {
    const char *name;     /* FaceFusion's */
    const char *ort_name; /* ONNX Runtime's */
} provider_names[] = {
    {"cpu", "CPUExecutionProvider"},       {"cuda", "CUDAExecutionProvider"},
    {"tensorrt", "TensorrtExecutionProvider"}, {"rocm", "ROCMExecutionProvider"},
    {"migraphx", "MIGraphXExecutionProvider"}, {"openvino", "OpenVINOExecutionProvider"},
    {"coreml", "CoreMLExecutionProvider"}, {"directml", "DmlExecutionProvider"},
    {"qnn", "QNNExecutionProvider"},
};
#define N_PROVIDERS (int)(sizeof provider_names / sizeof provider_names[0])

/* ONNX Runtime 1.30's Linux build starts a telemetry system when the
 * environment is created: a device id and an event database under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime, HTTPS uploads, and a
 * background thread that ReleaseEnv does not stop. That thread reads memory
 * the library's static destructors free at exit: the heap-use-after-free
 * in an ONNX Runtime thread that ASan reported now and then at process exit
 * under load. facefuse sends nothing anywhere, so it is off before the
 * environment exists (ORT_DISABLE_TELEMETRY, read by CreateEnv; a value the
 * user set is kept), and ETW-style events are disabled too. setenv runs
 * once, inside pthread_once, before any ONNX Runtime thread exists. */
static void ort_init(void)
{
    ort = OrtGetApiBase()->GetApi(ORT_API_VERSION);
    if (!ort)
        return;
    setenv("ORT_DISABLE_TELEMETRY", "1", 0);
    ort_init_status = ort->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "facefuse", &ort_env);
    if (!ort_init_status)
        ignore_status(ort->DisableTelemetryEvents(ort_env));
}

static facefuse_status ort_ready(fu_err *err)
{
    pthread_once(&ort_once, ort_init);
    if (!ort)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL,
                       "ONNX Runtime %s does not offer C API version %d",
                       OrtGetApiBase()->GetVersionString(), ORT_API_VERSION);
    if (ort_init_status)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "ONNX Runtime environment: %s",
                       ort->GetErrorMessage(ort_init_status));
    return FACEFUSE_OK;
}

/* For calls that cannot fail on valid arguments (getters on objects ORT
 * handed us): release a status if one comes back anyway. */
static void ignore_status(OrtStatus *st)
{
    if (st)
        ort->ReleaseStatus(st);
}

/* Skips a balanced (...) or [...] group starting at p; returns p unchanged
 * when *p is not the opening character. */
static const char *skip_group(const char *p, char open, char close)
{
    int depth = 0;
    if (*p != open)
        return p;
    for (const char *q = p; *q; q++) {
        depth += *q == open;
        depth -= *q == close;
        if (depth == 0)
            return q + 1;
    }
    return p;
}

/* The length of a source location "…/file.cc:123" at p (0 if none): a word
 * with a '/' whose last ':' is followed by digits only. */
static size_t source_location_len(const char *p)
{
    size_t n = strcspn(p, " \t\n");
    const char *colon = NULL;
    int slash = 0;
    for (size_t i = 0; i < n; i++) {
        slash |= p[i] == '/';
        if (p[i] == ':')
            colon = p + i;
    }
    if (!slash || !colon || colon == p + n - 1)
        return 0;
    for (const char *d = colon + 1; d < p + n; d++)
        if (*d < '0' || *d > '9')
            return 0;
    return n;
}

/* After a source location ORT prints the C++ function: "ret ns::f(args) const [with T = x] ". */
static const char *skip_signature(const char *p)
{
    const char *open = strchr(p, '(');
    const char *space = p;
    /* Only when the words before '(' look like C++ names (contain "::"). */
    if (!open || !memmem(p, (size_t)(open - p), "::", 2))
        return p;
    for (const char *q = p; q < open; q++)
        if (*q == '.' || *q == '\'' || *q == '"')
            return p;
    p = skip_group(open, '(', ')');
    if (strncmp(p, " const", 6) == 0)
        p += 6;
    while (*p == ' ')
        p++;
    p = skip_group(p, '[', ']');
    while (*p == ' ')
        p++;
    return p == space ? space : p;
}

void fu_ort_message_clean(const char *msg, char *out, size_t size)
{
    size_t o = 0;
    const char *p = msg ? msg : "";

    if (size == 0)
        return;
    while (*p && o + 1 < size) {
        int at_word = p == msg || p[-1] == ' ' || p[-1] == ':' || p[-1] == '\n';
        size_t loc = at_word ? source_location_len(p) : 0;
        if (loc) {
            p += loc;
            while (*p == ' ')
                p++;
            p = skip_signature(p);
            continue;
        }
        out[o++] = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
        p++;
    }
    while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ':'))
        o--;
    out[o] = '\0';
}

/* Turns an OrtStatus into our error (and releases it). */
static facefuse_status ort_fail(OrtStatus *st, fu_err *err, facefuse_status code,
                                const char *what, const char *path)
{
    char clean[FU_ERRMSG_MAX];
    fu_ort_message_clean(ort->GetErrorMessage(st), clean, sizeof clean);
    fu_fail(err, code, "%s %s: %s", what, path, clean);
    ort->ReleaseStatus(st);
    return code;
}

const char *fu_ort_version(void)
{
    return OrtGetApiBase()->GetVersionString();
}

int64_t fu_ort_run_ns(void)
{
    return atomic_load(&ort_run_total_ns);
}

int64_t fu_ort_run_count(void)
{
    return atomic_load(&ort_run_calls);
}

const char *const *fu_ort_available_providers(int *count)
{
    static const char *avail[N_PROVIDERS + 1];
    static int n_avail = -1;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

    pthread_mutex_lock(&lock);
    if (n_avail < 0 && ort_ready(NULL) == FACEFUSE_OK) {
        char **list = NULL;
        int len = 0;
        n_avail = 0;
        OrtStatus *st = ort->GetAvailableProviders(&list, &len);
        if (st) {
            ort->ReleaseStatus(st);
        } else {
            for (int p = 0; p < N_PROVIDERS; p++)
                for (int i = 0; i < len; i++)
                    if (strcmp(list[i], provider_names[p].ort_name) == 0)
                        avail[n_avail++] = provider_names[p].name;
            ignore_status(ort->ReleaseAvailableProviders(list, len));
        }
    }
    pthread_mutex_unlock(&lock);
    if (count)
        *count = n_avail < 0 ? 0 : n_avail;
    return avail;
}

static int provider_known(const char *name)
{
    for (int p = 0; p < N_PROVIDERS; p++)
        if (strcmp(provider_names[p].name, name) == 0)
            return 1;
    return 0;
}

static int provider_available(const char *name)
{
    int n;
    const char *const *avail = fu_ort_available_providers(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(avail[i], name) == 0)
            return 1;
    return 0;
}

facefuse_status fu_ort_check_providers(const fu_providers *p, fu_err *err)
{
    for (int i = 0; p && p->names[i]; i++) {
        if (!provider_known(p->names[i]))
            return fu_fail(err, FACEFUSE_ERR_PROVIDER,
                           "unknown execution provider '%s' (choices: cpu cuda tensorrt rocm "
                           "migraphx openvino coreml directml qnn)", p->names[i]);
        if (!provider_available(p->names[i])) {
            int n;
            const char *const *avail = fu_ort_available_providers(&n);
            char list[256] = "";
            for (int k = 0; k < n; k++) {
                strncat(list, " ", sizeof list - strlen(list) - 1);
                strncat(list, avail[k], sizeof list - strlen(list) - 1);
            }
            return fu_fail(err, FACEFUSE_ERR_PROVIDER,
                           "execution provider '%s' is not in this ONNX Runtime %s build "
                           "(available:%s)", p->names[i], fu_ort_version(), list);
        }
    }
    return FACEFUSE_OK;
}

static OrtStatus *append_provider(OrtSessionOptions *so, const char *name, int device_id)
{
    char dev[16];
    snprintf(dev, sizeof dev, "%d", device_id);
    if (strcmp(name, "cuda") == 0) {
        OrtCUDAProviderOptionsV2 *o = NULL;
        OrtStatus *st = ort->CreateCUDAProviderOptions(&o);
        if (st)
            return st;
        const char *keys[] = {"device_id", "cudnn_conv_algo_search"};
        const char *vals[] = {dev, "EXHAUSTIVE"};
        st = ort->UpdateCUDAProviderOptions(o, keys, vals, 2);
        if (!st)
            st = ort->SessionOptionsAppendExecutionProvider_CUDA_V2(so, o);
        ort->ReleaseCUDAProviderOptions(o);
        return st;
    }
    if (strcmp(name, "tensorrt") == 0) {
        OrtTensorRTProviderOptionsV2 *o = NULL;
        OrtStatus *st = ort->CreateTensorRTProviderOptions(&o);
        if (st)
            return st;
        const char *keys[] = {"device_id", "trt_engine_cache_enable", "trt_timing_cache_enable",
                              "trt_builder_optimization_level"};
        const char *vals[] = {dev, "1", "1", "4"};
        st = ort->UpdateTensorRTProviderOptions(o, keys, vals, 4);
        if (!st)
            st = ort->SessionOptionsAppendExecutionProvider_TensorRT_V2(so, o);
        ort->ReleaseTensorRTProviderOptions(o);
        return st;
    }
    if (strcmp(name, "rocm") == 0) {
        OrtROCMProviderOptions o;
        memset(&o, 0, sizeof o);
        o.device_id = device_id;
        o.miopen_conv_exhaustive_search = 0;
        o.gpu_mem_limit = SIZE_MAX;
        o.arena_extend_strategy = 0;
        o.do_copy_in_default_stream = 1;
        return ort->SessionOptionsAppendExecutionProvider_ROCM(so, &o);
    }
    if (strcmp(name, "migraphx") == 0) {
        OrtMIGraphXProviderOptions o;
        memset(&o, 0, sizeof o);
        o.device_id = device_id;
        return ort->SessionOptionsAppendExecutionProvider_MIGraphX(so, &o);
    }
    if (strcmp(name, "openvino") == 0) {
        const char *keys[] = {"device_type", "precision"};
        const char *vals[] = {device_id ? "GPU.1" : "GPU", "FP32"};
        return ort->SessionOptionsAppendExecutionProvider_OpenVINO_V2(so, keys, vals, 2);
    }
    if (strcmp(name, "coreml") == 0)
        return ort->SessionOptionsAppendExecutionProvider(so, "CoreML", NULL, NULL, 0);
    if (strcmp(name, "directml") == 0) {
        const char *keys[] = {"device_id"};
        const char *vals[] = {dev};
        return ort->SessionOptionsAppendExecutionProvider(so, "DML", keys, vals, 1);
    }
    if (strcmp(name, "qnn") == 0) {
        const char *keys[] = {"backend_type"};
        const char *vals[] = {"htp"};
        return ort->SessionOptionsAppendExecutionProvider(so, "QNN", keys, vals, 1);
    }
    return NULL; /* cpu: always last, implicit */
}

static void read_type_info(OrtTypeInfo *ti, fu_tensor_info *info)
{
    const OrtTensorTypeAndShapeInfo *tsi = NULL;
    ONNXTensorElementDataType et = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    size_t rank = 0;

    info->dtype = 0;
    info->rank = 0;
    if (ort->CastTypeInfoToTensorInfo(ti, &tsi) != NULL || !tsi)
        return;
    ignore_status(ort->GetTensorElementType(tsi, &et));
    ignore_status(ort->GetDimensionsCount(tsi, &rank));
    if (rank > FU_MAX_RANK)
        rank = FU_MAX_RANK;
    ignore_status(ort->GetDimensions(tsi, info->dims, rank));
    for (size_t i = 0; i < rank; i++)
        if (info->dims[i] <= 0)
            info->dims[i] = -1;
    info->dtype = (int)et;
    info->rank = (int)rank;
}

static facefuse_status describe_io(fu_session *s, fu_err *err)
{
    OrtAllocator *alloc = NULL;
    size_t n_in = 0, n_out = 0;

    ignore_status(ort->GetAllocatorWithDefaultOptions(&alloc));
    ignore_status(ort->SessionGetInputCount(s->session, &n_in));
    ignore_status(ort->SessionGetOutputCount(s->session, &n_out));
    if (n_in > FU_MAX_IO || n_out > FU_MAX_IO)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "model %s has too many inputs/outputs (%zu/%zu)",
                       s->path, n_in, n_out);
    s->n_in = (int)n_in;
    s->n_out = (int)n_out;
    for (int io = 0; io < 2; io++) {
        int n = io ? s->n_out : s->n_in;
        for (int i = 0; i < n; i++) {
            fu_tensor_info *info = io ? &s->out[i] : &s->in[i];
            char *name = NULL;
            OrtTypeInfo *ti = NULL;
            OrtStatus *st = io ? ort->SessionGetOutputName(s->session, (size_t)i, alloc, &name)
                               : ort->SessionGetInputName(s->session, (size_t)i, alloc, &name);
            if (st)
                return ort_fail(st, err, FACEFUSE_ERR_MODEL_CORRUPT, "cannot read i/o of", s->path);
            snprintf(info->name, sizeof info->name, "%s", name);
            alloc->Free(alloc, name);
            st = io ? ort->SessionGetOutputTypeInfo(s->session, (size_t)i, &ti)
                    : ort->SessionGetInputTypeInfo(s->session, (size_t)i, &ti);
            if (st)
                return ort_fail(st, err, FACEFUSE_ERR_MODEL_CORRUPT, "cannot read i/o of", s->path);
            read_type_info(ti, info);
            ort->ReleaseTypeInfo(ti);
            if (io)
                s->out_names[i] = info->name;
            else
                s->in_names[i] = info->name;
        }
    }
    return FACEFUSE_OK;
}

/* One OrtSession of path with the providers on one device. */
static facefuse_status create_session(const char *path, const fu_providers *providers, int device_id,
                                      OrtSession **out, fu_err *err)
{
    OrtSessionOptions *so = NULL;
    OrtStatus *st;

    if ((st = ort->CreateSessionOptions(&so)) != NULL)
        return ort_fail(st, err, FACEFUSE_ERR_INTERNAL, "session options for", path);
    ignore_status(ort->SetSessionGraphOptimizationLevel(so, ORT_ENABLE_ALL));
    if (providers && providers->thread_count > 0) {
        ignore_status(ort->SetIntraOpNumThreads(so, providers->thread_count));
        ignore_status(ort->SetInterOpNumThreads(so, 1));
    }
    if (providers && providers->no_spinning) {
        ignore_status(ort->AddSessionConfigEntry(so, "session.intra_op.allow_spinning", "0"));
        ignore_status(ort->AddSessionConfigEntry(so, "session.inter_op.allow_spinning", "0"));
    }
    for (int i = 0; providers && providers->names[i]; i++) {
        st = append_provider(so, providers->names[i], device_id);
        if (st) {
            char clean[FU_ERRMSG_MAX];
            fu_ort_message_clean(ort->GetErrorMessage(st), clean, sizeof clean);
            fu_fail(err, FACEFUSE_ERR_PROVIDER, "execution provider %s failed for %s on device %d: %s",
                    providers->names[i], path, device_id, clean);
            ort->ReleaseStatus(st);
            ort->ReleaseSessionOptions(so);
            return FACEFUSE_ERR_PROVIDER;
        }
    }
    st = ort->CreateSession(ort_env, path, so, out);
    ort->ReleaseSessionOptions(so);
    if (st)
        return ort_fail(st, err, FACEFUSE_ERR_MODEL_CORRUPT, "cannot load model", path);
    return FACEFUSE_OK;
}

/* Devices a session is replicated on: the listed GPU ids for a GPU
 * provider; the CPU provider has no devices. */
static int device_count(const fu_providers *p)
{
    if (!p || !p->names[0] || strcmp(p->names[0], "cpu") == 0 || p->n_devices <= 1)
        return 1;
    return p->n_devices < FU_MAX_DEVICES ? p->n_devices : FU_MAX_DEVICES;
}

static int device_id(const fu_providers *p, int index)
{
    return p && p->n_devices > index ? p->device_ids[index] : p ? p->device_id : 0;
}

facefuse_status fu_session_open(const char *path, const fu_providers *providers, fu_session **out,
                                fu_err *err)
{
    facefuse_status rc;
    fu_session *s;

    *out = NULL;
    if ((rc = ort_ready(err)) != FACEFUSE_OK)
        return rc;
    if ((rc = fu_ort_check_providers(providers, err)) != FACEFUSE_OK)
        return rc;
    s = calloc(1, sizeof *s);
    if (!s)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory loading %s", path);
    snprintf(s->path, sizeof s->path, "%s", path);
    for (int d = 0; d < device_count(providers) && rc == FACEFUSE_OK; d++) {
        rc = create_session(path, providers, device_id(providers, d), &s->replicas[d], err);
        if (rc == FACEFUSE_OK)
            s->n_replicas = d + 1;
    }
    s->session = s->replicas[0];
    if (rc == FACEFUSE_OK)
        rc = describe_io(s, err);
    if (rc != FACEFUSE_OK) {
        fu_session_close(s);
        return rc;
    }
    *out = s;
    return FACEFUSE_OK;
}

int fu_session_replica_count(const fu_session *s)
{
    return s->n_replicas;
}

void fu_session_close(fu_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_replicas; i++)
        ort->ReleaseSession(s->replicas[i]);
    free(s);
}

int fu_session_input_count(const fu_session *s) { return s->n_in; }
int fu_session_output_count(const fu_session *s) { return s->n_out; }
const char *fu_session_path(const fu_session *s) { return s->path; }

const fu_tensor_info *fu_session_input(const fu_session *s, int index)
{
    return index >= 0 && index < s->n_in ? &s->in[index] : NULL;
}

const fu_tensor_info *fu_session_output(const fu_session *s, int index)
{
    return index >= 0 && index < s->n_out ? &s->out[index] : NULL;
}

int64_t fu_tensor_numel(const fu_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        n *= t->dims[i];
    return n;
}

void fu_tensor_free(fu_tensor *t)
{
    if (!t)
        return;
    free(t->data);
    t->data = NULL;
}

/* IEEE 754 half <-> single, round to nearest even. */
static uint16_t float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffffu;
    if (((x >> 23) & 0xff) == 0xff)
        return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00u);
    if (exp <= 0) {
        if (exp < -10)
            return (uint16_t)sign;
        mant |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = mant >> shift;
        uint32_t rem = mant & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = sign | ((uint32_t)exp << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1)))
        half++;
    return (uint16_t)half;
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ffu;
    uint32_t x;
    if (exp == 0) {
        if (mant == 0) {
            x = sign;
        } else {
            float f = ldexpf((float)mant, -24);
            return sign ? -f : f;
        }
    } else if (exp == 31) {
        x = sign | 0x7f800000u | (mant << 13);
    } else {
        x = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}

static size_t dtype_size(int dtype)
{
    switch (dtype) {
    case FU_DTYPE_FLOAT: return 4;
    case FU_DTYPE_FLOAT16: return 2;
    case FU_DTYPE_INT64: return 8;
    case FU_DTYPE_DOUBLE: return 8;
    case FU_DTYPE_UINT8: return 1;
    default: return 0;
    }
}

/* Converts n floats into a buffer of the model's dtype (NULL for float: use as is). */
static void *convert_input(const float *src, int64_t n, int dtype)
{
    void *buf = malloc((size_t)n * dtype_size(dtype));
    if (!buf)
        return NULL;
    for (int64_t i = 0; i < n; i++) {
        switch (dtype) {
        case FU_DTYPE_FLOAT16: ((uint16_t *)buf)[i] = float_to_half(src[i]); break;
        case FU_DTYPE_INT64: ((int64_t *)buf)[i] = (int64_t)llroundf(src[i]); break;
        case FU_DTYPE_DOUBLE: ((double *)buf)[i] = src[i]; break;
        case FU_DTYPE_UINT8: ((uint8_t *)buf)[i] = (uint8_t)lroundf(src[i]); break;
        }
    }
    return buf;
}

static facefuse_status take_output(fu_session *s, OrtValue *v, fu_tensor *t, int index, fu_err *err)
{
    OrtTensorTypeAndShapeInfo *info = NULL;
    ONNXTensorElementDataType et;
    size_t rank = 0;
    void *raw = NULL;
    OrtStatus *st;

    if ((st = ort->GetTensorTypeAndShape(v, &info)) != NULL)
        return ort_fail(st, err, FACEFUSE_ERR_INFERENCE, "cannot read output of", s->path);
    ignore_status(ort->GetTensorElementType(info, &et));
    ignore_status(ort->GetDimensionsCount(info, &rank));
    if (rank > FU_MAX_RANK) {
        ort->ReleaseTensorTypeAndShapeInfo(info);
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "output %d of %s has rank %zu", index,
                       s->path, rank);
    }
    memset(t, 0, sizeof *t);
    t->rank = (int)rank;
    ignore_status(ort->GetDimensions(info, t->dims, rank));
    ort->ReleaseTensorTypeAndShapeInfo(info);
    int64_t n = fu_tensor_numel(t);
    t->data = malloc((size_t)(n > 0 ? n : 1) * sizeof(float));
    if (!t->data)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for output of %s", s->path);
    ignore_status(ort->GetTensorMutableData(v, &raw));
    if (et == (ONNXTensorElementDataType)FU_DTYPE_FLOAT) { /* the common case: one copy */
        memcpy(t->data, raw, (size_t)n * sizeof(float));
        return FACEFUSE_OK;
    }
    for (int64_t i = 0; i < n; i++) {
        switch ((int)et) {
        case FU_DTYPE_FLOAT: t->data[i] = ((float *)raw)[i]; break;
        case FU_DTYPE_FLOAT16: t->data[i] = half_to_float(((uint16_t *)raw)[i]); break;
        case FU_DTYPE_INT64: t->data[i] = (float)((int64_t *)raw)[i]; break;
        case FU_DTYPE_DOUBLE: t->data[i] = (float)((double *)raw)[i]; break;
        case FU_DTYPE_UINT8: t->data[i] = ((uint8_t *)raw)[i]; break;
        default:
            fu_tensor_free(t);
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "output %d of %s has element type %d",
                           index, s->path, (int)et);
        }
    }
    return FACEFUSE_OK;
}

void fu_session_set_cancel(fu_session *s, volatile int *cancel)
{
    if (s)
        s->cancel = cancel;
}

/* Replaces NaN and infinities in the outputs by 0, counts them per tensor,
 * and warns once per session (naming the model) when there were any. */
static void make_finite(fu_session *s, fu_tensor *outputs, int n_out)
{
    int64_t total = 0, values = 0;
    for (int i = 0; i < n_out; i++) {
        int64_t n = fu_tensor_numel(&outputs[i]);
        outputs[i].nonfinite = fu_floats_make_finite(outputs[i].data, (size_t)(n > 0 ? n : 0));
        total += outputs[i].nonfinite;
        values += n;
    }
    if (total > 0 && atomic_exchange(&s->nonfinite_reported, 1) == 0)
        fu_warn("model %s returned NaN or infinite values (%lld of %lld in one run); the faces or tiles "
                "concerned are left unprocessed (an fp16 model on this provider? try its fp32 version)",
                s->path, (long long)total, (long long)values);
}

facefuse_status fu_session_run(fu_session *s, const fu_tensor *inputs, int n_in, fu_tensor *outputs,
                               int n_out, fu_err *err)
{
    OrtMemoryInfo *mem = NULL;
    OrtValue *in_vals[FU_MAX_IO] = {0}, *out_vals[FU_MAX_IO] = {0};
    void *converted[FU_MAX_IO] = {0};
    facefuse_status rc = FACEFUSE_OK;
    OrtStatus *st;

    if (n_in != s->n_in || n_out < 1 || n_out > s->n_out)
        return fu_fail(err, FACEFUSE_ERR_INTERNAL, "model %s takes %d inputs and gives %d outputs",
                       s->path, s->n_in, s->n_out);
    for (int i = 0; i < n_out; i++)
        memset(&outputs[i], 0, sizeof outputs[i]);
    if (s->cancel && *s->cancel)
        return fu_fail(err, FACEFUSE_ERR_CANCELLED, "stopped before running %s", s->path);
    if ((st = ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &mem)) != NULL)
        return ort_fail(st, err, FACEFUSE_ERR_INTERNAL, "memory info for", s->path);

    for (int i = 0; i < n_in && rc == FACEFUSE_OK; i++) {
        int dtype = s->in[i].dtype ? s->in[i].dtype : FU_DTYPE_FLOAT;
        int64_t n = fu_tensor_numel(&inputs[i]);
        void *data = inputs[i].data;
        if (!dtype_size(dtype)) {
            rc = fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "input %d of %s has element type %d", i,
                         s->path, dtype);
            break;
        }
        if (dtype != FU_DTYPE_FLOAT) {
            data = converted[i] = convert_input(inputs[i].data, n, dtype);
            if (!data) {
                rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for input of %s", s->path);
                break;
            }
        }
        st = ort->CreateTensorWithDataAsOrtValue(mem, data, (size_t)n * dtype_size(dtype),
                                                 inputs[i].dims, (size_t)inputs[i].rank,
                                                 (ONNXTensorElementDataType)dtype, &in_vals[i]);
        if (st)
            rc = ort_fail(st, err, FACEFUSE_ERR_INFERENCE, "cannot bind input for", s->path);
    }

    if (rc == FACEFUSE_OK) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        OrtSession *run_on = s->n_replicas > 1 ? s->replicas[s->next++ % (unsigned)s->n_replicas] : s->session;
        st = ort->Run(run_on, NULL, s->in_names, (const OrtValue *const *)in_vals, (size_t)n_in,
                      s->out_names, (size_t)n_out, out_vals);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        atomic_fetch_add(&ort_run_total_ns,
                         (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec));
        atomic_fetch_add(&ort_run_calls, 1);
        if (st)
            rc = ort_fail(st, err, FACEFUSE_ERR_INFERENCE, "inference failed in", s->path);
    }
    for (int i = 0; i < n_out && rc == FACEFUSE_OK; i++)
        rc = take_output(s, out_vals[i], &outputs[i], i, err);
    if (rc == FACEFUSE_OK)
        make_finite(s, outputs, n_out);
    if (rc != FACEFUSE_OK)
        for (int i = 0; i < n_out; i++)
            fu_tensor_free(&outputs[i]);

    for (int i = 0; i < FU_MAX_IO; i++) {
        if (in_vals[i])
            ort->ReleaseValue(in_vals[i]);
        if (out_vals[i])
            ort->ReleaseValue(out_vals[i]);
        free(converted[i]);
    }
    ort->ReleaseMemoryInfo(mem);
    return rc;
}

static const char *dtype_name(int dtype)
{
    switch (dtype) {
    case FU_DTYPE_FLOAT: return "float32";
    case FU_DTYPE_FLOAT16: return "float16";
    case FU_DTYPE_INT64: return "int64";
    case FU_DTYPE_DOUBLE: return "float64";
    case FU_DTYPE_UINT8: return "uint8";
    default: return "other";
    }
}

static facefuse_status check_one(const fu_session *s, const char *kind, int index,
                                 const fu_tensor_info *have, const fu_io_contract *want, fu_err *err)
{
    int want_dtype_ok = want->dtype < 0   ? 1
                        : want->dtype ? have->dtype == want->dtype
                                      : (have->dtype == FU_DTYPE_FLOAT || have->dtype == FU_DTYPE_FLOAT16);
    if (!want_dtype_ok)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "model %s: %s %d (%s) is %s, expected %s",
                       s->path, kind, index, have->name, dtype_name(have->dtype),
                       want->dtype ? dtype_name(want->dtype) : "float32 or float16");
    if (want->rank_min && (have->rank < want->rank_min || have->rank > want->rank_max))
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "model %s: %s %d (%s) has rank %d, expected %d%s%.0d",
                       s->path, kind, index, have->name, have->rank, want->rank_min,
                       want->rank_max != want->rank_min ? " to " : "",
                       want->rank_max != want->rank_min ? want->rank_max : 0);
    for (int d = 0; d < have->rank && d < FU_MAX_RANK; d++)
        if (want->dims[d] > 0 && have->dims[d] > 0 && have->dims[d] != want->dims[d])
            return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                           "model %s: %s %d (%s) has dimension %d = %lld, expected %lld", s->path, kind,
                           index, have->name, d, (long long)have->dims[d], (long long)want->dims[d]);
    if (want->last_dim > 0 && have->rank > 0 && have->dims[have->rank - 1] > 0 &&
        have->dims[have->rank - 1] != want->last_dim)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT,
                       "model %s: %s %d (%s) has last dimension %lld, expected %lld", s->path, kind,
                       index, have->name, (long long)have->dims[have->rank - 1],
                       (long long)want->last_dim);
    return FACEFUSE_OK;
}

facefuse_status fu_session_check(const fu_session *s, const fu_contract *c, fu_err *err)
{
    facefuse_status rc;
    if (!c)
        return FACEFUSE_OK;
    if (s->n_in != c->n_inputs)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "model %s has %d inputs, expected %d", s->path,
                       s->n_in, c->n_inputs);
    if (s->n_out < c->n_outputs)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CONTRACT, "model %s has %d outputs, expected %d",
                       s->path, s->n_out, c->n_outputs);
    for (int i = 0; i < c->n_inputs; i++)
        if ((rc = check_one(s, "input", i, &s->in[i], &c->inputs[i], err)) != FACEFUSE_OK)
            return rc;
    for (int i = 0; i < c->n_outputs; i++)
        if ((rc = check_one(s, "output", i, &s->out[i], &c->outputs[i], err)) != FACEFUSE_OK)
            return rc;
    return FACEFUSE_OK;
}
