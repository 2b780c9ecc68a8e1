/*
 * test_registry_table.c — the model table holds every FaceFusion model the
 * option domains name, with a FaceFusion file name, a release bucket, and
 * the contracts the loaders rely on.
 */
#include <stdio.h>
#include <string.h>

#include "infer/registry.h"
#include "testlib.h"

static const char *const option_domain_names[] = {
    /* --face-detector-model */
    "retinaface", "scrfd", "yolo_face", "yunet",
    /* --face-landmarker-model, and the 5→68 estimator */
    "2dfan4", "peppa_wutz", "fan_68_5",
    /* recognizer and classifier */
    "arcface_w600k_r50", "fairface",
    /* --face-occluder-model, --face-parser-model */
    "xseg_1", "xseg_2", "xseg_3", "bisenet_resnet_18", "bisenet_resnet_34",
    /* --face-swapper-model */
    "blendswap_256", "ghost_1_256", "ghost_2_256", "ghost_3_256", "hififace_unofficial_256",
    "hyperswap_1a_256", "hyperswap_1b_256", "hyperswap_1c_256", "inswapper_128",
    "inswapper_128_fp16", "simswap_256", "simswap_unofficial_512", "uniface_256",
    /* --face-enhancer-model */
    "codeformer", "gfpgan_1.2", "gfpgan_1.3", "gfpgan_1.4", "gpen_bfr_256", "gpen_bfr_512",
    "gpen_bfr_1024", "gpen_bfr_2048", "restoreformer_plus_plus",
    /* --frame-enhancer-model */
    "clear_reality_x4", "face_dat_x4", "nomos8k_sc_x4", "real_esrgan_x2", "real_esrgan_x2_fp16",
    "real_esrgan_x4", "real_esrgan_x4_fp16", "real_esrgan_x8", "real_esrgan_x8_fp16",
    "real_hatgan_x4", "real_web_photo_x4", "realistic_rescaler_x4", "remacri_x4", "siax_x4",
    "span_kendata_x4", "swin2_sr_x4", "tghq_face_x8", "ultra_sharp_x4", "ultra_sharp_2_x4",
    /* --age-modifier-model */
    "fran", "styleganex_age",
    /* --deep-swapper-model: its default and the first and last of FaceFusion's list */
    "iperov/elon_musk_224", "druuzil/adam_levine_320", "rumateus/taylor_swift_224",
    /* --background-remover-model (chroma_key needs no file) */
    "ben_2", "birefnet_general", "birefnet_portrait", "corridor_key_1024", "corridor_key_2048",
    "isnet_general", "modnet", "ormbg", "rmbg_1.4", "rmbg_2.0", "silueta", "u2net_cloth",
    "u2net_general", "u2net_human", "u2netp",
    /* --frame-colorizer-model */
    "ddcolor", "ddcolor_artistic", "deoldify", "deoldify_artistic", "deoldify_stable",
    /* --expression-restorer-model and --face-editor-model live_portrait: its files */
    "live_portrait_feature_extractor", "live_portrait_motion_extractor", "live_portrait_eye_retargeter",
    "live_portrait_lip_retargeter", "live_portrait_stitcher", "live_portrait_generator",
    /* --lip-syncer-model, --voice-extractor-model */
    "edtalk_256", "wav2lip_96", "wav2lip_gan_96", "kim_vocal_1", "kim_vocal_2", "uvr_mdxnet",
};

static void test_every_option_name_is_registered(void)
{
    size_t n = sizeof option_domain_names / sizeof option_domain_names[0];
    for (size_t i = 0; i < n; i++) {
        const fu_model_def *m = fu_model_find(option_domain_names[i]);
        CHECK(m != NULL, "%s is not registered", option_domain_names[i]);
        if (m)
            CHECK(strcmp(m->name, option_domain_names[i]) == 0, "lookup of %s gave %s",
                  option_domain_names[i], m->name);
    }
}

