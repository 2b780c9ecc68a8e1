/*
 * option.c — option sets over option tables: lookup, checking, the
 * command-line and ini parsers, conversion into settings structs, --help
 * (see option.h).
 */
#include "core/option.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---------------------------------------------------------------- words */

static void free_words(fu_optval *v)
{
    for (int i = 0; i < v->n; i++)
        free(v->words[i]);
    free(v->words);
    v->words = NULL;
    v->n = 0;
}

/* Copies n words into v (replacing what it held). */
static facefuse_status copy_words(fu_optval *v, const char *const *words, int n, fu_err *err)
{
    char **copy = n > 0 ? calloc((size_t)n, sizeof *copy) : NULL;
    if (n > 0 && !copy)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for option values");
    for (int i = 0; i < n; i++) {
        copy[i] = strdup(words[i]);
        if (!copy[i]) {
            for (int k = 0; k < i; k++)
                free(copy[k]);
            free(copy);
            return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for option values");
        }
    }
    free_words(v);
    v->words = copy;
    v->n = n;
    return FACEFUSE_OK;
}

/* Splits a space-separated default into words; the result points into buf. */
static int split_spaces(char *buf, const char **words, int max)
{
    int n = 0;
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    return n;
}

int fu_word_index(const char *words, const char *word)
{
    size_t n = strlen(word);
    int i = 0;
    if (!words)
        return -1;
    for (const char *p = words; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, word, n) == 0)
            return i;
        p += len;
        i++;
    }
    return -1;
}

int fu_strs_has(fu_strs s, const char *word)
{
    for (int i = 0; i < s.n; i++)
        if (strcmp(s.v[i], word) == 0)
            return 1;
    return 0;
}

/* A value as it may appear in a message: printable ASCII kept, everything
 * else (control characters, bytes of a binary file) escaped, and cut short. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < size; p++) {
        if (*p >= 0x20 && *p < 0x7f)
            buf[o++] = (char)*p;
        else
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
    }
    if (o + 5 >= size && o >= 3)
        memcpy(buf + o - 3, "...", 3);
    buf[o] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- the set */

facefuse_status fu_optset_init(fu_optset *set, const fu_option_group *const *groups, int group_count,
                               fu_err *err)
{
    memset(set, 0, sizeof *set);
    set->groups = groups;
    set->group_count = group_count;
    for (int g = 0; g < group_count; g++)
        for (const fu_option *o = groups[g]->options; o && o->name; o++)
            set->count++;
    set->vals = calloc((size_t)(set->count ? set->count : 1), sizeof *set->vals);
    if (!set->vals)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory for options");
    for (int i = 0; i < set->count; i++)
        fu_optset_reset(set, i);
    return FACEFUSE_OK;
}

void fu_optset_free(fu_optset *set)
{
    for (int i = 0; set->vals && i < set->count; i++)
        free_words(&set->vals[i]);
    free(set->vals);
    for (int i = 0; i < set->positional_count; i++)
        free(set->positional[i]);
    memset(set, 0, sizeof *set);
}

/* The option at a global index, and its group. */
static const fu_option *option_at(const fu_optset *set, int index, const fu_option_group **group)
{
    int base = 0;
    for (int g = 0; g < set->group_count; g++) {
        int n = 0;
        for (const fu_option *o = set->groups[g]->options; o && o->name; o++)
            n++;
        if (index < base + n) {
            if (group)
                *group = set->groups[g];
            return &set->groups[g]->options[index - base];
        }
        base += n;
    }
    return NULL;
}

const fu_option *fu_optset_option(const fu_optset *set, int index)
{
    return index >= 0 && index < set->count ? option_at(set, index, NULL) : NULL;
}

const fu_option_group *fu_optset_group_of(const fu_optset *set, int index)
{
    const fu_option_group *g = NULL;
    if (index >= 0 && index < set->count)
        option_at(set, index, &g);
    return g;
}

int fu_optset_find(const fu_optset *set, const char *name, const fu_option **opt)
{
    int index = 0;
    for (int g = 0; name && g < set->group_count; g++)
        for (const fu_option *o = set->groups[g]->options; o && o->name; o++, index++)
            if (strcmp(o->name, name) == 0 || (o->alias && strcmp(o->alias, name) == 0)) {
                if (opt)
                    *opt = o;
                return index;
            }
    return -1;
}

