/*
 * facefuse.h — the public C API of facefuse, a face swapper and enhancer.
 *
 * This is the only header a program needs. The model of use is:
 *
 *     facefuse_context_params p = facefuse_context_default_params();
 *     p.model_dir = "/path/to/models";            // or NULL: see below
 *     facefuse_context *ctx;
 *     if (facefuse_context_new(&p, &ctx) != FACEFUSE_OK) ...
 *
 *     facefuse_image img;
 *     facefuse_image_load(ctx, "photo.jpg", &img);
 *     facefuse_analysis_params ap = facefuse_analysis_default_params();
 *     facefuse_face *faces; int n;
 *     facefuse_detect_faces(ctx, &img, &ap, &faces, &n);
 *     ...
 *     facefuse_faces_free(faces);
 *     facefuse_image_free(&img);
 *     facefuse_context_free(ctx);
 *
 * Conventions
 * - Every call that can fail returns a facefuse_status. FACEFUSE_OK is 0.
 *   A one-line message saying what failed and where is then available from
 *   facefuse_context_errmsg(ctx) until the next failing call on that context.
 * - Whatever a function hands out through an out-pointer is owned by the
 *   caller and freed with the matching *_free function. Strings returned as
 *   `const char *` are owned by the library.
 * - A context may be used from several threads at once for analysis calls:
 *   model sessions are shared and ONNX Runtime's Run is thread-safe. The error
 *   message is per context, so for precise messages use one context a thread,
 *   or read the message before another call fails.
 * - Images are 8-bit, interleaved RGB (3 channels) or RGBA (4 channels).
 */
#ifndef FACEFUSE_H
#define FACEFUSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define FACEFUSE_API __attribute__((visibility("default")))
#else
#define FACEFUSE_API
#endif

#define FACEFUSE_VERSION_MAJOR 0
#define FACEFUSE_VERSION_MINOR 1
#define FACEFUSE_VERSION_PATCH 0

/* "0.1.0" */
FACEFUSE_API const char *facefuse_version(void);

/* ---------------------------------------------------------------- status */

/* Status codes. Values are stable: new codes are only ever appended. */
typedef enum facefuse_status {
    FACEFUSE_OK = 0,
    FACEFUSE_ERR_INVALID_ARGUMENT = 1, /* a parameter out of its domain */
    FACEFUSE_ERR_NO_MEMORY = 2,
    FACEFUSE_ERR_IO = 3,               /* open/read/write/rename failed */
    FACEFUSE_ERR_DECODE = 4,           /* unreadable, truncated or not media */
    FACEFUSE_ERR_ENCODE = 5,
    FACEFUSE_ERR_MODEL_MISSING = 6,    /* not in the cache and not downloadable */
    FACEFUSE_ERR_MODEL_CORRUPT = 7,    /* CRC32 mismatch or not a valid ONNX file */
    FACEFUSE_ERR_MODEL_CONTRACT = 8,   /* inputs/outputs differ from what we expect */
    FACEFUSE_ERR_DOWNLOAD = 9,
    FACEFUSE_ERR_PROVIDER = 10,        /* execution provider not in this ORT build */
    FACEFUSE_ERR_INFERENCE = 11,       /* ONNX Runtime failed while running */
    FACEFUSE_ERR_NO_FACE = 12,         /* e.g. a source photo with no face */
    FACEFUSE_ERR_UNSUPPORTED = 13,     /* a known option facefuse does not do yet */
    FACEFUSE_ERR_CANCELLED = 14,       /* stopped by the caller (Ctrl-C) */
    FACEFUSE_ERR_INTERNAL = 15,
    FACEFUSE_ERR_NOT_FOUND = 16        /* a named thing (model, file) does not exist */
} facefuse_status;

/* A short, static, English description of a status code. */
FACEFUSE_API const char *facefuse_strerror(facefuse_status status);

/* ---------------------------------------------------------------- logging */

typedef enum facefuse_log_level {
    FACEFUSE_LOG_ERROR = 0,
    FACEFUSE_LOG_WARN = 1,
    FACEFUSE_LOG_INFO = 2,
    FACEFUSE_LOG_DEBUG = 3
} facefuse_log_level;

/* Called for every log line at or below the context's level, on the thread
 * that produced it; `message` has no trailing newline and is valid only for
 * the call. */
typedef void (*facefuse_log_callback)(facefuse_log_level level, const char *message,
                                      void *user_data);

/* ---------------------------------------------------------------- images */

