/*
 * swap.c — put the face of one photo onto every face of another, with
 * libfacefuse's public API only.
 *
 *   cc swap.c $(pkg-config --cflags --libs facefuse) -o swap
 *   ./swap SOURCE TARGET OUTPUT [MODEL_DIR] [SWAPPER_MODEL]
 *
 * The swapper model defaults to inswapper_128; the analysis uses scrfd and
 * arcface_w600k_r50 (fetched into the model cache when missing).
 */
#include <stdio.h>

#include <facefuse.h>

int main(int argc, char **argv)
{
    facefuse_context_params params = facefuse_context_default_params();
    facefuse_analysis_params analysis = facefuse_analysis_default_params();
    facefuse_swapper_params swap = facefuse_swapper_default_params();
    facefuse_context *ctx = NULL;
    facefuse_image source = {0}, target = {0};
    facefuse_source_identity *identity = NULL;
    facefuse_face *faces = NULL;
    int count = 0, rc = 1;

    if (argc < 4) {
        fprintf(stderr, "usage: %s SOURCE TARGET OUTPUT [MODEL_DIR] [SWAPPER_MODEL]\n", argv[0]);
        return 2;
    }
    params.model_dir = argc > 4 ? argv[4] : NULL;
    swap.model = argc > 5 ? argv[5] : "inswapper_128";
    analysis.detector_model = "scrfd";
    analysis.landmarker_model = NULL;          /* detector landmarks only */
    analysis.landmark_5_to_68_model = NULL;
    if (facefuse_context_new(&params, &ctx) != FACEFUSE_OK)
        return 1;
    if (facefuse_image_load(ctx, argv[1], &source) != FACEFUSE_OK ||
        facefuse_image_load(ctx, argv[2], &target) != FACEFUSE_OK ||
        facefuse_source_identity_from_images(ctx, &source, 1, &analysis, &identity) != FACEFUSE_OK ||
        facefuse_detect_faces(ctx, &target, &analysis, &faces, &count) != FACEFUSE_OK ||
        facefuse_swap_faces(ctx, &swap, identity, &target, faces, count) != FACEFUSE_OK ||
        facefuse_image_save(ctx, argv[3], &target, 90) != FACEFUSE_OK) {
        fprintf(stderr, "error: %s\n", facefuse_context_errmsg(ctx));
        goto done;
    }
    printf("swapped %d face%s into %s\n", count, count == 1 ? "" : "s", argv[3]);
    rc = 0;
done:
    facefuse_faces_free(faces);
    facefuse_source_identity_free(identity);
    facefuse_image_free(&source);
    facefuse_image_free(&target);
    facefuse_context_free(ctx);
    return rc;
}