const char *fu_option_key(const fu_option *o, char *buf, size_t size)
{
    if (o->key)
        return o->key;
    snprintf(buf, size, "%s", o->name + 2);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = '_';
    return buf;
}

int fu_optset_find_key(const fu_optset *set, const char *section, const char *key, const fu_option **opt)
{
    int index = 0;
    char buf[128];
    for (int g = 0; g < set->group_count; g++)
        for (const fu_option *o = set->groups[g]->options; o && o->name; o++, index++)
            if (o->section && (!section || strcmp(o->section, section) == 0) &&
                strcasecmp(fu_option_key(o, buf, sizeof buf), key) == 0) {
                if (opt)
                    *opt = o;
                return index;
            }
    return -1;
}

void fu_optset_reset(fu_optset *set, int index)
{
    const fu_option *o = fu_optset_option(set, index);
    fu_optval *v = &set->vals[index];
    const char *words[FU_OPT_MAX_INTS * 2];
    char buf[1024];
    int n = 0;

    if (o && o->def) {
        snprintf(buf, sizeof buf, "%s", o->def);
        n = split_spaces(buf, words, (int)(sizeof words / sizeof words[0]));
    } else if (o && o->type == FU_OPT_BOOL) {
        words[0] = "false";
        n = 1;
    }
    if (copy_words(v, words, n, NULL) != FACEFUSE_OK)
        v->n = 0; /* out of memory: the option reads as unset */
    v->origin = FU_ORIGIN_DEFAULT;
}

/* ---------------------------------------------------------------- checking */

/* A whole decimal number: no trailing text, finite. */
static int parse_number(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return 0;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return 0;
    /* strtod reads hex and "nan"/"inf": accept plain decimal notation only */
    for (const char *p = s; *p; p++)
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
            return 0;
    *out = v;
    return 1;
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"1", "yes", "true", "on"}, *const no[] = {"0", "no", "false", "off"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = 1, 1;
        if (strcasecmp(s, no[i]) == 0)
            return *out = 0, 1;
    }
    return 0;
}

static int is_list(const fu_option *o)
{
    return o->type == FU_OPT_STRINGS || o->type == FU_OPT_INTS;
}

static facefuse_status check_word(const fu_option *o, const char *word, fu_err *err)
{
    char sbuf[160];
    double v;

    if (o->reject && o->unsupported && fu_word_index(o->unsupported, word) >= 0)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "%s %s is not supported: %s", o->name,
                       shown(word, sbuf, sizeof sbuf), o->reject);
    if (o->choices && fu_word_index(o->choices, word) < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for %s (choices: %s)",
                       shown(word, sbuf, sizeof sbuf), o->name, o->choices);
    if (o->type == FU_OPT_BOOL) {
        int b;
        if (!parse_bool(word, &b))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for %s (true or false)",
                           shown(word, sbuf, sizeof sbuf), o->name);
    }
    if (o->type == FU_OPT_INT || o->type == FU_OPT_FLOAT || o->type == FU_OPT_INTS) {
        int integer = o->type != FU_OPT_FLOAT;
        if (!parse_number(word, &v) || (integer && (v != floor(v) || fabs(v) > INT32_MAX)))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "invalid value '%s' for %s (%s)",
                           shown(word, sbuf, sizeof sbuf), o->name,
                           integer ? "a whole number" : "a finite number");
        if (o->min < o->max && (v < o->min || v > o->max))
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "value %s for %s is out of range %g..%g",
                           shown(word, sbuf, sizeof sbuf), o->name, o->min, o->max);
    }
    return FACEFUSE_OK;
}

