/*
 * processor.c — the table of processors, in the order --help lists them.
 */
#include "processors/processor.h"

#include <string.h>

extern const fu_processor fu_face_debugger;
extern const fu_processor fu_face_enhancer_processor; /* the type fu_face_enhancer is the model */
extern const fu_processor fu_face_swapper;
extern const fu_processor fu_frame_enhancer;

static const fu_processor *const processors[] = {
    &fu_face_debugger,
    &fu_face_enhancer_processor,
    &fu_face_swapper,
    &fu_frame_enhancer,
};

const fu_processor *fu_processor_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof processors / sizeof processors[0]; i++)
        if (strcmp(processors[i]->name, name) == 0)
            return processors[i];
    return NULL;
}

const char *fu_processor_names(void)
{
    return "face_debugger face_enhancer face_swapper frame_enhancer";
}