typedef struct facefuse_image {
    int width;
    int height;
    int channels;     /* 3 = RGB, 4 = RGBA */
    int stride;       /* bytes from one row to the next, >= width * channels */
    uint8_t *data;    /* owned by the image: free with facefuse_image_free */
} facefuse_image;

/* Allocates a zeroed width × height image with 3 or 4 channels. */
FACEFUSE_API facefuse_status facefuse_image_alloc(facefuse_image *image, int width, int height,
                                                  int channels);
/* Frees the pixels and zeroes the struct; safe on a zeroed struct. */
FACEFUSE_API void facefuse_image_free(facefuse_image *image);

/* ---------------------------------------------------------------- context */

typedef struct facefuse_context facefuse_context;

#define FACEFUSE_MAX_PROVIDERS 8

typedef struct facefuse_context_params {
    /* Model cache. NULL: $FACEFUSE_MODEL_DIR, else $XDG_CACHE_HOME/facefuse/models,
     * else ~/.cache/facefuse/models. */
    const char *model_dir;
    /* Execution providers by FaceFusion's names, in order of preference:
     * "cpu", "cuda", "tensorrt", "rocm", "migraphx", "openvino", "coreml",
     * "directml", "qnn". NULL-terminated; all NULL means { "cpu" }. Asking for
     * one this ONNX Runtime build lacks fails facefuse_context_new. */
    const char *execution_providers[FACEFUSE_MAX_PROVIDERS + 1];
    int execution_device_id;      /* GPU index for GPU providers, default 0 */
    int execution_thread_count;   /* intra-op threads a session; 0 = ORT default */
    int allow_download;           /* fetch missing models (default 1) */
    const char *download_providers; /* "github huggingface" (order = priority) */
    facefuse_log_level log_level;   /* default FACEFUSE_LOG_INFO */
    facefuse_log_callback log_callback; /* NULL = stderr */
    void *log_user_data;
    /* Several GPUs: one session of each model per device, calls spread over
     * them in turn. 0 devices means { execution_device_id }. Ignored by the
     * CPU provider, which has no devices. */
    int execution_device_ids[FACEFUSE_MAX_PROVIDERS];
    int execution_device_count;
} facefuse_context_params;

FACEFUSE_API facefuse_context_params facefuse_context_default_params(void);
FACEFUSE_API facefuse_status facefuse_context_new(const facefuse_context_params *params,
                                                  facefuse_context **out);
FACEFUSE_API void facefuse_context_free(facefuse_context *ctx);

/* The message of the context's last failure ("" when none). Owned by ctx. */
FACEFUSE_API const char *facefuse_context_errmsg(const facefuse_context *ctx);

/* Providers this ONNX Runtime build offers, by FaceFusion's names. The array
 * and strings are static; *count receives its length. */
FACEFUSE_API const char *const *facefuse_available_providers(int *count);

/* ---------------------------------------------------------------- models */

typedef enum facefuse_model_kind {
    FACEFUSE_MODEL_DETECTOR = 0,
    FACEFUSE_MODEL_LANDMARKER = 1,
    FACEFUSE_MODEL_RECOGNIZER = 2,
    FACEFUSE_MODEL_CLASSIFIER = 3,
    FACEFUSE_MODEL_SWAPPER = 4,
    FACEFUSE_MODEL_ENHANCER = 5,
    FACEFUSE_MODEL_MASKER = 6,
    FACEFUSE_MODEL_OTHER = 7,
    FACEFUSE_MODEL_AGE_MODIFIER = 8,  /* fran, styleganex_age */
    FACEFUSE_MODEL_DEEP_SWAPPER = 9   /* DeepFaceLive .dfm models, "<author>/<name>" */
} facefuse_model_kind;

/* Registers a recognizer under `name` that is not one of FaceFusion's: an
 * ONNX file taking a 1×3×size×size RGB crop aligned with the arcface_112_v2
 * template and normalised as (x − mean) / std, giving a 1×D embedding.
 * Select it with facefuse_analysis_params.recognizer_model = name. */
FACEFUSE_API facefuse_status facefuse_register_recognizer(facefuse_context *ctx, const char *name,
                                                          const char *onnx_path, int size,
                                                          float mean, float std);

/* Makes sure the named model (and its .hash) is in the cache and verified,
 * downloading it when allowed. `progress` may be NULL. */
typedef void (*facefuse_progress_callback)(const char *file_name, int64_t done_bytes,
                                           int64_t total_bytes, void *user_data);
