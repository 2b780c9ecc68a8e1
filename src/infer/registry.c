/*
 * registry.c — the table of FaceFusion 3.8.1 models facefuse knows, the
 * model cache directory, and fu_model_ensure: verify a cached model against
 * FaceFusion's CRC32 ".hash" file, or download it (hash first) from the
 * release buckets and move it into place only once verified.
 *
 * File names, buckets, templates, sizes and normalisations are facts read
 * from FaceFusion's model sets; mean/std are per channel on x/255.
 */
#include "infer/registry.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/file.h"
#include "core/log.h"
#include "infer/download.h"

/* ---------------------------------------------------------------- contracts */

/* scrfd and retinaface: image [1,3,H,W]; scores, boxes and 5-point landmarks
 * for strides 8, 16 and 32, as [N,k] or [1,N,k]. */
static const fu_contract scrfd_contract = {
    .n_inputs = 1,
    .n_outputs = 9,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3}}},
    .outputs = {{.rank_min = 2, .rank_max = 3, .last_dim = 1},
                {.rank_min = 2, .rank_max = 3, .last_dim = 1},
                {.rank_min = 2, .rank_max = 3, .last_dim = 1},
                {.rank_min = 2, .rank_max = 3, .last_dim = 4},
                {.rank_min = 2, .rank_max = 3, .last_dim = 4},
                {.rank_min = 2, .rank_max = 3, .last_dim = 4},
                {.rank_min = 2, .rank_max = 3, .last_dim = 10},
                {.rank_min = 2, .rank_max = 3, .last_dim = 10},
                {.rank_min = 2, .rank_max = 3, .last_dim = 10}},
};

/* yunet: classification, objectness, boxes, landmarks for strides 8/16/32. */
static const fu_contract yunet_contract = {
    .n_inputs = 1,
    .n_outputs = 12,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 640, 640}}},
    .outputs = {{.rank_min = 3, .rank_max = 3, .last_dim = 1},
                {.rank_min = 3, .rank_max = 3, .last_dim = 1},
                {.rank_min = 3, .rank_max = 3, .last_dim = 1},
                {.rank_min = 3, .rank_max = 3, .last_dim = 1},
                {.rank_min = 3, .rank_max = 3, .last_dim = 1},
                {.rank_min = 3, .rank_max = 3, .last_dim = 1},
                {.rank_min = 3, .rank_max = 3, .last_dim = 4},
                {.rank_min = 3, .rank_max = 3, .last_dim = 4},
                {.rank_min = 3, .rank_max = 3, .last_dim = 4},
                {.rank_min = 3, .rank_max = 3, .last_dim = 10},
                {.rank_min = 3, .rank_max = 3, .last_dim = 10},
                {.rank_min = 3, .rank_max = 3, .last_dim = 10}},
};

/* yolo_face: [1,3,640,640] → [1, 4 + 1 + 15, anchors]. */
static const fu_contract yolo_face_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3}}},
    .outputs = {{.rank_min = 3, .rank_max = 3}},
};

/* arcface_w600k_r50: aligned 112×112 crop → 512-d embedding. */
static const fu_contract arcface_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 112, 112}}},
    .outputs = {{.rank_min = 2, .rank_max = 2, .last_dim = 512}},
};

/* fan_68_5: 5 points → 68 points. */
static const fu_contract fan_68_5_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 3, .rank_max = 3, .dims = {1, 5, 2}}},
    .outputs = {{.rank_min = 3, .rank_max = 3, .dims = {1, 68, 2}}},
};

/* 2dfan4: 256×256 crop → 68 × (x, y, score) first, heatmaps after. */
static const fu_contract fan_contract = {
    .n_inputs = 1,
    .n_outputs = -1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
    .outputs = {{.rank_min = 3, .rank_max = 3, .last_dim = 3}},
};

/* fairface: 224×224 crop → race, gender, age logits. */
/* Race, gender and age: class ids (int64) or scores, either is read. */
static const fu_contract fairface_contract = {
    .n_inputs = 1,
    .n_outputs = 3,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 224, 224}}},
    .outputs = {{.dtype = -1}, {.dtype = -1}, {.dtype = -1}},
};

/* inswapper_128 (InsightFace's export): 'target' crop first, 'source' latent second. */
static const fu_contract inswapper_contract = {
    .n_inputs = 2,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 128, 128}},
               {.rank_min = 2, .rank_max = 2, .dims = {1, 512}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 128, 128}}},
};

/* hyperswap (FaceFusion's export): 'source' embedding first, 'target' crop
 * second; outputs the swapped crop, then a mask. */
static const fu_contract hyperswap_contract = {
    .n_inputs = 2,
    .n_outputs = -1,
    .inputs = {{.rank_min = 2, .rank_max = 2, .dims = {1, 512}},
               {.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
};

/* simswap, ghost, hififace: an embedding [1,512] and a crop [1,3,S,S], in
 * an order FaceFusion's source does not record (it binds them by name), so
 * either is accepted and swap_model.c binds them by rank; the swapped crop
 * comes first. */
static const fu_contract swap_vector_256_contract = {
    .n_inputs = 2,
    .n_outputs = 1,
    .inputs = {{.rank_min = 2, .rank_max = 4, .dims = {1}}, {.rank_min = 2, .rank_max = 4, .dims = {1}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
};

static const fu_contract swap_vector_512_contract = {
    .n_inputs = 2,
    .n_outputs = 1,
    .inputs = {{.rank_min = 2, .rank_max = 4, .dims = {1}}, {.rank_min = 2, .rank_max = 4, .dims = {1}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 512, 512}}},
};

/* blendswap (source image [1,3,112,112], target [1,3,256,256]) and uniface
 * (both [1,3,256,256]): two images in either order, told apart in
 * swap_model.c by size, else by the names 'source' and 'target'. */
static const fu_contract swap_image_256_contract = {
    .n_inputs = 2,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3}}, {.rank_min = 4, .rank_max = 4, .dims = {1, 3}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
};

/* CrossFace embedding converters: raw ArcFace embedding [1,512] → [1,512]. */
static const fu_contract crossface_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 2, .rank_max = 2, .dims = {1, 512}}},
    .outputs = {{.rank_min = 2, .rank_max = 2, .dims = {1, 512}}},
};

/* xseg_1/2/3: NHWC [1,256,256,3] crop → [1,256,256,1] occlusion mask. */
static const fu_contract xseg_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 256, 256, 3}}},
    .outputs = {{.rank_min = 3, .rank_max = 4, .dims = {1}}},
};

/* bisenet_resnet_18/34: [1,3,512,512] crop → [1,19,512,512] class logits first. */
static const fu_contract bisenet_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 512, 512}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 19, 512, 512}}},
};

/* fran: a 1024 px RGB crop 'target' and the 'direction' pair, bound by name
 * (age_modifier.c checks them); the aged crop [1,3,1024,1024] in [0, 1]. */
static const fu_contract fran_contract = {
    .n_inputs = 2,
    .n_outputs = 1,
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 1024, 1024}}},
};

/* styleganex_age: 'target' (256 px), 'target_with_background' (384 px) and
 * the scalar 'direction', bound by name; the edited background crop
 * [1,3,4·384,4·384] in [−1, 1]. */
static const fu_contract styleganex_age_contract = {
    .n_inputs = 3,
    .n_outputs = 1,
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3}}},
};

/* DeepFaceLive .dfm models have one or two inputs ('in_face:0' NHWC, and
 * 'morph_value:0' for some), so no fixed contract: deep_swapper.c checks
 * them by name when it opens one. */

/* Background removers: one [1,3,S,S] image (FaceFusion binds it as 'input')
 * → the mask first, [1,1,S,S] or [1,S,S] (u2net-family files add side
 * outputs after it, which are ignored). */
static const fu_contract remover_320_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 320, 320}}},
    .outputs = {{.rank_min = 3, .rank_max = 4, .dims = {1}}},
};

static const fu_contract remover_512_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 512, 512}}},
    .outputs = {{.rank_min = 3, .rank_max = 4, .dims = {1}}},
};

static const fu_contract remover_1024_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 1024, 1024}}},
    .outputs = {{.rank_min = 3, .rank_max = 4, .dims = {1}}},
};

/* u2net_cloth: [1,3,768,768] → per-class scores [1,C,768,768] (background,
 * upper body, lower body, full body), argmax-ed over C. */
static const fu_contract remover_cloth_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 768, 768}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1}}},
};

