/*
 * job_args.c — reading and editing a step's {option: [words]} JSON with
 * jansson (see job_args.h).
 */
#include "pipeline/jobs/job_args.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static facefuse_status load(const char *json, json_t **root, fu_err *err)
{
    json_error_t je;
    *root = json_loads(json ? json : "", JSON_REJECT_DUPLICATES, &je);
    if (!*root)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step options are not valid JSON (line %d: %s)", je.line,
                       je.text);
    return FACEFUSE_OK;
}

static facefuse_status check_root(json_t *root, fu_err *err)
{
    const char *key;
    json_t *value;

    if (!json_is_object(root))
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step options must be a JSON object");
    json_object_foreach(root, key, value) {
        size_t i;
        json_t *word;
        if (strncmp(key, "--", 2) != 0 || !key[2])
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step option '%s' is not an option name (--name)",
                           key);
        if (!json_is_array(value))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step option %s: the value must be a list of words",
                           key);
        json_array_foreach(value, i, word) {
            if (!json_is_string(word))
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step option %s: word %zu is not a string", key,
                               i);
        }
    }
    return FACEFUSE_OK;
}

facefuse_status fu_job_args_check(const char *json, fu_err *err)
{
    json_t *root;
    facefuse_status st = load(json, &root, err);
    if (st == FACEFUSE_OK)
        st = check_root(root, err);
    json_decref(root);
    return st;
}

facefuse_status fu_job_args_first(const char *json, const char *name, char *out, size_t size, int *found,
                                  fu_err *err)
{
    json_t *root, *value;
    facefuse_status st = load(json, &root, err);
    *found = 0;
    if (size)
        out[0] = '\0';
    if (st != FACEFUSE_OK)
        return st;
    if ((st = check_root(root, err)) == FACEFUSE_OK) {
        value = json_object_get(root, name);
        if (value && json_array_size(value) > 0) {
            const char *w = json_string_value(json_array_get(value, 0));
            if (strlen(w) >= size)
                st = fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "step option %s: value too long", name);
            else {
                memcpy(out, w, strlen(w) + 1);
                *found = 1;
            }
        }
    }
    json_decref(root);
    return st;
}

facefuse_status fu_job_args_set(const char *json, const char *name, const char *const *words, int count,
                                char **out, fu_err *err)
{
    json_t *root, *list;
    facefuse_status st = load(json, &root, err);
    *out = NULL;
    if (st != FACEFUSE_OK)
        return st;
    if ((st = check_root(root, err)) != FACEFUSE_OK)
        goto done;
    list = json_array();
    for (int i = 0; list && i < count; i++)
        json_array_append_new(list, json_string(words[i]));
    if (!list || json_object_set_new(root, name, list) != 0) {
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory editing step options");
        goto done;
    }
    *out = json_dumps(root, JSON_COMPACT);
    if (!*out)
        st = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory editing step options");
done:
    json_decref(root);
    return st;
}
