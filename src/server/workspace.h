/*
 * workspace.h — where the server keeps what clients send and what jobs make:
 * <jobs path>/workspace/{files,outputs,thumbs}, mode 0700.
 *
 * A client's file name never becomes a path: an upload gets a server-made id
 * "<32 hex digits>.<ext>", the extension chosen from the file's first bytes
 * (magic numbers), not from its name. Every id is checked against that exact
 * shape before it is joined to a directory, so no id can leave it.
 */
#ifndef FU_WORKSPACE_H
#define FU_WORKSPACE_H

#include <limits.h>
#include <stddef.h>

#include "core/error.h"

#define FU_WORKSPACE_ID_MAX 48

typedef struct fu_workspace {
    char root[PATH_MAX];        /* <jobs path>/workspace, absolute */
} fu_workspace;

facefuse_status fu_workspace_open(fu_workspace *w, const char *jobs_path, fu_err *err);

/* The extension and kind ("image", "video", "audio") of a file from its first
 * bytes (at least 16; 64 recommended), or NULL when not recognised. */
const char *fu_media_sniff(const unsigned char *head, size_t size, const char **kind);
/* The kind of a known extension ("image", "video", "audio"), or NULL. */
const char *fu_media_kind_of_ext(const char *ext);

/* A new random id "<32 hex>.<ext>" into out (FU_WORKSPACE_ID_MAX). */
facefuse_status fu_workspace_new_id(const char *ext, char *out, fu_err *err);
/* 1 if id has exactly the shape fu_workspace_new_id makes. */
int fu_workspace_id_valid(const char *id);
/* <root>/<dir>/<id> into out; FACEFUSE_ERR_INVALID_ARGUMENT for a malformed
 * id, FACEFUSE_ERR_NOT_FOUND when no such file exists. dir: "files",
 * "outputs" or "thumbs". */
facefuse_status fu_workspace_path(const fu_workspace *w, const char *dir, const char *id, char *out, size_t size,
                                  fu_err *err);
/* 1 if path lies inside the workspace's outputs directory (after resolving
 * links and dot segments). */
int fu_workspace_owns_output(const fu_workspace *w, const char *path);
/* Random bytes as hex (2 × bytes characters) into out. */
facefuse_status fu_random_hex(char *out, size_t bytes, fu_err *err);
/* At start: removes thumbnails older than thumb_age_s and the temp files of
 * uploads a stopped server left. */
void fu_workspace_clean(const fu_workspace *w, int thumb_age_s);

#endif
