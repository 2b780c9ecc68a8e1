/*
 * detect.c — find the faces in a photo with libfacefuse's public API only.
 *
 *   cc detect.c $(pkg-config --cflags --libs facefuse) -o detect
 *   ./detect photo.jpg [model-dir] [detector]
 */
#include <stdio.h>

#include <facefuse.h>

int main(int argc, char **argv)
{
    facefuse_context_params params = facefuse_context_default_params();
    facefuse_analysis_params analysis = facefuse_analysis_default_params();
    facefuse_context *ctx = NULL;
    facefuse_image image = {0};
    facefuse_face *faces = NULL;
    int count = 0, rc = 1;

    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [MODEL_DIR] [DETECTOR]\n", argv[0]);
        return 2;
    }
    params.model_dir = argc > 2 ? argv[2] : NULL;
    analysis.detector_model = argc > 3 ? argv[3] : "scrfd";
    analysis.landmarker_model = NULL;          /* detector landmarks only */
    analysis.landmark_5_to_68_model = NULL;
    analysis.recognizer_model = NULL;
    if (facefuse_context_new(&params, &ctx) != FACEFUSE_OK)
        return 1;
    if (facefuse_image_load(ctx, argv[1], &image) != FACEFUSE_OK ||
        facefuse_detect_faces(ctx, &image, &analysis, &faces, &count) != FACEFUSE_OK) {
        fprintf(stderr, "error: %s\n", facefuse_context_errmsg(ctx));
        goto done;
    }
    for (int i = 0; i < count; i++)
        printf("face %d: box %.1f %.1f %.1f %.1f score %.3f eyes (%.1f, %.1f) (%.1f, %.1f)\n", i,
               faces[i].box[0], faces[i].box[1], faces[i].box[2], faces[i].box[3], faces[i].detector_score,
               faces[i].landmark_5[0].x, faces[i].landmark_5[0].y, faces[i].landmark_5[1].x,
               faces[i].landmark_5[1].y);
    printf("%d face%s\n", count, count == 1 ? "" : "s");
    rc = 0;
done:
    facefuse_faces_free(faces);
    facefuse_image_free(&image);
    facefuse_context_free(ctx);
    return rc;
}
