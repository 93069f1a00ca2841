#include "semver.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int cmp_ulong(unsigned long a, unsigned long b)
{
    return (a > b) - (a < b);
}

static int is_numeric(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return n > 0;
}

/* Compares one pair of prerelease identifiers per SemVer section 11.4. */
static int cmp_ident(const char *a, size_t an, const char *b, size_t bn)
{
    int anum = is_numeric(a, an), bnum = is_numeric(b, bn);

    if (anum && bnum) {
        /* no leading zeros, so longer means larger */
        if (an != bn)
            return an < bn ? -1 : 1;
        return memcmp(a, b, an);
    }
    if (anum != bnum)
        return anum ? -1 : 1; /* numeric identifiers sort first */
    int c = memcmp(a, b, an < bn ? an : bn);
    return c != 0 ? c : cmp_ulong(an, bn);
}

static int cmp_prerelease(const char *a, const char *b)
{
    if (*a == '\0' || *b == '\0')
        return (*a == '\0') - (*b == '\0'); /* release > prerelease */
    for (;;) {
        size_t an = strcspn(a, "."), bn = strcspn(b, ".");
        int c = cmp_ident(a, an, b, bn);
        if (c != 0)
            return c < 0 ? -1 : 1;
        a += an;
        b += bn;
        if (*a == '\0' || *b == '\0')
            return (*a != '\0') - (*b != '\0'); /* more fields win */
        a++;
        b++;
    }
}

int semver_compare(const semver_t *a, const semver_t *b)
{
    int c = cmp_ulong(a->major, b->major);
    if (c == 0)
        c = cmp_ulong(a->minor, b->minor);
    if (c == 0)
        c = cmp_ulong(a->patch, b->patch);
    if (c == 0)
        c = cmp_prerelease(a->prerelease, b->prerelease);
    return c;
}

int semver_format(const semver_t *v, char *buf, size_t size)
{
    if (v == NULL || (buf == NULL && size != 0))
        return -1;
    return snprintf(buf, size, "%lu.%lu.%lu%s%s%s%s", v->major, v->minor,
                    v->patch, v->prerelease[0] ? "-" : "", v->prerelease,
                    v->build[0] ? "+" : "", v->build);
}

static void clear_labels(semver_t *v)
{
    v->prerelease[0] = '\0';
    v->build[0] = '\0';
}

void semver_bump_major(semver_t *v)
{
    v->major++;
    v->minor = 0;
    v->patch = 0;
    clear_labels(v);
}

void semver_bump_minor(semver_t *v)
{
    v->minor++;
    v->patch = 0;
    clear_labels(v);
}

void semver_bump_patch(semver_t *v)
{
    /* 1.2.3-rc.1 -> 1.2.3: a prerelease bumps to its own release */
    if (v->prerelease[0] == '\0')
        v->patch++;
    clear_labels(v);
}
