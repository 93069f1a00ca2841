/* semver.h - Semantic Versioning 2.0.0 parser and comparator. */
#ifndef SEMVER_H
#define SEMVER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEMVER_MAX_LABEL 64

typedef struct {
    unsigned long major;
    unsigned long minor;
    unsigned long patch;
    char prerelease[SEMVER_MAX_LABEL]; /* "" when absent */
    char build[SEMVER_MAX_LABEL];      /* "" when absent, ignored by compare */
} semver_t;

/* Parses str (an optional leading 'v' is accepted). Returns 0 on success,
 * -1 on invalid input; *out is unspecified on failure. */
int semver_parse(const char *str, semver_t *out);

/* Returns <0, 0 or >0 following SemVer precedence rules. */
int semver_compare(const semver_t *a, const semver_t *b);

/* Writes the canonical form into buf. Returns the length it needed
 * (excluding the NUL), like snprintf, or -1 on error. */
int semver_format(const semver_t *v, char *buf, size_t size);

/* Increment helpers; they clear prerelease and build metadata. */
void semver_bump_major(semver_t *v);
void semver_bump_minor(semver_t *v);
void semver_bump_patch(semver_t *v);

/* Returns 1 if str is a valid dot-separated identifier list. When
 * numeric_strict is set, numeric identifiers may not have leading zeros. */
int semver_valid_identifiers(const char *str, size_t len, int numeric_strict);

#ifdef __cplusplus
}
#endif

#endif /* SEMVER_H */
