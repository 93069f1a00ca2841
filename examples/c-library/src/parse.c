#include "semver.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

static int parse_number(const char **p, unsigned long *out)
{
    const char *s = *p;
    unsigned long n = 0;

    if (!isdigit((unsigned char)*s))
        return -1;
    if (s[0] == '0' && isdigit((unsigned char)s[1]))
        return -1; /* no leading zeros */
    while (isdigit((unsigned char)*s)) {
        unsigned d = (unsigned)(*s - '0');
        if (n > (ULONG_MAX - d) / 10)
            return -1; /* overflow */
        n = n * 10 + d;
        s++;
    }
    *out = n;
    *p = s;
    return 0;
}

int semver_valid_identifiers(const char *str, size_t len, int numeric_strict)
{
    size_t i = 0;

    if (len == 0)
        return 0;
    while (i <= len) {
        size_t start = i;
        int all_digits = 1;

        while (i < len && str[i] != '.') {
            unsigned char c = (unsigned char)str[i];
            if (!isalnum(c) && c != '-')
                return 0;
            if (!isdigit(c))
                all_digits = 0;
            i++;
        }
        if (i == start)
            return 0; /* empty identifier */
        if (numeric_strict && all_digits && i - start > 1 && str[start] == '0')
            return 0;
        i++; /* skip '.' (or step past the end) */
    }
    return 1;
}

static int copy_label(char *dst, const char *src, size_t len, int strict)
{
    if (len >= SEMVER_MAX_LABEL || !semver_valid_identifiers(src, len, strict))
        return -1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

int semver_parse(const char *str, semver_t *out)
{
    const char *p = str;
    size_t len;

    if (str == NULL || out == NULL)
        return -1;
    memset(out, 0, sizeof(*out));
    if (*p == 'v')
        p++;
    if (parse_number(&p, &out->major) || *p++ != '.' ||
        parse_number(&p, &out->minor) || *p++ != '.' ||
        parse_number(&p, &out->patch))
        return -1;

    if (*p == '-') {
        p++;
        len = strcspn(p, "+");
        if (copy_label(out->prerelease, p, len, 1))
            return -1;
        p += len;
    }
    if (*p == '+') {
        p++;
        len = strlen(p);
        if (copy_label(out->build, p, len, 0))
            return -1;
        p += len;
    }
    return *p == '\0' ? 0 : -1;
}
