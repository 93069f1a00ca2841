/* harness.h - a minimal assertion harness for the tests. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_run, harness_failed;

#define CHECK(cond)                                                        \
    do {                                                                   \
        harness_run++;                                                     \
        if (!(cond)) {                                                     \
            harness_failed++;                                              \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                  \
    } while (0)

#define CHECK_STR(got, want)                                                 \
    do {                                                                     \
        const char *g_ = (got), *w_ = (want);                                \
        harness_run++;                                                       \
        if (strcmp(g_, w_) != 0) {                                           \
            harness_failed++;                                                \
            fprintf(stderr, "%s:%d: FAIL: got \"%s\", want \"%s\"\n",        \
                    __FILE__, __LINE__, g_, w_);                             \
        }                                                                    \
    } while (0)

/* Prints a summary and returns the process exit status. */
static inline int harness_summary(const char *name)
{
    printf("%s: %d checks, %d failed: %s\n", name, harness_run,
           harness_failed, harness_failed ? "FAIL" : "OK");
    return harness_failed ? 1 : 0;
}

#endif /* HARNESS_H */