static facefuse_status check_words(const fu_option *o, const char *const *words, int n, fu_err *err)
{
    facefuse_status rc;
    int lo = is_list(o) ? (o->count_min > 0 ? o->count_min : 1) : 1;
    int hi = is_list(o) ? (o->count_max > 0 ? o->count_max : 1 << 20) : 1;

    if (o->reject && !o->unsupported)
        return fu_fail(err, FACEFUSE_ERR_UNSUPPORTED, "%s is not supported: %s", o->name, o->reject);
    if (o->flags & FU_OPTF_TRBL) {
        lo = 1;
        hi = 4;
    }
    if (o->type == FU_OPT_INTS && hi > FU_OPT_MAX_INTS)
        hi = FU_OPT_MAX_INTS;
    if (n < lo || n > hi) {
        if (n == 0)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s needs a value", o->name);
        if (lo == hi)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s takes %d value%s, not %d", o->name, lo,
                           lo == 1 ? "" : "s", n);
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s takes %d to %d values, not %d", o->name, lo,
                       hi, n);
    }
    for (int i = 0; i < n; i++) {
        if (!words[i][0])
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "option %s has an empty value", o->name);
        if ((rc = check_word(o, words[i], err)) != FACEFUSE_OK)
            return rc;
    }
    return FACEFUSE_OK;
}

facefuse_status fu_optset_set_index(fu_optset *set, int index, const char *const *words, int n,
                                    fu_opt_origin origin, fu_err *err)
{
    const fu_option *o = fu_optset_option(set, index);
    const char *normal[1];
    facefuse_status rc;

    if (!o)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option");
    if ((rc = check_words(o, words, n, err)) != FACEFUSE_OK)
        return rc;
    if (o->type == FU_OPT_BOOL) { /* stored as "true"/"false" */
        int b = 0;
        parse_bool(words[0], &b);
        normal[0] = b ? "true" : "false";
        words = normal;
    }
    if ((rc = copy_words(&set->vals[index], words, n, err)) != FACEFUSE_OK)
        return rc;
    set->vals[index].origin = origin;
    return FACEFUSE_OK;
}

facefuse_status fu_optset_set(fu_optset *set, const char *name, const char *const *words, int n,
                              fu_opt_origin origin, fu_err *err)
{
    char sbuf[160];
    int index = fu_optset_find(set, name, NULL);
    if (index < 0)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %s", shown(name, sbuf, sizeof sbuf));
    return fu_optset_set_index(set, index, words, n, origin, err);
}

facefuse_status fu_optset_set1(fu_optset *set, const char *name, const char *value, fu_err *err)
{
    return fu_optset_set(set, name, &value, 1, FU_ORIGIN_ARG, err);
}

const fu_optval *fu_optset_get(const fu_optset *set, const char *name)
{
    int index = fu_optset_find(set, name, NULL);
    return index < 0 ? NULL : &set->vals[index];
}

const char *fu_optset_str(const fu_optset *set, const char *name)
{
    const fu_optval *v = fu_optset_get(set, name);
    return v && v->n > 0 ? v->words[0] : NULL;
}

int fu_optset_is_set(const fu_optset *set, const char *name)
{
    const fu_optval *v = fu_optset_get(set, name);
    return v && v->origin != FU_ORIGIN_DEFAULT;
}

/* ---------------------------------------------------------------- command line */

static int looks_like_option(const char *arg)
{
    /* "-5", "-.5" and "-" are values; "-s" and "--x" are options. */
    return arg[0] == '-' && arg[1] && !isdigit((unsigned char)arg[1]) && arg[1] != '.';
}

facefuse_status fu_optset_parse_args(fu_optset *set, int argc, char **argv, int first, fu_err *err)
{
    char sbuf[160];
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        const fu_option *o;
        char name[128];
        facefuse_status rc;

        if (!looks_like_option(arg)) {
            if (set->positional_count == FU_MAX_POSITIONAL)
                return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "too many arguments at '%s'",
                               shown(arg, sbuf, sizeof sbuf));
            if (!(set->positional[set->positional_count] = strdup(arg)))
                return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
            set->positional_count++;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (len >= sizeof name)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %s", shown(arg, sbuf, 64));
        memcpy(name, arg, len);
        name[len] = '\0';
        int index = fu_optset_find(set, name, &o);
        if (index < 0)
            return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unknown option %s", shown(name, sbuf, sizeof sbuf));
        if (eq) {
            const char *value = eq + 1;
            rc = fu_optset_set_index(set, index, &value, 1, FU_ORIGIN_ARG, err);
        } else if (o->type == FU_OPT_BOOL) {
            const char *value = "true";
            rc = fu_optset_set_index(set, index, &value, 1, FU_ORIGIN_ARG, err);
        } else {
            int start = i + 1, n = 0;
            while (start + n < argc && !looks_like_option(argv[start + n])) {
                n++;
                if (!is_list(o))
                    break;
            }
            rc = fu_optset_set_index(set, index, (const char *const *)argv + start, n, FU_ORIGIN_ARG, err);
            i += n;
        }
        if (rc != FACEFUSE_OK)
            return rc;
    }
    return FACEFUSE_OK;
}

