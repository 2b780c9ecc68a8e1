/*
 * service.c — freeing what a service returns (see service.h).
 */
#include "server/service.h"

#include <stdlib.h>
#include <string.h>

void fu_service_image_free(fu_service_image *image)
{
    if (!image)
        return;
    free(image->data);
    memset(image, 0, sizeof *image);
}

void fu_service_faces_free(fu_service_face *faces, int count)
{
    for (int i = 0; faces && i < count; i++)
        fu_service_image_free(&faces[i].thumbnail);
    free(faces);
}
