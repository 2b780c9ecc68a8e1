/*
 * web_assets.c — lookup in the embedded page files (see web_assets.h).
 */
#include "server/web_assets.h"

#include <string.h>

const fu_web_asset *fu_web_asset_find(const char *name)
{
    if (!name || strchr(name, '/') || strstr(name, ".."))
        return NULL;
    for (const fu_web_asset *a = fu_web_asset_table; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

const char *fu_web_mime(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                 {".ico", "image/x-icon"},
        {".json", "application/json"},
    };
    const char *dot = name ? strrchr(name, '.') : NULL;
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}