/* ---------------------------------------------------------------- ini */

/* Splits a list value into words on whitespace; "…" and '…' group. The
 * words are written into buf (same size as value). FACEFUSE_ERR_INVALID_ARGUMENT
 * for an unterminated quote. */
static facefuse_status split_list(const char *value, char *buf, char ***words, int *n, fu_err *err)
{
    int cap = 8;
    char **w = malloc((size_t)cap * sizeof *w);
    char *o = buf;
    *n = 0;
    if (!w)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
    for (const char *p = value; *p;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (*n == cap) {
            char **bigger = realloc(w, (size_t)(cap *= 2) * sizeof *w);
            if (!bigger) {
                free(w);
                return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
            }
            w = bigger;
        }
        w[(*n)++] = o;
        while (*p && !isspace((unsigned char)*p)) {
            if (*p == '"' || *p == '\'') {
                char q = *p++;
                while (*p && *p != q)
                    *o++ = *p++;
                if (*p != q) {
                    free(w);
                    return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "unterminated quote");
                }
                p++;
            } else {
                *o++ = *p++;
            }
        }
        *o++ = '\0';
    }
    *words = w;
    return FACEFUSE_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

typedef struct ini_reader {
    fu_optset *set;
    const char *path;
    char section[128];
    int have_section;
    /* the pending key = value (values may continue on indented lines) */
    char *value;
    size_t value_len;
    int key_index;
    int key_line;
    int key_indent;
} ini_reader;

static facefuse_status ini_fail(ini_reader *r, int line, fu_err *err, facefuse_status code, const char *what)
{
    char sbuf[256];
    return fu_fail(err, code, "%s:%d: %s", shown(r->path, sbuf, sizeof sbuf), line, what);
}

