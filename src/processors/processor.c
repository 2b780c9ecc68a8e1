/*
 * processor.c — the table of processors, in the order --help lists them,
 * and the options of FaceFusion's processors facefuse does not have yet
 * (refused by name, never accepted and ignored).
 */
#include "processors/processor.h"

#include <string.h>

extern const fu_processor fu_age_modifier_processor;        /* the type fu_age_modifier is the model */
extern const fu_processor fu_background_remover_processor;  /* fu_background_remover is the module's type */
extern const fu_processor fu_deep_swapper_processor;        /* the type fu_deep_swapper is the model */
extern const fu_processor fu_expression_restorer_processor; /* fu_expression_restorer is the module's type */
extern const fu_processor fu_face_debugger;
extern const fu_processor fu_face_editor_processor;         /* fu_face_editor is the module's type */
extern const fu_processor fu_face_enhancer_processor;       /* the type fu_face_enhancer is the model */
extern const fu_processor fu_face_swapper;
extern const fu_processor fu_frame_colorizer_processor;     /* fu_frame_colorizer is the module's type */
extern const fu_processor fu_frame_enhancer;
extern const fu_processor fu_lip_syncer_processor;          /* fu_lip_syncer is the module's type */

static const fu_processor *const processors[] = {
    &fu_age_modifier_processor,
    &fu_background_remover_processor,
    &fu_deep_swapper_processor,
    &fu_expression_restorer_processor,
    &fu_face_debugger,
    &fu_face_editor_processor,
    &fu_face_enhancer_processor,
    &fu_face_swapper,
    &fu_frame_colorizer_processor,
    &fu_frame_enhancer,
    &fu_lip_syncer_processor,
};

const fu_processor *fu_processor_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof processors / sizeof processors[0]; i++)
        if (strcmp(processors[i]->name, name) == 0)
            return processors[i];
    return NULL;
}

const fu_processor *const *fu_processor_all(int *count)
{
    *count = (int)(sizeof processors / sizeof processors[0]);
    return processors;
}

const char *fu_processor_names(void)
{
    return "age_modifier background_remover deep_swapper expression_restorer face_debugger face_editor "
           "face_enhancer face_swapper frame_colorizer frame_enhancer lip_syncer";
}

/* ---------------------------------------------------------------- not yet */

#define PENDING(opt, proc)                                                                                   \
    {.name = opt, .section = "processors", .type = FU_OPT_STRING, .offset = FU_OPT_NONE,                      \
     .reject = "the " proc " processor is not in this build of facefuse yet", .help = proc}

static const fu_option pending_options[] = {
    {0}};

const fu_option_group fu_pending_processor_options = {"pending_processors", "processors", pending_options, 0, NULL};