FACEFUSE_API facefuse_status facefuse_model_ensure(facefuse_context *ctx, const char *model_name,
                                                   facefuse_progress_callback progress,
                                                   void *user_data);

/* ---------------------------------------------------------------- faces */

typedef struct facefuse_point {
    float x, y;
} facefuse_point;

#define FACEFUSE_EMBEDDING_MAX 512

typedef enum facefuse_gender {
    FACEFUSE_GENDER_UNKNOWN = -1,
    FACEFUSE_GENDER_MALE = 0,
    FACEFUSE_GENDER_FEMALE = 1
} facefuse_gender;

typedef enum facefuse_race {
    FACEFUSE_RACE_UNKNOWN = -1,
    FACEFUSE_RACE_WHITE = 0,
    FACEFUSE_RACE_BLACK = 1,
    FACEFUSE_RACE_LATINO = 2,
    FACEFUSE_RACE_ASIAN = 3,
    FACEFUSE_RACE_INDIAN = 4,
    FACEFUSE_RACE_ARABIC = 5
} facefuse_race;

/* One detected face, in the pixel coordinates of the analysed image. */
typedef struct facefuse_face {
    float box[4];                     /* x1, y1, x2, y2 */
    float detector_score;
    float landmarker_score;           /* 0 when no 68-point landmarker ran */
    /* Landmark sets as FaceFusion keeps them: the detector's 5 points; the
     * 5 points used for alignment (from the 68 when the landmarker scored
     * above its threshold, else the detector's); the 68 points (landmarker,
     * else estimated from 5); and the 68 estimated from 5 (all zero when no
     * fan_68_5 model was used). Order of 5: left eye, right eye, nose,
     * left mouth corner, right mouth corner. */
    facefuse_point landmark_5[5];
    facefuse_point landmark_5_68[5];
    facefuse_point landmark_68[68];
    facefuse_point landmark_68_5[68];
    int has_landmark_68;              /* landmark_68 holds real points */
    int angle_deg;                    /* 0, 90, 180 or 270 */
    int embedding_dim;                /* 0 when no recognizer ran */
    float embedding[FACEFUSE_EMBEDDING_MAX];
    float normed_embedding[FACEFUSE_EMBEDDING_MAX];
    facefuse_gender gender;
    int age_start, age_end;           /* [start, end) years; -1 when unknown */
    facefuse_race race;
} facefuse_face;

typedef struct facefuse_analysis_params {
    const char *detector_model;       /* "scrfd", "retinaface", "yolo_face", "yunet", "many" */
    int detector_size;                /* square input size; 0 = model's default */
    float detector_score;             /* 0.5 */
    int detector_angles[4];           /* degrees, each of 0/90/180/270 */
    int detector_angle_count;         /* 1 */
    int detector_margin[4];           /* percent top, right, bottom, left */
    const char *landmarker_model;     /* "2dfan4", "peppa_wutz", "many" or NULL for none */
    float landmarker_score;           /* 0.5; 0 skips the 68-point landmarker */
    const char *landmark_5_to_68_model; /* "fan_68_5" or NULL */
    const char *recognizer_model;     /* "arcface_w600k_r50", a registered name, or NULL */
    const char *classifier_model;     /* "fairface" or NULL */
} facefuse_analysis_params;

FACEFUSE_API facefuse_analysis_params facefuse_analysis_default_params(void);

/* Detects and analyses every face of `image`. *faces is an array of *count
 * faces (NULL when 0), freed with facefuse_faces_free. No face is not an
 * error. */
FACEFUSE_API facefuse_status facefuse_detect_faces(facefuse_context *ctx,
                                                   const facefuse_image *image,
                                                   const facefuse_analysis_params *params,
                                                   facefuse_face **faces, int *count);
FACEFUSE_API void facefuse_faces_free(facefuse_face *faces);

/* (1 − cosine similarity of the normed embeddings) / 2, in [0, 1]. */
FACEFUSE_API float facefuse_face_distance(const facefuse_face *a, const facefuse_face *b);

/* ---------------------------------------------------------------- selection */

typedef enum facefuse_selector_mode {
    FACEFUSE_SELECT_REFERENCE = 0,
    FACEFUSE_SELECT_ONE = 1,
    FACEFUSE_SELECT_MANY = 2
} facefuse_selector_mode;