/* corridor_key: RGB plus a coarse matte, [1,4,S,S] → the mask [1,1,S,S] and
 * the unmixed foreground RGB [1,3,S,S] in [0, 1]. */
static const fu_contract corridor_1024_contract = {
    .n_inputs = 1,
    .n_outputs = 2,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 4, 1024, 1024}}},
    .outputs = {{.rank_min = 3, .rank_max = 4, .dims = {1}},
                {.rank_min = 4, .rank_max = 4, .dims = {1, 3, 1024, 1024}}},
};

static const fu_contract corridor_2048_contract = {
    .n_inputs = 1,
    .n_outputs = 2,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 4, 2048, 2048}}},
    .outputs = {{.rank_min = 3, .rank_max = 4, .dims = {1}},
                {.rank_min = 4, .rank_max = 4, .dims = {1, 3, 2048, 2048}}},
};

/* Frame colorizers: a [1,3,H,W] grey image at --frame-colorizer-size (H, W
 * symbolic in the real files) → ddcolor: the Lab a/b planes [1,2,H,W];
 * deoldify: a colour image [1,3,H,W] in 0..255. */
static const fu_contract ddcolor_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 2}}},
};

static const fu_contract deoldify_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3}}},
};

/* LivePortrait (FaceFusion's export of KwaiVGI's models). The extractors
 * take the 2×2-shrunk 512² crop, RGB/255: the feature extractor gives the
 * feature volume [1,32,16,64,64]; the motion extractor pitch, yaw, roll
 * (degrees) and scale, one value each (their ranks are checked with the
 * value counts in processors/live_portrait.c), translation [1,3], and the
 * expression and canonical keypoints [1,21,3]. */
static const fu_contract lp_feature_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
    .outputs = {{.rank_min = 5, .rank_max = 5, .dims = {1, 32, 16, 64, 64}}},
};

static const fu_contract lp_motion_contract = {
    .n_inputs = 1,
    .n_outputs = 7,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
    .outputs = {{.rank_min = 0}, {.rank_min = 0}, {.rank_min = 0}, {.rank_min = 0},
                {.rank_min = 1, .rank_max = 2, .last_dim = 3},
                {.rank_min = 3, .rank_max = 3, .dims = {1, 21, 3}},
                {.rank_min = 3, .rank_max = 3, .dims = {1, 21, 3}}},
};

/* Eye retargeter: [1, 63 posed keypoints + left and right eye ratios +
 * goal] → 63 keypoint deltas; lip retargeter: [1, 63 + lip ratio + goal]. */
static const fu_contract lp_eye_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 2, .rank_max = 2, .dims = {1, 66}}},
    .outputs = {{.rank_min = 2, .rank_max = 3, .dims = {1}}},
};

static const fu_contract lp_lip_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 2, .rank_max = 2, .dims = {1, 65}}},
    .outputs = {{.rank_min = 2, .rank_max = 3, .dims = {1}}},
};

/* Stitcher: "source" and "target" keypoints [1,21,3] (bound by name, as
 * FaceFusion does) → stitched source keypoints. */
static const fu_contract lp_stitcher_contract = {
    .n_inputs = 2,
    .n_outputs = 1,
    .inputs = {{.rank_min = 3, .rank_max = 3, .dims = {1, 21, 3}},
               {.rank_min = 3, .rank_max = 3, .dims = {1, 21, 3}}},
    .outputs = {{.rank_min = 2, .rank_max = 3, .dims = {1}}},
};

/* Generator: "feature_volume" [1,32,16,64,64], "source" and "target"
 * keypoints [1,21,3], in an order FaceFusion does not rely on (it binds by
 * name; live_portrait.c checks the names and shapes) → 512² crop in [0, 1]. */
static const fu_contract lp_generator_contract = {
    .n_inputs = 3,
    .n_outputs = 1,
    .inputs = {{.rank_min = 3, .rank_max = 5, .dims = {1}}, {.rank_min = 3, .rank_max = 5, .dims = {1}},
               {.rank_min = 3, .rank_max = 5, .dims = {1}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 512, 512}}},
};

/* wav2lip_96/wav2lip_gan_96: "source" audio [1,1,80,16] and "target" face
 * [1,6,96,96], bound by name (so in either order) → [1,3,96,96]. */
static const fu_contract wav2lip_contract = {
    .n_inputs = 2,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {1}}, {.rank_min = 4, .rank_max = 4, .dims = {1}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 96, 96}}},
};

/* edtalk_256: "source" audio [1,1,80,16], "target" face [1,3,256,256] and
 * "weight" [1], bound by name → [1,3,256,256]. */
static const fu_contract edtalk_contract = {
    .n_inputs = 3,
    .n_outputs = 1,
    .inputs = {{.rank_min = 1, .rank_max = 4}, {.rank_min = 1, .rank_max = 4}, {.rank_min = 1, .rank_max = 4}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {1, 3, 256, 256}}},
};

/* kim_vocal_1/2, uvr_mdxnet (MDX-Net): a spectrogram [N,4,3072,T] (L re, L im,
 * R re, R im; T frames) → the voice's, same shape. */
static const fu_contract mdx_contract = {
    .n_inputs = 1,
    .n_outputs = 1,
    .inputs = {{.rank_min = 4, .rank_max = 4, .dims = {0, 4, 3072}}},
    .outputs = {{.rank_min = 4, .rank_max = 4, .dims = {0, 4, 3072}}},
};

/* ---------------------------------------------------------------- the table */

/* Normalisations, as (x/255 − mean)/std per channel. */
#define NORM_ZERO {0.0f, 0.0f, 0.0f}
#define NORM_ONE {1.0f, 1.0f, 1.0f}
#define NORM_HALF {0.5f, 0.5f, 0.5f}                  /* to [−1, 1] */
#define NORM_RAW_STD {1 / 255.0f, 1 / 255.0f, 1 / 255.0f} /* raw 0–255 */
#define DETECTOR_MEAN {0.5f, 0.5f, 0.5f}              /* (x − 127.5)/128 */
#define DETECTOR_STD {128 / 255.0f, 128 / 255.0f, 128 / 255.0f}
#define IMAGENET_MEAN {0.485f, 0.456f, 0.406f}
#define IMAGENET_STD {0.229f, 0.224f, 0.225f}

/* A DeepFaceLive model of FaceFusion's deep swapper set: "<author>/<name>",
 * kept under <author>/<name>.dfm, on Hugging Face only, in the repository
 * deepfacelive-models-<author>; its size comes from the model itself. */
#define DFM(author, name, scope)                                                                             \
    {author "/" name, FACEFUSE_MODEL_DEEP_SWAPPER, author "/" name ".dfm", "deepfacelive-models-" author,   \
     "dfl_whole_face", 0, NORM_ZERO, NORM_ONE, NULL, NULL, scope, "huggingface"}

/* Columns: name, kind, file, bucket, template, size (frame enhancers: the
 * tile size), mean, std, contract, extra model[, scope, providers]. */