static void test_unknown_names_are_not_found(void)
{
    CHECK(fu_model_find("no_such_model") == NULL, "unknown name found");
    CHECK(fu_model_find("") == NULL, "empty name found");
    CHECK(fu_model_find(NULL) == NULL, "NULL name found");
    CHECK(fu_model_find("SCRFD") == NULL, "names are case-sensitive");
    CHECK(fu_model_find("arcface") == NULL, "the recognizer is named arcface_w600k_r50");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static void test_every_entry_is_well_formed(void)
{
    const fu_model_def *const *all = fu_model_all();
    int count = 0;

    for (; all[count]; count++) {
        const fu_model_def *m = all[count];
        CHECK(m->name && m->name[0], "entry %d has no name", count);
        if (m->kind == FACEFUSE_MODEL_DEEP_SWAPPER) {
            /* "<author>/<name>": <author>/<name>.dfm from deepfacelive-models-<author> */
            char file[256], bucket[256];
            const char *slash = strchr(m->name, '/');
            REQUIRE(slash, "%s is not <author>/<name>", m->name);
            snprintf(file, sizeof file, "%s.dfm", m->name);
            snprintf(bucket, sizeof bucket, "deepfacelive-models-%.*s", (int)(slash - m->name), m->name);
            CHECK(strcmp(m->file, file) == 0 && strcmp(m->bucket, bucket) == 0, "%s: file %s, bucket %s", m->name,
                  m->file, m->bucket);
        } else {
            CHECK(m->file && ends_with(m->file, ".onnx") && !strchr(m->file, '/'),
                  "%s: file %s is not a bare .onnx name", m->name, m->file);
            CHECK(m->bucket && strncmp(m->bucket, "models-3.", 9) == 0 && ends_with(m->bucket, ".0"),
                  "%s: bucket %s", m->name, m->bucket);
        }
        CHECK(fu_model_find(m->name) == m, "%s: not found by its own name (duplicate?)", m->name);
        for (int c = 0; c < 3; c++)
            CHECK(m->std[c] > 0, "%s: std[%d] = %g", m->name, c, m->std[c]);
        if (m->extra_model)
            CHECK(fu_model_find(m->extra_model) != NULL, "%s: extra model %s unknown", m->name,
                  m->extra_model);
    }
    CHECK(count >= (int)(sizeof option_domain_names / sizeof option_domain_names[0]) + 3,
          "only %d entries", count);
}

static void test_facts_from_facefusion(void)
{
    const fu_model_def *m;

    m = fu_model_find("scrfd");
    REQUIRE(m, "scrfd");
    CHECK(strcmp(m->file, "scrfd_2.5g.onnx") == 0 && strcmp(m->bucket, "models-3.0.0") == 0,
          "scrfd: %s %s", m->file, m->bucket);
    m = fu_model_find("yunet");
    REQUIRE(m, "yunet");
    CHECK(strcmp(m->file, "yunet_2023_mar.onnx") == 0 && strcmp(m->bucket, "models-3.4.0") == 0,
          "yunet: %s %s", m->file, m->bucket);
    m = fu_model_find("yolo_face");
    REQUIRE(m, "yolo_face");
    CHECK(strcmp(m->file, "yoloface_8n.onnx") == 0, "yolo_face: %s", m->file);
    m = fu_model_find("xseg_3");
    REQUIRE(m, "xseg_3");
    CHECK(strcmp(m->bucket, "models-3.2.0") == 0, "xseg_3: %s", m->bucket);
    m = fu_model_find("hyperswap_1a_256");
    REQUIRE(m, "hyperswap");
    CHECK(strcmp(m->bucket, "models-3.3.0") == 0 && strcmp(m->template_name, "arcface_128") == 0 &&
              m->size == 256 && m->mean[0] == 0.5f && m->std[0] == 0.5f,
          "hyperswap_1a_256 facts");
    m = fu_model_find("inswapper_128_fp16");
    REQUIRE(m, "inswapper_128_fp16");
    CHECK(m->size == 128 && m->mean[1] == 0.0f && m->std[1] == 1.0f &&
              strcmp(m->template_name, "arcface_128") == 0,
          "inswapper_128_fp16 facts");
    m = fu_model_find("simswap_256");
    REQUIRE(m, "simswap_256");
    CHECK(m->extra_model && strcmp(m->extra_model, "crossface_simswap") == 0, "simswap extra");
    CHECK(m->mean[0] > 0.48f && m->mean[0] < 0.49f && m->std[2] > 0.22f && m->std[2] < 0.23f,
          "simswap_256 uses ImageNet mean/std");
    m = fu_model_find("ghost_2_256");
    REQUIRE(m, "ghost_2_256");
    CHECK(m->extra_model && strcmp(m->extra_model, "crossface_ghost") == 0, "ghost extra");
    m = fu_model_find("crossface_ghost");
    REQUIRE(m, "crossface_ghost");
    CHECK(strcmp(m->bucket, "models-3.4.0") == 0, "crossface bucket %s", m->bucket);
    m = fu_model_find("corridor_key_2048");
    REQUIRE(m, "corridor_key_2048");
    CHECK(strcmp(m->bucket, "models-3.6.0") == 0 && m->size == 2048 && m->contract &&
              m->contract->inputs[0].dims[1] == 4 && m->contract->n_outputs == 2 && m->mean[0] > 0.48f,
          "corridor_key_2048 facts");
    m = fu_model_find("modnet");
    REQUIRE(m, "modnet");
    CHECK(strcmp(m->bucket, "models-3.5.0") == 0 && m->size == 512 && m->mean[2] == 0.5f && m->std[2] == 0.5f,
          "modnet facts");
    m = fu_model_find("rmbg_1.4");
    REQUIRE(m, "rmbg_1.4");
    CHECK(m->size == 1024 && m->mean[0] == 0.5f && m->std[0] == 1.0f, "rmbg_1.4 facts");
    m = fu_model_find("u2net_cloth");
    REQUIRE(m, "u2net_cloth");
    CHECK(m->size == 768 && strcmp(m->file, "u2net_cloth.onnx") == 0, "u2net_cloth facts");
    m = fu_model_find("deoldify_stable");
    REQUIRE(m, "deoldify_stable");
    CHECK(strcmp(m->bucket, "models-3.0.0") == 0 && m->contract && m->contract->outputs[0].dims[1] == 3,
          "deoldify_stable facts");
    m = fu_model_find("ddcolor");
    REQUIRE(m, "ddcolor");
    CHECK(m->contract && m->contract->outputs[0].dims[1] == 2, "ddcolor predicts two planes");
    m = fu_model_find("gpen_bfr_256");
    REQUIRE(m, "gpen_bfr_256");
    CHECK(strcmp(m->template_name, "arcface_128") == 0 && m->size == 256, "gpen_bfr_256 facts");
    m = fu_model_find("gpen_bfr_2048");
    REQUIRE(m, "gpen_bfr_2048");
    CHECK(m->size == 2048 && strcmp(m->template_name, "ffhq_512") == 0, "gpen_bfr_2048 facts");
    m = fu_model_find("arcface_w600k_r50");
    REQUIRE(m, "arcface");
    CHECK(m->kind == FACEFUSE_MODEL_RECOGNIZER && m->size == 112 &&
              strcmp(m->template_name, "arcface_112_v2") == 0,
          "arcface facts");
    m = fu_model_find("ultra_sharp_2_x4");
    REQUIRE(m, "ultra_sharp_2_x4");
    CHECK(strcmp(m->bucket, "models-3.3.0") == 0, "ultra_sharp_2_x4 bucket %s", m->bucket);
    static const char *const lip_and_voice[][3] = {
        {"edtalk_256", "edtalk_256.onnx", "models-3.3.0"},   {"wav2lip_96", "wav2lip_96.onnx", "models-3.0.0"},
        {"wav2lip_gan_96", "wav2lip_gan_96.onnx", "models-3.0.0"}, {"kim_vocal_1", "kim_vocal_1.onnx", "models-3.4.0"},
        {"kim_vocal_2", "kim_vocal_2.onnx", "models-3.0.0"}, {"uvr_mdxnet", "uvr_mdxnet.onnx", "models-3.4.0"},
    };
    for (int i = 0; i < 6; i++) {
        m = fu_model_find(lip_and_voice[i][0]);
        REQUIRE(m, "%s", lip_and_voice[i][0]);
        CHECK(strcmp(m->file, lip_and_voice[i][1]) == 0 && strcmp(m->bucket, lip_and_voice[i][2]) == 0 && m->contract,
              "%s: %s %s", m->name, m->file, m->bucket);
    }
}

static void test_live_portrait_files(void)
{
    static const char *const parts[] = {"feature_extractor", "motion_extractor", "eye_retargeter",
                                        "lip_retargeter", "stitcher", "generator"};
    char name[64], file[80];
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf(name, sizeof name, "live_portrait_%s", parts[i]);
        snprintf(file, sizeof file, "%s.onnx", name);
        const fu_model_def *m = fu_model_find(name);
        REQUIRE(m, "%s", name);
        CHECK(strcmp(m->file, file) == 0 && strcmp(m->bucket, "models-3.0.0") == 0 && m->contract,
              "%s: %s in %s", name, m->file, m->bucket);
    }
    const fu_model_def *m = fu_model_find("live_portrait_motion_extractor");
    CHECK(m->contract->n_outputs == 7 && m->contract->outputs[5].dims[1] == 21 &&
              m->contract->outputs[6].dims[2] == 3 && m->contract->outputs[4].last_dim == 3,
          "motion extractor: pitch, yaw, roll, scale, translation [1,3], expression and points [1,21,3]");
    m = fu_model_find("live_portrait_generator");
    CHECK(m->contract->n_inputs == 3 && m->contract->outputs[0].dims[2] == 512,
          "generator: three inputs, a 512x512 crop out");
    m = fu_model_find("live_portrait_eye_retargeter");
    CHECK(m->contract->inputs[0].dims[1] == 66, "eye retargeter: 63 keypoint values + 2 ratios + goal");
    m = fu_model_find("live_portrait_lip_retargeter");
    CHECK(m->contract->inputs[0].dims[1] == 65, "lip retargeter: 63 keypoint values + ratio + goal");
}