typedef enum facefuse_selector_order {
    FACEFUSE_ORDER_LEFT_RIGHT = 0,
    FACEFUSE_ORDER_RIGHT_LEFT = 1,
    FACEFUSE_ORDER_TOP_BOTTOM = 2,
    FACEFUSE_ORDER_BOTTOM_TOP = 3,
    FACEFUSE_ORDER_SMALL_LARGE = 4,
    FACEFUSE_ORDER_LARGE_SMALL = 5,
    FACEFUSE_ORDER_BEST_WORST = 6,
    FACEFUSE_ORDER_WORST_BEST = 7
} facefuse_selector_order;

typedef struct facefuse_selector_params {
    facefuse_selector_mode mode;      /* reference */
    facefuse_selector_order order;    /* large-small */
    facefuse_gender gender;           /* UNKNOWN = no filter */
    facefuse_race race;               /* UNKNOWN = no filter */
    int age_start, age_end;           /* -1 = no bound */
    int reference_face_position;      /* 0 */
    float reference_face_distance;    /* 0.3 */
} facefuse_selector_params;

FACEFUSE_API facefuse_selector_params facefuse_selector_default_params(void);

/* Sorts and filters `faces` in place and keeps those the mode selects;
 * `reference_faces` (the faces of the reference frame, may be NULL) is
 * needed for the reference mode. *count is updated. */
FACEFUSE_API facefuse_status facefuse_select_faces(facefuse_context *ctx,
                                                   const facefuse_selector_params *params,
                                                   const facefuse_face *reference_faces,
                                                   int reference_count, facefuse_face *faces,
                                                   int *count);

/* ---------------------------------------------------------------- image I/O */

/* Decodes an image file (JPEG, PNG 8/16-bit, WebP, BMP, TIFF) to RGB, or RGBA
 * when it has alpha, with EXIF orientation applied. */
FACEFUSE_API facefuse_status facefuse_image_load(facefuse_context *ctx, const char *path,
                                                 facefuse_image *out);
/* Encodes by the path's extension (jpg/jpeg, png, webp). quality 0–100 as
 * FaceFusion's --output-image-quality. The file appears under `path` only
 * when complete. */
FACEFUSE_API facefuse_status facefuse_image_save(facefuse_context *ctx, const char *path,
                                                 const facefuse_image *image, int quality);

/* ---------------------------------------------------------------- face swapper */

/* Whose face is pasted onto the targets: the average identity of the largest
 * face of each source image (FaceFusion's averaged source face). Opaque;
 * free with facefuse_source_identity_free. Safe to share between threads. */
typedef struct facefuse_source_identity facefuse_source_identity;

/* Detects the faces of each of the n images with `params` (NULL: defaults;
 * a NULL recognizer_model means "arcface_w600k_r50"), takes the largest face
 * of each and averages their embeddings. FACEFUSE_ERR_NO_FACE when no image
 * has a face. */
FACEFUSE_API facefuse_status facefuse_source_identity_from_images(facefuse_context *ctx,
                                                                  const facefuse_image *images, int n,
                                                                  const facefuse_analysis_params *params,
                                                                  facefuse_source_identity **out);
FACEFUSE_API void facefuse_source_identity_free(facefuse_source_identity *identity);

typedef struct facefuse_swapper_params {
    const char *model;      /* "hyperswap_1a_256" (also _1b, _1c), "inswapper_128(_fp16)", "simswap_256",
                               "simswap_unofficial_512", "ghost_1/2/3_256", "hififace_unofficial_256",
                               "blendswap_256", "uniface_256" */
    int pixel_boost;        /* crop size in px, a multiple of the model's; 0 = the model's size */
    float weight;           /* identity balance 0..1, 0.5 = pure source (FaceFusion's --face-swapper-weight) */
    float mask_blur;        /* box mask blur 0..1 (0.3) */
    int mask_padding[4];    /* box mask padding, percent: top, right, bottom, left (0) */
    /* facefuse's own additions (FaceFusion has neither): */
    const char *color_match; /* "none" (NULL), "reinhard" or "histogram": match the swapped face's Lab
                                colour statistics to the target face's before pasting */
    const char *blend_mode;  /* "linear" (NULL) or "poisson": gradient-domain (seamless) paste */
} facefuse_swapper_params;

FACEFUSE_API facefuse_swapper_params facefuse_swapper_default_params(void);

/* Swaps the identity onto each of the count faces of target (changed in
 * place; RGB or RGBA, alpha kept). The faces come from facefuse_detect_faces
 * on this image; with a weight other than 0.5 they need embeddings of the
 * recognizer the identity was made with. */
FACEFUSE_API facefuse_status facefuse_swap_faces(facefuse_context *ctx, const facefuse_swapper_params *params,
                                                 const facefuse_source_identity *identity,
                                                 facefuse_image *target, const facefuse_face *faces,
                                                 int count);