/* Stores the pending value into its option. */
static facefuse_status ini_flush(ini_reader *r, fu_err *err)
{
    facefuse_status rc = FACEFUSE_OK;
    if (r->key_index < 0 || !r->value)
        goto done;
    char *value = trim(r->value);
    const fu_option *o = fu_optset_option(r->set, r->key_index);
    if (!*value || r->set->vals[r->key_index].origin == FU_ORIGIN_ARG)
        goto done; /* empty = the default, as FaceFusion; the command line wins */
    if (is_list(o)) {
        char *buf = malloc(strlen(value) + 1), **words = NULL;
        int n = 0;
        if (!buf) {
            rc = fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory");
            goto done;
        }
        rc = split_list(value, buf, &words, &n, err);
        if (rc == FACEFUSE_OK)
            rc = fu_optset_set_index(r->set, r->key_index, (const char *const *)words, n, FU_ORIGIN_INI, err);
        free(words);
        free(buf);
    } else {
        const char *one = value;
        rc = fu_optset_set_index(r->set, r->key_index, &one, 1, FU_ORIGIN_INI, err);
    }
    if (rc != FACEFUSE_OK) {
        char msg[FU_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", err ? err->msg : "invalid value");
        rc = ini_fail(r, r->key_line, err, rc, msg);
    }
done:
    free(r->value);
    r->value = NULL;
    r->value_len = 0;
    r->key_index = -1;
    return rc;
}

static facefuse_status ini_append(ini_reader *r, const char *text, fu_err *err)
{
    size_t add = strlen(text);
    char *grown = realloc(r->value, r->value_len + add + 2);
    if (!grown)
        return fu_fail(err, FACEFUSE_ERR_NO_MEMORY, "out of memory reading %s", r->path);
    r->value = grown;
    if (r->value_len)
        r->value[r->value_len++] = '\n';
    memcpy(r->value + r->value_len, text, add + 1);
    r->value_len += add;
    return FACEFUSE_OK;
}

static facefuse_status ini_line(ini_reader *r, char *line, int lineno, fu_err *err)
{
    char sbuf[160], msg[512];
    int indent = 0;
    while (line[indent] == ' ' || line[indent] == '\t')
        indent++;
    char *s = trim(line);

    if (*s == '#' || *s == ';')
        return FACEFUSE_OK;
    if (!*s) /* an empty line ends a multi-line value */
        return r->value ? ini_flush(r, err) : FACEFUSE_OK;
    if (r->value && indent > r->key_indent) /* continuation */
        return ini_append(r, s, err);
    facefuse_status rc = ini_flush(r, err);
    if (rc != FACEFUSE_OK)
        return rc;
    if (*s == '[') {
        char *end = strrchr(s, ']');
        if (!end || end == s + 1)
            return ini_fail(r, lineno, err, FACEFUSE_ERR_INVALID_ARGUMENT, "bad section header");
        *end = '\0';
        snprintf(r->section, sizeof r->section, "%s", s + 1);
        r->have_section = 1;
        return FACEFUSE_OK;
    }
    if (!r->have_section)
        return ini_fail(r, lineno, err, FACEFUSE_ERR_INVALID_ARGUMENT, "a setting before any [section]");
    size_t kl = strcspn(s, "=:");
    if (!s[kl])
        return ini_fail(r, lineno, err, FACEFUSE_ERR_INVALID_ARGUMENT, "expected 'key = value'");
    char *value = s + kl + 1;
    s[kl] = '\0';
    char *key = trim(s);
    const fu_option *o;
    int index = fu_optset_find_key(r->set, r->section, key, &o);
    if (index < 0) {
        if (fu_optset_find_key(r->set, NULL, key, &o) >= 0) {
            snprintf(msg, sizeof msg, "key '%s' belongs in [%s], not [%s]", shown(key, sbuf, sizeof sbuf), o->section,
                     r->section);
        } else {
            char sec[160];
            snprintf(msg, sizeof msg, "unknown key '%s' in [%s]", shown(key, sbuf, sizeof sbuf),
                     shown(r->section, sec, sizeof sec));
        }
        return ini_fail(r, lineno, err, FACEFUSE_ERR_INVALID_ARGUMENT, msg);
    }
    r->key_index = index;
    r->key_line = lineno;
    r->key_indent = indent;
    return ini_append(r, trim(value), err);
}

facefuse_status fu_optset_load_ini(fu_optset *set, const char *path, fu_err *err)
{
    char sbuf[256];
    struct stat st;
    ini_reader r;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0;
    facefuse_status rc = FACEFUSE_OK;

    FILE *f = fopen(path, "r");
    if (!f)
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "cannot open config file %s: %s",
                       shown(path, sbuf, sizeof sbuf), strerror(errno));
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return fu_fail(err, FACEFUSE_ERR_INVALID_ARGUMENT, "config file %s is not a regular file",
                       shown(path, sbuf, sizeof sbuf));
    }
    memset(&r, 0, sizeof r);
    r.set = set;
    r.path = path;
    r.key_index = -1;
    while (rc == FACEFUSE_OK && (len = getline(&line, &cap, f)) >= 0) {
        char *s = line;
        lineno++;
        if ((size_t)len != strlen(line)) {
            rc = ini_fail(&r, lineno, err, FACEFUSE_ERR_INVALID_ARGUMENT, "binary data (a NUL byte) in a text file");
            break;
        }
        if (lineno == 1 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb && (unsigned char)s[2] == 0xbf)
            s += 3; /* UTF-8 byte order mark */
        rc = ini_line(&r, s, lineno, err);
    }
    if (rc == FACEFUSE_OK && ferror(f))
        rc = fu_fail(err, FACEFUSE_ERR_IO, "cannot read config file %s: %s", shown(path, sbuf, sizeof sbuf),
                     strerror(errno));
    if (rc == FACEFUSE_OK)
        rc = ini_flush(&r, err);
    free(r.value);
    free(line);
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------- apply */

