/*
 * test_swap_real.c — with the real inswapper_128 and arcface_w600k_r50
 * (when $FACEFUSE_TEST_MODEL_DIR holds them; skipped otherwise): swapping
 * astronaut.png's face onto grace_hopper.jpg gives a face whose ArcFace
 * embedding is closer to the source's than to the original target's by at
 * least 0.2 cosine.
 */
#include <math.h>

#include "swap_testutil.h"

static double cosine(const facefuse_face *a, const float *b)
{
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a->embedding_dim; i++) {
        dot += (double)a->normed_embedding[i] * b[i];
        na += (double)a->normed_embedding[i] * a->normed_embedding[i];
        nb += (double)b[i] * b[i];
    }
    return dot / sqrt(na * nb);
}

static void test_real_inswapper_moves_identity(void)
{
    const char *dir = getenv("FACEFUSE_TEST_MODEL_DIR");
    char path[1024], link_path[1200], models[1024];
    if (!dir || !*dir) {
        tl_skip("FACEFUSE_TEST_MODEL_DIR is not set: no real inswapper_128/arcface_w600k_r50 to test with");
        return;
    }
    const char *needed[2] = {"inswapper_128.onnx", "arcface_w600k_r50.onnx"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, needed[i]);
        if (access(path, R_OK) != 0) {
            char why[1200];
            snprintf(why, sizeof why, "%s is absent: real-model swap test not run", path);
            tl_skip(why);
            return;
        }
    }
    snprintf(models, sizeof models, "%s", tl_tmp("real-models"));
    mkdir(models, 0755);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, needed[i]);
        snprintf(link_path, sizeof link_path, "%s/%s", models, needed[i]);
        if (symlink(path, link_path) != 0)
            perror("symlink");
    }
    snprintf(link_path, sizeof link_path, "%s/scrfd_2.5g.onnx", models);
    if (symlink(tl_test_models("scrfd_2.5g.onnx"), link_path) != 0)
        perror("symlink");

    facefuse_context_params cp = facefuse_context_default_params();
    facefuse_context *ctx = NULL;
    cp.model_dir = models;
    cp.allow_download = 0;
    cp.log_level = FACEFUSE_LOG_WARN;
    REQUIRE(facefuse_context_new(&cp, &ctx) == FACEFUSE_OK, "context");
    facefuse_analysis_params ap = st_analysis("arcface_w600k_r50");
    facefuse_image src = tl_load(ctx, "samples/astronaut.png"), target = tl_load(ctx, "samples/grace_hopper.jpg");
    facefuse_source_identity *id = NULL;
    facefuse_face *faces = NULL, *after = NULL;
    int n = 0, n_after = 0;
    facefuse_swapper_params sp = facefuse_swapper_default_params();
    sp.model = "inswapper_128";

    REQUIRE(facefuse_source_identity_from_images(ctx, &src, 1, &ap, &id) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    REQUIRE(facefuse_detect_faces(ctx, &target, &ap, &faces, &n) == FACEFUSE_OK && n > 0, "no target face");
    facefuse_face original = *st_largest(faces, n);
    REQUIRE(facefuse_swap_faces(ctx, &sp, id, &target, &original, 1) == FACEFUSE_OK, "%s",
            facefuse_context_errmsg(ctx));
    REQUIRE(facefuse_detect_faces(ctx, &target, &ap, &after, &n_after) == FACEFUSE_OK && n_after > 0,
            "no face after the swap");
    const facefuse_face *swapped = st_largest(after, n_after);
    facefuse_face source_face;
    memset(&source_face, 0, sizeof source_face);
    double to_source = 0, to_target = cosine(swapped, original.normed_embedding);
    {
        facefuse_face *sf = NULL;
        int ns = 0;
        facefuse_detect_faces(ctx, &src, &ap, &sf, &ns);
        if (ns > 0)
            to_source = cosine(swapped, st_largest(sf, ns)->normed_embedding);
        facefuse_faces_free(sf);
    }
    printf("  cosine(swapped, source) = %.3f, cosine(swapped, original target) = %.3f\n", to_source, to_target);
    CHECK(to_source - to_target >= 0.2, "the swapped face is not clearly the source: %.3f vs %.3f", to_source,
          to_target);
    facefuse_faces_free(faces);
    facefuse_faces_free(after);
    facefuse_source_identity_free(id);
    facefuse_image_free(&src);
    facefuse_image_free(&target);
    facefuse_context_free(ctx);
}

int main(void)
{
    RUN(test_real_inswapper_moves_identity);
    return tl_finish();
}