static const fu_model_def models[] = {
    {"retinaface", FACEFUSE_MODEL_DETECTOR, "retinaface_10g.onnx", "models-3.0.0", NULL, 640,
     DETECTOR_MEAN, DETECTOR_STD, &scrfd_contract, NULL, FU_SCOPE_LITE, NULL},
    {"scrfd", FACEFUSE_MODEL_DETECTOR, "scrfd_2.5g.onnx", "models-3.0.0", NULL, 640,
     DETECTOR_MEAN, DETECTOR_STD, &scrfd_contract, NULL, FU_SCOPE_LITE, NULL},
    {"yolo_face", FACEFUSE_MODEL_DETECTOR, "yoloface_8n.onnx", "models-3.0.0", NULL, 640,
     NORM_ZERO, NORM_ONE, &yolo_face_contract, NULL, FU_SCOPE_LITE, NULL},
    {"yunet", FACEFUSE_MODEL_DETECTOR, "yunet_2023_mar.onnx", "models-3.4.0", NULL, 640,
     NORM_ZERO, NORM_RAW_STD, &yunet_contract, NULL, FU_SCOPE_LITE, NULL},
    {"2dfan4", FACEFUSE_MODEL_LANDMARKER, "2dfan4.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, &fan_contract, NULL, FU_SCOPE_LITE, NULL},
    {"peppa_wutz", FACEFUSE_MODEL_LANDMARKER, "peppa_wutz.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"fan_68_5", FACEFUSE_MODEL_LANDMARKER, "fan_68_5.onnx", "models-3.0.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &fan_68_5_contract, NULL, FU_SCOPE_LITE, NULL},
    {"arcface_w600k_r50", FACEFUSE_MODEL_RECOGNIZER, "arcface_w600k_r50.onnx", "models-3.0.0", "arcface_112_v2", 112,
     NORM_HALF, NORM_HALF, &arcface_contract, NULL, FU_SCOPE_LITE, NULL},
    {"fairface", FACEFUSE_MODEL_CLASSIFIER, "fairface.onnx", "models-3.0.0", "arcface_112_v2", 224,
     IMAGENET_MEAN, IMAGENET_STD, &fairface_contract, NULL, FU_SCOPE_LITE, NULL},
    {"xseg_1", FACEFUSE_MODEL_MASKER, "xseg_1.onnx", "models-3.1.0", NULL, 256,
     NORM_ZERO, NORM_ONE, &xseg_contract, NULL, FU_SCOPE_LITE, NULL},
    {"xseg_2", FACEFUSE_MODEL_MASKER, "xseg_2.onnx", "models-3.1.0", NULL, 256,
     NORM_ZERO, NORM_ONE, &xseg_contract, NULL, FU_SCOPE_LITE, NULL},
    {"xseg_3", FACEFUSE_MODEL_MASKER, "xseg_3.onnx", "models-3.2.0", NULL, 256,
     NORM_ZERO, NORM_ONE, &xseg_contract, NULL, FU_SCOPE_LITE, NULL},
    {"bisenet_resnet_18", FACEFUSE_MODEL_MASKER, "bisenet_resnet_18.onnx", "models-3.1.0", NULL, 512,
     IMAGENET_MEAN, IMAGENET_STD, &bisenet_contract, NULL, FU_SCOPE_LITE, NULL},
    {"bisenet_resnet_34", FACEFUSE_MODEL_MASKER, "bisenet_resnet_34.onnx", "models-3.0.0", NULL, 512,
     IMAGENET_MEAN, IMAGENET_STD, &bisenet_contract, NULL, FU_SCOPE_LITE, NULL},
    {"blendswap_256", FACEFUSE_MODEL_SWAPPER, "blendswap_256.onnx", "models-3.0.0", "ffhq_512", 256,
     NORM_ZERO, NORM_ONE, &swap_image_256_contract, NULL, FU_SCOPE_LITE, NULL},
    {"ghost_1_256", FACEFUSE_MODEL_SWAPPER, "ghost_1_256.onnx", "models-3.0.0", "arcface_112_v1", 256,
     NORM_HALF, NORM_HALF, &swap_vector_256_contract, "crossface_ghost", FU_SCOPE_LITE, NULL},
    {"ghost_2_256", FACEFUSE_MODEL_SWAPPER, "ghost_2_256.onnx", "models-3.0.0", "arcface_112_v1", 256,
     NORM_HALF, NORM_HALF, &swap_vector_256_contract, "crossface_ghost", FU_SCOPE_LITE, NULL},
    {"ghost_3_256", FACEFUSE_MODEL_SWAPPER, "ghost_3_256.onnx", "models-3.0.0", "arcface_112_v1", 256,
     NORM_HALF, NORM_HALF, &swap_vector_256_contract, "crossface_ghost", FU_SCOPE_LITE, NULL},
    {"hififace_unofficial_256", FACEFUSE_MODEL_SWAPPER, "hififace_unofficial_256.onnx", "models-3.1.0", "mtcnn_512", 256,
     NORM_HALF, NORM_HALF, &swap_vector_256_contract, "crossface_hififace", FU_SCOPE_LITE, NULL},
    {"hyperswap_1a_256", FACEFUSE_MODEL_SWAPPER, "hyperswap_1a_256.onnx", "models-3.3.0", "arcface_128", 256,
     NORM_HALF, NORM_HALF, &hyperswap_contract, NULL, FU_SCOPE_LITE, NULL},
    {"hyperswap_1b_256", FACEFUSE_MODEL_SWAPPER, "hyperswap_1b_256.onnx", "models-3.3.0", "arcface_128", 256,
     NORM_HALF, NORM_HALF, &hyperswap_contract, NULL, FU_SCOPE_LITE, NULL},
    {"hyperswap_1c_256", FACEFUSE_MODEL_SWAPPER, "hyperswap_1c_256.onnx", "models-3.3.0", "arcface_128", 256,
     NORM_HALF, NORM_HALF, &hyperswap_contract, NULL, FU_SCOPE_LITE, NULL},
    {"inswapper_128", FACEFUSE_MODEL_SWAPPER, "inswapper_128.onnx", "models-3.0.0", "arcface_128", 128,
     NORM_ZERO, NORM_ONE, &inswapper_contract, NULL, FU_SCOPE_LITE, NULL},
    {"inswapper_128_fp16", FACEFUSE_MODEL_SWAPPER, "inswapper_128_fp16.onnx", "models-3.0.0", "arcface_128", 128,
     NORM_ZERO, NORM_ONE, &inswapper_contract, NULL, FU_SCOPE_LITE, NULL},
    {"simswap_256", FACEFUSE_MODEL_SWAPPER, "simswap_256.onnx", "models-3.0.0", "arcface_112_v1", 256,
     IMAGENET_MEAN, IMAGENET_STD, &swap_vector_256_contract, "crossface_simswap", FU_SCOPE_LITE, NULL},
    {"simswap_unofficial_512", FACEFUSE_MODEL_SWAPPER, "simswap_unofficial_512.onnx", "models-3.0.0", "arcface_112_v1", 512,
     NORM_ZERO, NORM_ONE, &swap_vector_512_contract, "crossface_simswap", FU_SCOPE_LITE, NULL},
    {"uniface_256", FACEFUSE_MODEL_SWAPPER, "uniface_256.onnx", "models-3.0.0", "ffhq_512", 256,
     NORM_HALF, NORM_HALF, &swap_image_256_contract, NULL, FU_SCOPE_LITE, NULL},
    {"crossface_ghost", FACEFUSE_MODEL_OTHER, "crossface_ghost.onnx", "models-3.4.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &crossface_contract, NULL, FU_SCOPE_LITE, NULL},
    {"crossface_hififace", FACEFUSE_MODEL_OTHER, "crossface_hififace.onnx", "models-3.4.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &crossface_contract, NULL, FU_SCOPE_LITE, NULL},
    {"crossface_simswap", FACEFUSE_MODEL_OTHER, "crossface_simswap.onnx", "models-3.4.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &crossface_contract, NULL, FU_SCOPE_LITE, NULL},
    {"codeformer", FACEFUSE_MODEL_ENHANCER, "codeformer.onnx", "models-3.0.0", "ffhq_512", 512,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"gfpgan_1.2", FACEFUSE_MODEL_ENHANCER, "gfpgan_1.2.onnx", "models-3.0.0", "ffhq_512", 512,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"gfpgan_1.3", FACEFUSE_MODEL_ENHANCER, "gfpgan_1.3.onnx", "models-3.0.0", "ffhq_512", 512,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"gfpgan_1.4", FACEFUSE_MODEL_ENHANCER, "gfpgan_1.4.onnx", "models-3.0.0", "ffhq_512", 512,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"gpen_bfr_256", FACEFUSE_MODEL_ENHANCER, "gpen_bfr_256.onnx", "models-3.0.0", "arcface_128", 256,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"gpen_bfr_512", FACEFUSE_MODEL_ENHANCER, "gpen_bfr_512.onnx", "models-3.0.0", "ffhq_512", 512,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"gpen_bfr_1024", FACEFUSE_MODEL_ENHANCER, "gpen_bfr_1024.onnx", "models-3.0.0", "ffhq_512", 1024,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"gpen_bfr_2048", FACEFUSE_MODEL_ENHANCER, "gpen_bfr_2048.onnx", "models-3.0.0", "ffhq_512", 2048,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"restoreformer_plus_plus", FACEFUSE_MODEL_ENHANCER, "restoreformer_plus_plus.onnx", "models-3.0.0", "ffhq_512", 512,
     NORM_HALF, NORM_HALF, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"clear_reality_x4", FACEFUSE_MODEL_ENHANCER, "clear_reality_x4.onnx", "models-3.0.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"face_dat_x4", FACEFUSE_MODEL_ENHANCER, "face_dat_x4.onnx", "models-3.5.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"nomos8k_sc_x4", FACEFUSE_MODEL_ENHANCER, "nomos8k_sc_x4.onnx", "models-3.0.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_esrgan_x2", FACEFUSE_MODEL_ENHANCER, "real_esrgan_x2.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_esrgan_x2_fp16", FACEFUSE_MODEL_ENHANCER, "real_esrgan_x2_fp16.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_esrgan_x4", FACEFUSE_MODEL_ENHANCER, "real_esrgan_x4.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_esrgan_x4_fp16", FACEFUSE_MODEL_ENHANCER, "real_esrgan_x4_fp16.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_esrgan_x8", FACEFUSE_MODEL_ENHANCER, "real_esrgan_x8.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_esrgan_x8_fp16", FACEFUSE_MODEL_ENHANCER, "real_esrgan_x8_fp16.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_hatgan_x4", FACEFUSE_MODEL_ENHANCER, "real_hatgan_x4.onnx", "models-3.0.0", NULL, 256,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"real_web_photo_x4", FACEFUSE_MODEL_ENHANCER, "real_web_photo_x4.onnx", "models-3.1.0", NULL, 64,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"realistic_rescaler_x4", FACEFUSE_MODEL_ENHANCER, "realistic_rescaler_x4.onnx", "models-3.1.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"remacri_x4", FACEFUSE_MODEL_ENHANCER, "remacri_x4.onnx", "models-3.1.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"siax_x4", FACEFUSE_MODEL_ENHANCER, "siax_x4.onnx", "models-3.1.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"span_kendata_x4", FACEFUSE_MODEL_ENHANCER, "span_kendata_x4.onnx", "models-3.0.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"swin2_sr_x4", FACEFUSE_MODEL_ENHANCER, "swin2_sr_x4.onnx", "models-3.1.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"tghq_face_x8", FACEFUSE_MODEL_ENHANCER, "tghq_face_x8.onnx", "models-3.5.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"ultra_sharp_x4", FACEFUSE_MODEL_ENHANCER, "ultra_sharp_x4.onnx", "models-3.0.0", NULL, 128,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    {"ultra_sharp_2_x4", FACEFUSE_MODEL_ENHANCER, "ultra_sharp_2_x4.onnx", "models-3.3.0", NULL, 1024,
     NORM_ZERO, NORM_ONE, NULL, NULL, FU_SCOPE_LITE, NULL},
    /* background_remover: size, mean/std and bucket from FaceFusion's model set */
    {"ben_2", FACEFUSE_MODEL_OTHER, "ben_2.onnx", "models-3.5.0", NULL, 1024,
     NORM_ZERO, NORM_ONE, &remover_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"birefnet_general", FACEFUSE_MODEL_OTHER, "birefnet_general.onnx", "models-3.5.0", NULL, 1024,
     NORM_ZERO, NORM_ONE, &remover_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"birefnet_portrait", FACEFUSE_MODEL_OTHER, "birefnet_portrait.onnx", "models-3.5.0", NULL, 1024,
     NORM_ZERO, NORM_ONE, &remover_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"corridor_key_1024", FACEFUSE_MODEL_OTHER, "corridor_key_1024.onnx", "models-3.6.0", NULL, 1024,
     IMAGENET_MEAN, IMAGENET_STD, &corridor_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"corridor_key_2048", FACEFUSE_MODEL_OTHER, "corridor_key_2048.onnx", "models-3.6.0", NULL, 2048,
     IMAGENET_MEAN, IMAGENET_STD, &corridor_2048_contract, NULL, FU_SCOPE_LITE, NULL},
    {"isnet_general", FACEFUSE_MODEL_OTHER, "isnet_general.onnx", "models-3.5.0", NULL, 1024,
     NORM_HALF, NORM_ONE, &remover_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"modnet", FACEFUSE_MODEL_OTHER, "modnet.onnx", "models-3.5.0", NULL, 512,
     NORM_HALF, NORM_HALF, &remover_512_contract, NULL, FU_SCOPE_LITE, NULL},
    {"ormbg", FACEFUSE_MODEL_OTHER, "ormbg.onnx", "models-3.5.0", NULL, 1024,
     NORM_ZERO, NORM_ONE, &remover_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"rmbg_1.4", FACEFUSE_MODEL_OTHER, "rmbg_1.4.onnx", "models-3.5.0", NULL, 1024,
     NORM_HALF, NORM_ONE, &remover_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"rmbg_2.0", FACEFUSE_MODEL_OTHER, "rmbg_2.0.onnx", "models-3.5.0", NULL, 1024,
     IMAGENET_MEAN, IMAGENET_STD, &remover_1024_contract, NULL, FU_SCOPE_LITE, NULL},
    {"silueta", FACEFUSE_MODEL_OTHER, "silueta.onnx", "models-3.5.0", NULL, 320,
     IMAGENET_MEAN, IMAGENET_STD, &remover_320_contract, NULL, FU_SCOPE_LITE, NULL},
    {"u2net_cloth", FACEFUSE_MODEL_OTHER, "u2net_cloth.onnx", "models-3.5.0", NULL, 768,
     IMAGENET_MEAN, IMAGENET_STD, &remover_cloth_contract, NULL, FU_SCOPE_LITE, NULL},
    {"u2net_general", FACEFUSE_MODEL_OTHER, "u2net_general.onnx", "models-3.5.0", NULL, 320,
     IMAGENET_MEAN, IMAGENET_STD, &remover_320_contract, NULL, FU_SCOPE_LITE, NULL},
    {"u2net_human", FACEFUSE_MODEL_OTHER, "u2net_human.onnx", "models-3.5.0", NULL, 320,
     IMAGENET_MEAN, IMAGENET_STD, &remover_320_contract, NULL, FU_SCOPE_LITE, NULL},
    {"u2netp", FACEFUSE_MODEL_OTHER, "u2netp.onnx", "models-3.5.0", NULL, 320,
     IMAGENET_MEAN, IMAGENET_STD, &remover_320_contract, NULL, FU_SCOPE_LITE, NULL},
    /* frame_colorizer: no fixed size (--frame-colorizer-size); ddcolor takes
     * RGB/255, deoldify raw 0..255 */
    {"ddcolor", FACEFUSE_MODEL_OTHER, "ddcolor.onnx", "models-3.0.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &ddcolor_contract, NULL, FU_SCOPE_LITE, NULL},
    {"ddcolor_artistic", FACEFUSE_MODEL_OTHER, "ddcolor_artistic.onnx", "models-3.0.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &ddcolor_contract, NULL, FU_SCOPE_LITE, NULL},
    {"deoldify", FACEFUSE_MODEL_OTHER, "deoldify.onnx", "models-3.0.0", NULL, 0,
     NORM_ZERO, NORM_RAW_STD, &deoldify_contract, NULL, FU_SCOPE_LITE, NULL},
    {"deoldify_artistic", FACEFUSE_MODEL_OTHER, "deoldify_artistic.onnx", "models-3.0.0", NULL, 0,
     NORM_ZERO, NORM_RAW_STD, &deoldify_contract, NULL, FU_SCOPE_LITE, NULL},
    {"deoldify_stable", FACEFUSE_MODEL_OTHER, "deoldify_stable.onnx", "models-3.0.0", NULL, 0,
     NORM_ZERO, NORM_RAW_STD, &deoldify_contract, NULL, FU_SCOPE_LITE, NULL},
    /* LivePortrait, shared by expression_restorer (arcface_128 crop) and
     * face_editor (ffhq_512 crop); the crop is 512², the extractors see 256². */
    {"live_portrait_feature_extractor", FACEFUSE_MODEL_OTHER, "live_portrait_feature_extractor.onnx", "models-3.0.0",
     NULL, 256, NORM_ZERO, NORM_ONE, &lp_feature_contract, NULL, FU_SCOPE_LITE, NULL},
    {"live_portrait_motion_extractor", FACEFUSE_MODEL_OTHER, "live_portrait_motion_extractor.onnx", "models-3.0.0",
     NULL, 256, NORM_ZERO, NORM_ONE, &lp_motion_contract, NULL, FU_SCOPE_LITE, NULL},
    {"live_portrait_eye_retargeter", FACEFUSE_MODEL_OTHER, "live_portrait_eye_retargeter.onnx", "models-3.0.0",
     NULL, 0, NORM_ZERO, NORM_ONE, &lp_eye_contract, NULL, FU_SCOPE_LITE, NULL},
    {"live_portrait_lip_retargeter", FACEFUSE_MODEL_OTHER, "live_portrait_lip_retargeter.onnx", "models-3.0.0",
     NULL, 0, NORM_ZERO, NORM_ONE, &lp_lip_contract, NULL, FU_SCOPE_LITE, NULL},
    {"live_portrait_stitcher", FACEFUSE_MODEL_OTHER, "live_portrait_stitcher.onnx", "models-3.0.0",
     NULL, 0, NORM_ZERO, NORM_ONE, &lp_stitcher_contract, NULL, FU_SCOPE_LITE, NULL},
    {"live_portrait_generator", FACEFUSE_MODEL_OTHER, "live_portrait_generator.onnx", "models-3.0.0",
     NULL, 512, NORM_ZERO, NORM_ONE, &lp_generator_contract, NULL, FU_SCOPE_LITE, NULL},
    /* lip syncers (size: the model's face input) and voice extractors */
    {"edtalk_256", FACEFUSE_MODEL_OTHER, "edtalk_256.onnx", "models-3.3.0", "ffhq_512", 256,
     NORM_ZERO, NORM_ONE, &edtalk_contract, NULL, FU_SCOPE_LITE, NULL},
    {"wav2lip_96", FACEFUSE_MODEL_OTHER, "wav2lip_96.onnx", "models-3.0.0", "ffhq_512", 96,
     NORM_ZERO, NORM_ONE, &wav2lip_contract, NULL, FU_SCOPE_LITE, NULL},
    {"wav2lip_gan_96", FACEFUSE_MODEL_OTHER, "wav2lip_gan_96.onnx", "models-3.0.0", "ffhq_512", 96,
     NORM_ZERO, NORM_ONE, &wav2lip_contract, NULL, FU_SCOPE_LITE, NULL},
    {"kim_vocal_1", FACEFUSE_MODEL_OTHER, "kim_vocal_1.onnx", "models-3.4.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &mdx_contract, NULL, FU_SCOPE_LITE, NULL},
    {"kim_vocal_2", FACEFUSE_MODEL_OTHER, "kim_vocal_2.onnx", "models-3.0.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &mdx_contract, NULL, FU_SCOPE_LITE, NULL},
    {"uvr_mdxnet", FACEFUSE_MODEL_OTHER, "uvr_mdxnet.onnx", "models-3.4.0", NULL, 0,
     NORM_ZERO, NORM_ONE, &mdx_contract, NULL, FU_SCOPE_LITE, NULL},
    {"fran", FACEFUSE_MODEL_AGE_MODIFIER, "fran.onnx", "models-3.6.0", "ffhq_512", 1024,
     NORM_ZERO, NORM_ONE, &fran_contract, NULL, FU_SCOPE_LITE, NULL},
    {"styleganex_age", FACEFUSE_MODEL_AGE_MODIFIER, "styleganex_age.onnx", "models-3.1.0", "ffhq_512", 256,
     NORM_HALF, NORM_HALF, &styleganex_age_contract, NULL, FU_SCOPE_LITE, NULL},
    /* FaceFusion 3.8.1's deep swapper set, in its order. */
    DFM("druuzil", "adam_levine_320", FU_SCOPE_FULL),
    DFM("druuzil", "adrianne_palicki_384", FU_SCOPE_FULL),
    DFM("druuzil", "agnetha_falskog_224", FU_SCOPE_FULL),
    DFM("druuzil", "alan_ritchson_320", FU_SCOPE_FULL),
    DFM("druuzil", "alicia_vikander_320", FU_SCOPE_FULL),
    DFM("druuzil", "amber_midthunder_320", FU_SCOPE_FULL),
    DFM("druuzil", "andras_arato_384", FU_SCOPE_FULL),
    DFM("druuzil", "andrew_tate_320", FU_SCOPE_FULL),
    DFM("druuzil", "angelina_jolie_384", FU_SCOPE_FULL),
    DFM("druuzil", "anne_hathaway_320", FU_SCOPE_FULL),
    DFM("druuzil", "anya_chalotra_320", FU_SCOPE_FULL),
    DFM("druuzil", "arnold_schwarzenegger_320", FU_SCOPE_FULL),
    DFM("druuzil", "benjamin_affleck_320", FU_SCOPE_FULL),
    DFM("druuzil", "benjamin_stiller_384", FU_SCOPE_FULL),
    DFM("druuzil", "bradley_pitt_224", FU_SCOPE_FULL),
    DFM("druuzil", "brie_larson_384", FU_SCOPE_FULL),
    DFM("druuzil", "bruce_campbell_384", FU_SCOPE_FULL),
    DFM("druuzil", "bryan_cranston_320", FU_SCOPE_FULL),
    DFM("druuzil", "catherine_blanchett_352", FU_SCOPE_FULL),
    DFM("druuzil", "christian_bale_320", FU_SCOPE_FULL),
    DFM("druuzil", "christopher_hemsworth_320", FU_SCOPE_FULL),
    DFM("druuzil", "christoph_waltz_384", FU_SCOPE_FULL),
    DFM("druuzil", "cillian_murphy_320", FU_SCOPE_FULL),
    DFM("druuzil", "cobie_smulders_256", FU_SCOPE_FULL),
    DFM("druuzil", "dwayne_johnson_384", FU_SCOPE_FULL),
    DFM("druuzil", "edward_norton_320", FU_SCOPE_FULL),
    DFM("druuzil", "elisabeth_shue_320", FU_SCOPE_FULL),
    DFM("druuzil", "elizabeth_olsen_384", FU_SCOPE_FULL),
    DFM("druuzil", "elon_musk_320", FU_SCOPE_FULL),
    DFM("druuzil", "emily_blunt_320", FU_SCOPE_FULL),
    DFM("druuzil", "emma_stone_384", FU_SCOPE_FULL),
    DFM("druuzil", "emma_watson_320", FU_SCOPE_FULL),
    DFM("druuzil", "erin_moriarty_384", FU_SCOPE_FULL),
    DFM("druuzil", "eva_green_320", FU_SCOPE_FULL),
    DFM("druuzil", "ewan_mcgregor_320", FU_SCOPE_FULL),
    DFM("druuzil", "florence_pugh_320", FU_SCOPE_FULL),
    DFM("druuzil", "freya_allan_320", FU_SCOPE_FULL),
    DFM("druuzil", "gary_cole_224", FU_SCOPE_FULL),
    DFM("druuzil", "gigi_hadid_224", FU_SCOPE_FULL),
    DFM("druuzil", "harrison_ford_384", FU_SCOPE_FULL),
    DFM("druuzil", "hayden_christensen_320", FU_SCOPE_FULL),
    DFM("druuzil", "heath_ledger_320", FU_SCOPE_FULL),
    DFM("druuzil", "henry_cavill_448", FU_SCOPE_FULL),
    DFM("druuzil", "hugh_jackman_384", FU_SCOPE_FULL),
    DFM("druuzil", "idris_elba_320", FU_SCOPE_FULL),
    DFM("druuzil", "jack_nicholson_320", FU_SCOPE_FULL),
    DFM("druuzil", "james_carrey_384", FU_SCOPE_FULL),
    DFM("druuzil", "james_mcavoy_320", FU_SCOPE_FULL),
    DFM("druuzil", "james_varney_320", FU_SCOPE_FULL),
    DFM("druuzil", "jason_momoa_320", FU_SCOPE_FULL),
    DFM("druuzil", "jason_statham_320", FU_SCOPE_FULL),
    DFM("druuzil", "jennifer_connelly_384", FU_SCOPE_FULL),
    DFM("druuzil", "jimmy_donaldson_320", FU_SCOPE_FULL),
    DFM("druuzil", "jordan_peterson_384", FU_SCOPE_FULL),
    DFM("druuzil", "karl_urban_224", FU_SCOPE_FULL),
    DFM("druuzil", "kate_beckinsale_384", FU_SCOPE_FULL),
    DFM("druuzil", "laurence_fishburne_384", FU_SCOPE_FULL),
    DFM("druuzil", "lili_reinhart_320", FU_SCOPE_FULL),
    DFM("druuzil", "luke_evans_384", FU_SCOPE_FULL),
    DFM("druuzil", "mads_mikkelsen_384", FU_SCOPE_FULL),
    DFM("druuzil", "mary_winstead_320", FU_SCOPE_FULL),
    DFM("druuzil", "margaret_qualley_384", FU_SCOPE_FULL),
    DFM("druuzil", "melina_juergens_320", FU_SCOPE_FULL),
    DFM("druuzil", "michael_fassbender_320", FU_SCOPE_FULL),
    DFM("druuzil", "michael_fox_320", FU_SCOPE_FULL),
    DFM("druuzil", "millie_bobby_brown_320", FU_SCOPE_FULL),
    DFM("druuzil", "morgan_freeman_320", FU_SCOPE_FULL),
    DFM("druuzil", "patrick_stewart_224", FU_SCOPE_FULL),
    DFM("druuzil", "rachel_weisz_384", FU_SCOPE_FULL),
    DFM("druuzil", "rebecca_ferguson_320", FU_SCOPE_FULL),
    DFM("druuzil", "scarlett_johansson_320", FU_SCOPE_FULL),
    DFM("druuzil", "shannen_doherty_384", FU_SCOPE_FULL),
    DFM("druuzil", "seth_macfarlane_384", FU_SCOPE_FULL),
    DFM("druuzil", "thomas_cruise_320", FU_SCOPE_FULL),
    DFM("druuzil", "thomas_hanks_384", FU_SCOPE_FULL),
    DFM("druuzil", "william_murray_384", FU_SCOPE_FULL),
    DFM("druuzil", "zoe_saldana_384", FU_SCOPE_FULL),
    DFM("edel", "emma_roberts_224", FU_SCOPE_FULL),
    DFM("edel", "ivanka_trump_224", FU_SCOPE_FULL),
    DFM("edel", "lize_dzjabrailova_224", FU_SCOPE_FULL),
    DFM("edel", "sidney_sweeney_224", FU_SCOPE_FULL),
    DFM("edel", "winona_ryder_224", FU_SCOPE_FULL),
    DFM("iperov", "alexandra_daddario_224", FU_SCOPE_LITE),
    DFM("iperov", "alexei_navalny_224", FU_SCOPE_LITE),
    DFM("iperov", "amber_heard_224", FU_SCOPE_LITE),
    DFM("iperov", "dilraba_dilmurat_224", FU_SCOPE_LITE),
    DFM("iperov", "elon_musk_224", FU_SCOPE_LITE),
    DFM("iperov", "emilia_clarke_224", FU_SCOPE_LITE),
    DFM("iperov", "emma_watson_224", FU_SCOPE_LITE),
    DFM("iperov", "erin_moriarty_224", FU_SCOPE_LITE),
    DFM("iperov", "jackie_chan_224", FU_SCOPE_LITE),
    DFM("iperov", "james_carrey_224", FU_SCOPE_LITE),
    DFM("iperov", "jason_statham_320", FU_SCOPE_LITE),
    DFM("iperov", "keanu_reeves_320", FU_SCOPE_LITE),
    DFM("iperov", "margot_robbie_224", FU_SCOPE_LITE),
    DFM("iperov", "natalie_dormer_224", FU_SCOPE_LITE),
    DFM("iperov", "nicolas_coppola_224", FU_SCOPE_LITE),
    DFM("iperov", "robert_downey_224", FU_SCOPE_LITE),
    DFM("iperov", "rowan_atkinson_224", FU_SCOPE_LITE),
    DFM("iperov", "ryan_reynolds_224", FU_SCOPE_LITE),
    DFM("iperov", "scarlett_johansson_224", FU_SCOPE_LITE),
    DFM("iperov", "sylvester_stallone_224", FU_SCOPE_LITE),
    DFM("iperov", "thomas_cruise_224", FU_SCOPE_LITE),
    DFM("iperov", "thomas_holland_224", FU_SCOPE_LITE),
    DFM("iperov", "vin_diesel_224", FU_SCOPE_LITE),
    DFM("iperov", "vladimir_putin_224", FU_SCOPE_LITE),
    DFM("jen", "angelica_trae_288", FU_SCOPE_FULL),
    DFM("jen", "ella_freya_224", FU_SCOPE_FULL),
    DFM("jen", "emma_myers_320", FU_SCOPE_FULL),
    DFM("jen", "evie_pickerill_224", FU_SCOPE_FULL),
    DFM("jen", "kang_hyewon_320", FU_SCOPE_FULL),
    DFM("jen", "maddie_mead_224", FU_SCOPE_FULL),
    DFM("jen", "nicole_turnbull_288", FU_SCOPE_FULL),
    DFM("mats", "alica_schmidt_320", FU_SCOPE_FULL),
    DFM("mats", "ashley_alexiss_224", FU_SCOPE_FULL),
    DFM("mats", "billie_eilish_224", FU_SCOPE_FULL),
    DFM("mats", "brie_larson_224", FU_SCOPE_FULL),
    DFM("mats", "cara_delevingne_224", FU_SCOPE_FULL),
    DFM("mats", "carolin_kebekus_224", FU_SCOPE_FULL),
    DFM("mats", "chelsea_clinton_224", FU_SCOPE_FULL),
    DFM("mats", "claire_boucher_224", FU_SCOPE_FULL),
    DFM("mats", "corinna_kopf_224", FU_SCOPE_FULL),
    DFM("mats", "florence_pugh_224", FU_SCOPE_FULL),
    DFM("mats", "hillary_clinton_224", FU_SCOPE_FULL),
    DFM("mats", "jenna_fischer_224", FU_SCOPE_FULL),
    DFM("mats", "kim_jisoo_320", FU_SCOPE_FULL),
    DFM("mats", "mica_suarez_320", FU_SCOPE_FULL),
    DFM("mats", "shailene_woodley_224", FU_SCOPE_FULL),
    DFM("mats", "shraddha_kapoor_320", FU_SCOPE_FULL),
    DFM("mats", "yu_jimin_352", FU_SCOPE_FULL),
    DFM("rumateus", "alison_brie_224", FU_SCOPE_FULL),
    DFM("rumateus", "amber_heard_224", FU_SCOPE_FULL),
    DFM("rumateus", "angelina_jolie_224", FU_SCOPE_FULL),
    DFM("rumateus", "aubrey_plaza_224", FU_SCOPE_FULL),
    DFM("rumateus", "bridget_regan_224", FU_SCOPE_FULL),
    DFM("rumateus", "cobie_smulders_224", FU_SCOPE_FULL),
    DFM("rumateus", "deborah_woll_224", FU_SCOPE_FULL),
    DFM("rumateus", "dua_lipa_224", FU_SCOPE_FULL),
    DFM("rumateus", "emma_stone_224", FU_SCOPE_FULL),
    DFM("rumateus", "hailee_steinfeld_224", FU_SCOPE_FULL),
    DFM("rumateus", "hilary_duff_224", FU_SCOPE_FULL),
    DFM("rumateus", "jessica_alba_224", FU_SCOPE_FULL),
    DFM("rumateus", "jessica_biel_224", FU_SCOPE_FULL),
    DFM("rumateus", "john_cena_224", FU_SCOPE_FULL),
    DFM("rumateus", "kim_kardashian_224", FU_SCOPE_FULL),
    DFM("rumateus", "kristen_bell_224", FU_SCOPE_FULL),
    DFM("rumateus", "lucy_liu_224", FU_SCOPE_FULL),
    DFM("rumateus", "margot_robbie_224", FU_SCOPE_FULL),
    DFM("rumateus", "megan_fox_224", FU_SCOPE_FULL),
    DFM("rumateus", "meghan_markle_224", FU_SCOPE_FULL),
    DFM("rumateus", "millie_bobby_brown_224", FU_SCOPE_FULL),
    DFM("rumateus", "natalie_portman_224", FU_SCOPE_FULL),
    DFM("rumateus", "nicki_minaj_224", FU_SCOPE_FULL),
    DFM("rumateus", "olivia_wilde_224", FU_SCOPE_FULL),
    DFM("rumateus", "shay_mitchell_224", FU_SCOPE_FULL),
    DFM("rumateus", "sophie_turner_224", FU_SCOPE_FULL),
    DFM("rumateus", "taylor_swift_224", FU_SCOPE_FULL),
};

#define MODEL_COUNT (sizeof models / sizeof models[0])

static const fu_model_def *model_list[MODEL_COUNT + 1];
static pthread_once_t model_list_once = PTHREAD_ONCE_INIT;

static void build_model_list(void)
{
    for (size_t i = 0; i < MODEL_COUNT; i++)
        model_list[i] = &models[i];
    model_list[MODEL_COUNT] = NULL;
}

const fu_model_def *const *fu_model_all(void)
{
    pthread_once(&model_list_once, build_model_list);
    return model_list;
}

const fu_model_def *fu_model_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < MODEL_COUNT; i++)
        if (strcmp(models[i].name, name) == 0)
            return &models[i];
    return NULL;
}

facefuse_status fu_download_scope_parse(const char *name, fu_download_scope *out, fu_err *err)
{
    if (!name || strcmp(name, "lite") == 0)
        *out = FU_SCOPE_LITE;
    else if (strcmp(name, "full") == 0)
        *out = FU_SCOPE_FULL;
    else
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown download scope '%s' (lite, full)", name);
    return FACEFUSE_OK;
}

int fu_model_in_scope(const fu_model_def *m, fu_download_scope scope)
{
    return m && m->scope <= scope;
}

/* ---------------------------------------------------------------- cache directory */

static int is_set(const char *s)
{
    return s && s[0];
}

void fu_model_dir_resolve(const char *explicit_dir, char *out, size_t size)
{
    const char *env_dir = getenv("FACEFUSE_MODEL_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");

    if (is_set(explicit_dir)) {
        snprintf(out, size, "%s", explicit_dir);
    } else if (is_set(env_dir)) {
        snprintf(out, size, "%s", env_dir);
    } else if (is_set(xdg)) {
        snprintf(out, size, "%s/facefuse/models", xdg);
    } else {
        if (!is_set(home)) {
            struct passwd *pw = getpwuid(getuid());
            home = pw && is_set(pw->pw_dir) ? pw->pw_dir : ".";
        }
        snprintf(out, size, "%s/.cache/facefuse/models", home);
    }
}

/* ---------------------------------------------------------------- CRC32 and .hash */

facefuse_status fu_file_crc32(const char *path, uint32_t *crc, fu_err *err)
{
    enum { CHUNK = 1 << 20 };
    unsigned char *buf;
    uLong value = crc32(0L, Z_NULL, 0);
    size_t got;
    int read_errno;
    FILE *f = fopen(path, "rb");

    if (!f)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    buf = malloc(CHUNK);
    if (!buf) {
        fclose(f);
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "no memory to checksum %s", path);
    }
    while ((got = fread(buf, 1, CHUNK, f)) > 0)
        value = crc32(value, buf, (uInt)got);
    read_errno = ferror(f) ? (errno ? errno : EIO) : 0;
    free(buf);
    fclose(f);
    if (read_errno)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot read %s: %s", path, strerror(read_errno));
    *crc = (uint32_t)value;
    return FACEFUSE_OK;
}

/* Reads a FaceFusion .hash file: 8 hex digits, surrounding whitespace allowed. */
static facefuse_status read_hash(const char *hash_path, uint32_t *expected, fu_err *err)
{
    char text[64];
    size_t n, start = 0, end;
    FILE *f = fopen(hash_path, "rb");

    if (!f)
        return fu_fail(err, FACEFUSE_ERR_IO, "cannot open %s: %s", hash_path, strerror(errno));
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    end = n;
    while (start < end && isspace((unsigned char)text[start]))
        start++;
    while (end > start && isspace((unsigned char)text[end - 1]))
        end--;
    if (end - start != 8)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT,
                       "%s is not a CRC32 hash file (expected 8 hex digits)", hash_path);
    for (size_t i = start; i < end; i++)
        if (!isxdigit((unsigned char)text[i]))
            return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT,
                           "%s is not a CRC32 hash file (expected 8 hex digits)", hash_path);
    text[end] = '\0';
    *expected = (uint32_t)strtoul(text + start, NULL, 16);
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- verification */

/* Paths warned about as unverified, so each is warned about once a process. */
typedef struct warned_path {
    struct warned_path *next;
    char path[];
} warned_path;

static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static warned_path *warned_head;

/* 1 the first time `path` is seen, then 0. */
static int first_warning_for(const char *path)
{
    warned_path *w;
    int first = 1;

    pthread_mutex_lock(&warned_lock);
    for (w = warned_head; w; w = w->next)
        if (strcmp(w->path, path) == 0)
            first = 0;
    if (first) {
        size_t len = strlen(path) + 1;
        w = malloc(sizeof *w + len);
        if (w) {
            memcpy(w->path, path, len);
            w->next = warned_head;
            warned_head = w;
        }
    }
    pthread_mutex_unlock(&warned_lock);
    return first;
}

/* A model file that is already in the cache: checks it against its .hash. */
static facefuse_status verify_cached(const fu_model_def *m, const char *path,
                                     const char *hash_path, fu_err *err)
{
    uint32_t expected, actual;
    facefuse_status st;

    if (!fu_file_exists(hash_path)) {
        if (first_warning_for(path))
            fu_warn("model %s: %s has no hash file beside it (%s); using it unverified", m->name,
                    path, hash_path);
        return FACEFUSE_OK;
    }
    st = read_hash(hash_path, &expected, err);
    if (st != FACEFUSE_OK)
        return st;
    st = fu_file_crc32(path, &actual, err);
    if (st != FACEFUSE_OK)
        return st;
    if (actual != expected)
        return fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT,
                       "model %s: %s is corrupt (CRC32 %08x, %s expects %08x); delete it to "
                       "download it again, or replace it",
                       m->name, path, (unsigned)actual, hash_path, (unsigned)expected);
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- download sources */

#define MAX_SOURCES 4
#define URL_MAX FU_URL_MAX

/* The base URLs ("<base>/<bucket>/<file>" gives a file), in priority order. */
typedef struct sources {
    int count;
    char base[MAX_SOURCES][URL_MAX];
} sources;

static void add_source(sources *s, const char *base)
{
    if (s->count < MAX_SOURCES)
        snprintf(s->base[s->count++], URL_MAX, "%s", base);
}

/* FACEFUSE_DOWNLOAD_BASE_URL when set, else the providers by name: the
 * model's own when it has them, else the store's. */
static facefuse_status list_sources(const char *providers, const fu_model_def *m, sources *s, fu_err *err)
{
    const char *override = getenv("FACEFUSE_DOWNLOAD_BASE_URL");
    const char *p = is_set(m->providers) ? m->providers : is_set(providers) ? providers : "github huggingface";

    s->count = 0;
    if (is_set(override)) {
        size_t len = strlen(override);
        while (len > 1 && override[len - 1] == '/')
            len--;
        if (s->count < MAX_SOURCES)
            snprintf(s->base[s->count++], URL_MAX, "%.*s", (int)len, override);
        return FACEFUSE_OK;
    }
    while (*p) {
        size_t len;
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        len = strcspn(p, " ,\t");
        if (len == 0)
            break;
        if (len == 6 && strncmp(p, "github", len) == 0) {
            add_source(s, "https://github.com/facefusion/facefusion-assets/releases/download");
        } else if (len == 11 && strncmp(p, "huggingface", len) == 0) {
            add_source(s, "https://huggingface.co/facefusion");
            add_source(s, "https://hf-mirror.com/facefusion");
        } else {
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT,
                           "unknown download provider '%.*s' (known: github, huggingface)",
                           (int)len, p);
        }
        p += len;
    }
    return FACEFUSE_OK;
}

/* The URL of `file` in `bucket` below a base: Hugging Face repositories put
 * the file under resolve/main/. Only the file's own name is in the URL (a
 * deep swapper model's author folder is ours, not the bucket's). */
static void source_url(const char *base, const char *bucket, const char *file, char *url,
                       size_t size)
{
    int hf = strstr(base, "huggingface.co/") || strstr(base, "hf-mirror.com/");
    const char *slash = strrchr(file, '/');

    snprintf(url, size, "%s/%s/%s%s", base, bucket, hf ? "resolve/main/" : "", slash ? slash + 1 : file);
}

/* "<file without its extension>.hash" (the name FaceFusion gives it). */
static void hash_file_name(const char *file, char *out, size_t size)
{
    const char *slash = strrchr(file, '/'), *dot = strrchr(file, '.');
    size_t len = dot && (!slash || dot > slash + 1) ? (size_t)(dot - file) : strlen(file);

    snprintf(out, size, "%.*s.hash", (int)len, file);
}

int fu_model_urls(const char *providers, const fu_model_def *m, int hash, char (*urls)[FU_URL_MAX], int max,
                  fu_err *err)
{
    sources src;
    char hash_file[300];
    int n = 0;

    if (list_sources(providers, m, &src, err) != FACEFUSE_OK)
        return -1;
    hash_file_name(m->file, hash_file, sizeof hash_file);
    for (int i = 0; i < src.count && n < max; i++)
        source_url(src.base[i], m->bucket, hash ? hash_file : m->file, urls[n++], FU_URL_MAX);
    return n;
}

/* ---------------------------------------------------------------- download */

/* Everything one model download needs, computed once. */
typedef struct fetch_plan {
    const fu_model_store *store;
    const fu_model_def *m;
    char path[PATH_MAX];        /* <dir>/<file> */
    char hash_path[PATH_MAX];   /* <dir>/<stem>.hash */
    char part[PATH_MAX];        /* <dir>/<file>.download */
    char hash_part[PATH_MAX];   /* <dir>/<stem>.hash.download */
    char first_failure[FU_ERRMSG_MAX]; /* "<url>: <reason>" of the first provider that failed */
} fetch_plan;

static void note_failure(fetch_plan *plan, const fu_err *e)
{
    static const char prefix[] = "cannot download ";
    const char *msg = e->msg;

    if (plan->first_failure[0])
        return;
    if (strncmp(msg, prefix, sizeof prefix - 1) == 0)
        msg += sizeof prefix - 1;
    snprintf(plan->first_failure, sizeof plan->first_failure, "%s", msg);
}

/* Downloads the model into plan->part, resuming a previous partial file;
 * starts over when the server refuses the resume or when `fresh` is set. */
static facefuse_status fetch_model_file(fetch_plan *plan, const char *url, int fresh,
                                        int *resumed, fu_err *err)
{
    struct stat sb;
    int resume = !fresh && stat(plan->part, &sb) == 0 && sb.st_size > 0;
    int refused = 0;
    facefuse_status st;

    st = fu_download_append(url, plan->part, resume, plan->m->file, plan->store->progress,
                            plan->store->progress_ud, &refused, err);
    if (st != FACEFUSE_OK && refused) {
        resume = 0;
        st = fu_download_append(url, plan->part, 0, plan->m->file, plan->store->progress,
                                plan->store->progress_ud, NULL, err);
    }
    *resumed = resume;
    return st;
}

/* One source: the .hash, then the model, verified, then both moved into
 * place. FACEFUSE_ERR_DOWNLOAD means "try the next source". */
static facefuse_status fetch_from(fetch_plan *plan, const char *base, fu_err *err)
{
    const fu_model_def *m = plan->m;
    char hash_file[300], url[URL_MAX], hash_url[URL_MAX];
    uint32_t expected, actual;
    int resumed;
    facefuse_status st;

    hash_file_name(m->file, hash_file, sizeof hash_file);
    source_url(base, m->bucket, hash_file, hash_url, sizeof hash_url);
    source_url(base, m->bucket, m->file, url, sizeof url);

    st = fu_download_append(hash_url, plan->hash_part, 0, hash_file, NULL, NULL, NULL, err);
    if (st == FACEFUSE_OK)
        st = read_hash(plan->hash_part, &expected, err);
    if (st == FACEFUSE_ERR_MODEL_CORRUPT) /* a source serving garbage: try the next */
        st = fu_fail(err, FACEFUSE_ERR_DOWNLOAD, "cannot download %s: not a CRC32 hash file",
                     hash_url);
    if (st != FACEFUSE_OK)
        goto fail;

    st = fetch_model_file(plan, url, 0, &resumed, err);
    if (st == FACEFUSE_OK)
        st = fu_file_crc32(plan->part, &actual, err);
    if (st == FACEFUSE_OK && actual != expected && resumed) {
        fu_info("model %s: resumed download of %s does not verify; downloading it again", m->name,
                m->file);
        st = fetch_model_file(plan, url, 1, &resumed, err);
        if (st == FACEFUSE_OK)
            st = fu_file_crc32(plan->part, &actual, err);
    }
    if (st != FACEFUSE_OK)
        goto fail;
    if (actual != expected) {
        unlink(plan->part);
        st = fu_fail(err, FACEFUSE_ERR_MODEL_CORRUPT,
                     "model %s: downloaded %s from %s has CRC32 %08x but its hash file says %08x; "
                     "deleted the download",
                     m->name, m->file, url, (unsigned)actual, (unsigned)expected);
        goto fail;
    }
    if (rename(plan->hash_part, plan->hash_path) != 0 || rename(plan->part, plan->path) != 0) {
        st = fu_fail(err, FACEFUSE_ERR_IO, "model %s: cannot move the download into %s: %s",
                     m->name, plan->path, strerror(errno));
        goto fail;
    }
    fu_info("model %s: downloaded %s", m->name, plan->path);
    return FACEFUSE_OK;

fail:
    unlink(plan->hash_part);
    return st;
}

/* Serialises downloads into one cache directory, across threads and
 * processes; returns the lock's descriptor or -1 (then runs unlocked). */
static int lock_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void unlock_dir(int fd)
{
    if (fd >= 0)
        close(fd); /* closing releases the flock */
}

static facefuse_status download_model(fetch_plan *plan, fu_err *err)
{
    const fu_model_store *store = plan->store;
    const fu_model_def *m = plan->m;
    sources src;
    fu_err e;
    int lock_fd;
    facefuse_status st;

    fu_err_clear(&e);
    st = list_sources(store->providers, m, &src, err);
    if (st != FACEFUSE_OK)
        return st;
    st = fu_mkdirs(store->dir, err);
    if (st == FACEFUSE_OK && strchr(m->file, '/')) { /* a deep swapper model's author folder */
        char folder[PATH_MAX];
        snprintf(folder, sizeof folder, "%s", plan->path);
        *strrchr(folder, '/') = '\0';
        st = fu_mkdirs(folder, err);
    }
    if (st != FACEFUSE_OK)
        return st;
    lock_fd = lock_dir(store->dir);
    /* Another thread or process may have fetched it while we waited. */
    if (fu_file_exists(plan->path)) {
        st = verify_cached(m, plan->path, plan->hash_path, err);
        unlock_dir(lock_fd);
        return st;
    }
    st = FACEFUSE_ERR_DOWNLOAD;
    for (int i = 0; i < src.count && st == FACEFUSE_ERR_DOWNLOAD; i++) {
        fu_err_clear(&e);
        st = fetch_from(plan, src.base[i], &e);
        if (st == FACEFUSE_ERR_DOWNLOAD)
            note_failure(plan, &e);
    }
    unlock_dir(lock_fd);
    if (st == FACEFUSE_OK)
        return FACEFUSE_OK;
    if (st != FACEFUSE_ERR_DOWNLOAD) {
        if (err)
            *err = e;
        return st;
    }
    return fu_fail(err, FACEFUSE_ERR_MODEL_MISSING, "model %s: cannot download %s (%s). Put the file at %s",
                   m->name, m->file, plan->first_failure[0] ? plan->first_failure : "no download source",
                   plan->path);
}

/* ---------------------------------------------------------------- ensure */

static facefuse_status plan_paths(fetch_plan *plan, fu_err *err)
{
    const char *dir = plan->store->dir;
    const char *file = plan->m->file;
    char hash_file[300];
    int n1, n2, n3, n4;

    hash_file_name(file, hash_file, sizeof hash_file);
    n1 = snprintf(plan->path, sizeof plan->path, "%s/%s", dir, file);
    n2 = snprintf(plan->hash_path, sizeof plan->hash_path, "%s/%s", dir, hash_file);
    n3 = snprintf(plan->part, sizeof plan->part, "%s/%s.download", dir, file);
    n4 = snprintf(plan->hash_part, sizeof plan->hash_part, "%s/%s.download", dir, hash_file);
    if (n1 >= PATH_MAX || n2 >= PATH_MAX || n3 >= PATH_MAX || n4 >= PATH_MAX)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "model %s: cache path too long: %s",
                       plan->m->name, dir);
    return FACEFUSE_OK;
}

facefuse_status fu_model_ensure(const fu_model_store *store, const fu_model_def *m,
                                char *path_out, size_t path_size, fu_err *err)
{
    fetch_plan *plan;
    facefuse_status st;

    if (!store || !m || !path_out || path_size == 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "fu_model_ensure: missing argument");
    if (!is_set(store->dir))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "model %s: no model directory",
                       m->name);
    plan = calloc(1, sizeof *plan); /* several PATH_MAX buffers: keep them off the stack */
    if (!plan)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "model %s: out of memory", m->name);
    plan->store = store;
    plan->m = m;
    st = plan_paths(plan, err);
    if (st == FACEFUSE_OK) {
        if (fu_file_exists(plan->path))
            st = verify_cached(m, plan->path, plan->hash_path, err);
        else if (!store->allow_download)
            st = fu_fail(err, FACEFUSE_ERR_MODEL_MISSING,
                         "model %s: %s is not in %s and downloads are disabled. Put the file at %s",
                         m->name, m->file, store->dir, plan->path);
        else
            st = download_model(plan, err);
    }
    if (st == FACEFUSE_OK && snprintf(path_out, path_size, "%s", plan->path) >= (int)path_size)
        st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "model %s: path buffer too small for %s",
                     m->name, plan->path);
    free(plan);
    return st;
}