static void *field(void *settings, const fu_option *o)
{
    return (char *)settings + o->offset;
}

facefuse_status fu_options_apply(const fu_optset *set, const fu_option_group *g, void *settings, fu_err *err)
{
    int base = 0;
    for (int k = 0; k < set->group_count && set->groups[k] != g; k++)
        for (const fu_option *o = set->groups[k]->options; o && o->name; o++)
            base++;
    int i = base;
    for (const fu_option *o = g->options; o && o->name; o++, i++) {
        const fu_optval *v = &set->vals[i];
        if (o->offset == FU_OPT_NONE)
            continue;
        switch (o->type) {
        case FU_OPT_STRING:
            *(const char **)field(settings, o) = v->n ? v->words[0] : NULL;
            break;
        case FU_OPT_INT:
            *(int *)field(settings, o) = v->n ? (int)strtol(v->words[0], NULL, 10) : -1;
            break;
        case FU_OPT_FLOAT:
            *(float *)field(settings, o) = v->n ? strtof(v->words[0], NULL) : 0.0f;
            break;
        case FU_OPT_BOOL:
            *(int *)field(settings, o) = v->n && strcmp(v->words[0], "true") == 0;
            break;
        case FU_OPT_STRINGS: {
            fu_strs *s = field(settings, o);
            s->v = (const char *const *)v->words;
            s->n = v->n;
            break;
        }
        case FU_OPT_INTS: {
            fu_ints *s = field(settings, o);
            s->n = v->n < FU_OPT_MAX_INTS ? v->n : FU_OPT_MAX_INTS;
            for (int k = 0; k < s->n; k++)
                s->v[k] = (int)strtol(v->words[k], NULL, 10);
            if ((o->flags & FU_OPTF_TRBL) && s->n >= 1 && s->n < 4) {
                int t = s->v[0], r = s->n > 1 ? s->v[1] : t, b = s->n > 2 ? s->v[2] : t;
                s->v[0] = t, s->v[1] = r, s->v[2] = b, s->v[3] = r;
                s->n = 4;
            }
            break;
        }
        }
    }
    return g->check ? g->check(settings, err) : FACEFUSE_OK;
}

/* ---------------------------------------------------------------- help */

const char *fu_option_choices(const fu_option *o)
{
    if (o->choices)
        return o->choices;
    return o->choices_fn ? o->choices_fn() : NULL;
}

const char *fu_option_type_name(const fu_option *o)
{
    switch (o->type) {
    case FU_OPT_INT: return "int";
    case FU_OPT_FLOAT: return "float";
    case FU_OPT_BOOL: return "bool";
    case FU_OPT_STRINGS:
    case FU_OPT_INTS: return "list";
    default: return "string";
    }
}

static void print_option(const fu_option *o, FILE *out)
{
    char names[96];
    snprintf(names, sizeof names, "%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "", o->name);
    fprintf(out, "  %-38s %s", names, o->help ? o->help : "");
    if (o->reject && !o->unsupported) {
        fprintf(out, " [not supported: %s]\n", o->reject);
        return;
    }
    const char *choices = fu_option_choices(o);
    if (choices)
        fprintf(out, " {%s}", choices);
    else if (o->min < o->max)
        fprintf(out, " [%g..%g]", o->min, o->max);
    if (o->def && o->type != FU_OPT_BOOL)
        fprintf(out, " (default: %s)", o->def);
    if (o->reject)
        fprintf(out, " [%s: %s]", o->unsupported, o->reject);
    fputc('\n', out);
}

void fu_options_print_help(const fu_optset *set, FILE *out)
{
    /* each title once, in order of first appearance */
    for (int g = 0; g < set->group_count; g++) {
        int seen = 0;
        for (int k = 0; k < g; k++)
            seen |= strcmp(set->groups[k]->title, set->groups[g]->title) == 0;
        if (seen)
            continue;
        fprintf(out, "\n%s:\n", set->groups[g]->title);
        for (int k = g; k < set->group_count; k++)
            if (strcmp(set->groups[k]->title, set->groups[g]->title) == 0)
                for (const fu_option *o = set->groups[k]->options; o && o->name; o++)
                    print_option(o, out);
    }
}