/* ---------------------------------------------------------------- face enhancer */

typedef struct facefuse_enhancer_params {
    const char *model;      /* "gfpgan_1.4" (also 1.2, 1.3), "gpen_bfr_256/512/1024/2048", "codeformer",
                               "restoreformer_plus_plus" */
    int blend;              /* 0–100: share of the enhanced face (80) */
    float weight;           /* CodeFormer's fidelity 0..1 (0.5); ignored by the others */
    float mask_blur;        /* box mask blur 0..1 (0.3) */
} facefuse_enhancer_params;

FACEFUSE_API facefuse_enhancer_params facefuse_enhancer_default_params(void);

/* Restores each of the count faces of image in place (RGB or RGBA, alpha
 * kept), as FaceFusion's face_enhancer: aligned crop, model, paste-back
 * under a box mask, blended with the original by params->blend. Works with
 * or without a swap before it. */
FACEFUSE_API facefuse_status facefuse_enhance_faces(facefuse_context *ctx, const facefuse_enhancer_params *params,
                                                    facefuse_image *image, const facefuse_face *faces,
                                                    int count);

/* ---------------------------------------------------------------- video */

/* A video opened for reading, frame by frame (any container FFmpeg reads;
 * rotation metadata applied, so frames come out upright). */
typedef struct facefuse_video facefuse_video;

typedef struct facefuse_video_info {
    int width, height;     /* of the frames read */
    double fps;            /* average frame rate */
    int64_t frame_count;   /* from the container, else estimated */
    double duration_s;
} facefuse_video_info;

FACEFUSE_API facefuse_status facefuse_video_open(facefuse_context *ctx, const char *path,
                                                 facefuse_video **out);
FACEFUSE_API facefuse_video_info facefuse_video_get_info(const facefuse_video *video);
/* Decodes the next frame into *frame (allocated; free with
 * facefuse_image_free). *got is 0 at the end of the video. */
FACEFUSE_API facefuse_status facefuse_video_read(facefuse_context *ctx, facefuse_video *video,
                                                 facefuse_image *frame, int *got);
FACEFUSE_API void facefuse_video_close(facefuse_video *video);

/* Called for every frame of facefuse_process_video, from several worker
 * threads at once, in no particular order; change the frame in place.
 * A status other than FACEFUSE_OK stops the run with that status. */
typedef facefuse_status (*facefuse_frame_callback)(facefuse_image *frame, int64_t frame_index,
                                                   void *user_data);
/* Called after each written frame, from the calling thread. */
typedef void (*facefuse_video_progress_callback)(int64_t frames_done, int64_t frames_total,
                                                 double frames_per_second, void *user_data);

typedef struct facefuse_video_params {
    const char *video_encoder;   /* NULL = libx264; also libx265 libvpx-vp9 ffv1 prores_ks rawvideo ... */
    const char *video_preset;    /* NULL = veryfast */
    int video_quality;           /* 0–100 (80), mapped to crf/cq as FaceFusion */
    double output_fps;           /* 0 = keep the target's timestamps */
    double output_scale;         /* 1.0 */
    const char *audio_path;      /* NULL, or an audio file replacing the soundtrack */
    const char *audio_encoder;   /* NULL = copy the target's audio when the container takes it */
    int audio_quality;           /* 0–100 (80) */
    int audio_volume;            /* 0–100 (100); 0 drops the audio */
    int64_t trim_frame_start;    /* -1 = from the start */
    int64_t trim_frame_end;      /* -1 = to the end (exclusive) */
    int thread_count;            /* frames processed in parallel; 0 = number of cores */
    facefuse_frame_callback on_frame;
    void *on_frame_user_data;
    facefuse_video_progress_callback on_progress; /* may be NULL */
    void *on_progress_user_data;
    volatile int *cancel;        /* may be NULL; set non-zero to stop (FACEFUSE_ERR_CANCELLED) */
} facefuse_video_params;

FACEFUSE_API facefuse_video_params facefuse_video_default_params(void);

/* Decodes target, calls on_frame on every frame (in parallel), encodes the
 * frames in order into output and keeps the target's audio. The output file
 * appears only when complete; on error or cancel nothing is left. */
FACEFUSE_API facefuse_status facefuse_process_video(facefuse_context *ctx, const char *target_path,
                                                    const char *output_path,
                                                    const facefuse_video_params *params);

#ifdef __cplusplus
}
#endif
#endif /* FACEFUSE_H */