static void test_contracts(void)
{
    const fu_model_def *m;
    const char *with_contract[] = {"scrfd", "retinaface", "yunet", "yolo_face",
                                   "arcface_w600k_r50", "fan_68_5", "2dfan4", "fairface",
                                   "inswapper_128", "inswapper_128_fp16", "hyperswap_1a_256",
                                   "hyperswap_1b_256", "hyperswap_1c_256"};

    for (size_t i = 0; i < sizeof with_contract / sizeof with_contract[0]; i++) {
        m = fu_model_find(with_contract[i]);
        CHECK(m && m->contract, "%s has no contract", with_contract[i]);
    }
    m = fu_model_find("scrfd");
    REQUIRE(m && m->contract, "scrfd contract");
    CHECK(m->contract->n_inputs == 1 && m->contract->n_outputs == 9, "scrfd io counts");
    CHECK(m->contract->outputs[0].last_dim == 1 && m->contract->outputs[3].last_dim == 4 &&
              m->contract->outputs[8].last_dim == 10,
          "scrfd output order is scores, boxes, landmarks");
    m = fu_model_find("yunet");
    REQUIRE(m && m->contract, "yunet contract");
    CHECK(m->contract->n_outputs == 12 && m->contract->outputs[5].last_dim == 1 &&
              m->contract->outputs[6].last_dim == 4 && m->contract->outputs[11].last_dim == 10,
          "yunet outputs");
    m = fu_model_find("inswapper_128");
    REQUIRE(m && m->contract, "inswapper contract");
    CHECK(m->contract->n_inputs == 2 && m->contract->inputs[0].rank_min == 4 &&
              m->contract->inputs[0].dims[2] == 128 && m->contract->inputs[1].dims[1] == 512,
          "inswapper: target crop first, then the 512-d source");
    m = fu_model_find("arcface_w600k_r50");
    REQUIRE(m && m->contract, "arcface contract");
    CHECK(m->contract->outputs[0].last_dim == 512, "arcface embedding is 512-d");
    m = fu_model_find("gfpgan_1.4");
    REQUIRE(m, "gfpgan");
    CHECK(m->contract == NULL, "no contract yet for gfpgan");
}

int main(void)
{
    RUN(test_every_option_name_is_registered);
    RUN(test_unknown_names_are_not_found);
    RUN(test_every_entry_is_well_formed);
    RUN(test_facts_from_facefusion);
    RUN(test_live_portrait_files);
    RUN(test_contracts);
    return tl_finish();
}
