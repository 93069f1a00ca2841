#include "semver.h"
#include "harness.h"

static const char *const valid[] = {
    "0.0.0", "1.2.3", "v1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1",
    "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0+20130313144700",
    "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3--117B344092BD",
    "1.0.0-rc.1+build.01",
};

static const char *const invalid[] = {
    "", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.3-",
    "1.2.3+", "1.2.3-01", "1.2.3-a..b", "1.2.3-a_b", "1.2.3 ", "V1.2.3",
    "-1.2.3", "1.2.-3", "99999999999999999999999.0.0",
};

int main(void)
{
    semver_t v;
    char buf[128];

    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        CHECK(semver_parse(valid[i], &v) == 0);
        CHECK(semver_format(&v, buf, sizeof(buf)) > 0);
        CHECK_STR(buf, valid[i][0] == 'v' ? valid[i] + 1 : valid[i]);
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        CHECK(semver_parse(invalid[i], &v) == -1);
    CHECK(semver_parse(NULL, &v) == -1);

    CHECK(semver_parse("1.2.3-rc.1+build.5", &v) == 0);
    CHECK(v.major == 1 && v.minor == 2 && v.patch == 3);
    CHECK_STR(v.prerelease, "rc.1");
    CHECK_STR(v.build, "build.5");

    /* truncation reports the needed length, like snprintf */
    CHECK(semver_format(&v, buf, 4) == 18);
    CHECK_STR(buf, "1.2");

    CHECK(semver_valid_identifiers("a.b-c.0", 7, 1) == 1);
    CHECK(semver_valid_identifiers("a.", 2, 1) == 0);
    CHECK(semver_valid_identifiers("007", 3, 0) == 1);
    CHECK(semver_valid_identifiers("007", 3, 1) == 0);

    return harness_summary("test_parse");
}
