/*
 * web_assets.h — the page's files (web/), compiled into the program by
 * cmake/embed_web.cmake, looked up by name.
 */
#ifndef FU_WEB_ASSETS_H
#define FU_WEB_ASSETS_H

#include <stddef.h>

typedef struct fu_web_asset {
    const char *name;           /* "index.html", "app.js" */
    const unsigned char *data;  /* NUL-terminated for convenience; size excludes it */
    size_t size;
} fu_web_asset;

/* The generated table, ended by a NULL name. */
extern const fu_web_asset fu_web_asset_table[];

/* The asset named name (no directories: names never contain '/'), or NULL. */
const fu_web_asset *fu_web_asset_find(const char *name);
/* The Content-Type for a name by its extension. */
const char *fu_web_mime(const char *name);

#endif
