#include "semver.h"
#include "harness.h"

/* Strictly increasing precedence, from the SemVer 2.0.0 spec and more. */
static const char *const ordered[] = {
    "0.9.9", "1.0.0-0", "1.0.0-9", "1.0.0-10", "1.0.0-alpha",
    "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
    "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.10.0",
    "2.0.0",
};

static int cmp(const char *a, const char *b)
{
    semver_t va, vb;
    if (semver_parse(a, &va) || semver_parse(b, &vb))
        return 99;
    return semver_compare(&va, &vb);
}

static const char *bumped(const char *in, void (*bump)(semver_t *))
{
    static char buf[128];
    semver_t v;
    if (semver_parse(in, &v))
        return "<parse error>";
    bump(&v);
    semver_format(&v, buf, sizeof(buf));
    return buf;
}

int main(void)
{
    size_t n = sizeof(ordered) / sizeof(ordered[0]);

    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int want = (i > j) - (i < j), got = cmp(ordered[i], ordered[j]);
            CHECK((got > 0) - (got < 0) == want);
        }

    /* build metadata does not affect precedence */
    CHECK(cmp("1.0.0+a", "1.0.0+b") == 0);
    CHECK(cmp("v1.0.0-rc.1+x", "1.0.0-rc.1") == 0);

    CHECK_STR(bumped("1.2.3-rc.1+b", semver_bump_major), "2.0.0");
    CHECK_STR(bumped("1.2.3", semver_bump_minor), "1.3.0");
    CHECK_STR(bumped("1.2.3", semver_bump_patch), "1.2.4");
    CHECK_STR(bumped("1.2.3-rc.1", semver_bump_patch), "1.2.3");

    return harness_summary("test_compare");
}
