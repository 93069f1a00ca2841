// Glob patterns of branch and path filters.
import { describe, expect, it } from 'vitest';
import { globToRegExp, matchesAny } from '../../src/plan/glob.ts';

describe('glob', () => {
  // pattern, matching values, values that must not match
  const cases: [string, string[], string[]][] = [
    ['main', ['main'], ['mainx', 'xmain', 'main/x', '']],
    ['release/*', ['release/1', 'release/', 'release/v1.2'], ['release/1/x', 'release', 'xrelease/1']],
    ['release/**', ['release/1', 'release/1/x', 'release/'], ['release', 'releases/1']],
    ['**', ['', 'a', 'a/b/c', 'release/1/x'], []],
    ['*', ['a', 'main', ''], ['a/b']],
    ['**/*.go', ['main.go', 'cmd/x/main.go'], ['main.go.txt', 'main.c', 'cmd/main.gox']],
    ['src/**/test.c', ['src/test.c', 'src/a/test.c', 'src/a/b/test.c'], ['src/atest.c', 'test.c']],
    ['v?.*', ['v1.0', 'v2.x'], ['v10.0', 'v/.0']],
    ['feature-*', ['feature-x', 'feature-'], ['feature/x', 'features-x']],
    // Regular expression characters are literal.
    ['a.b+c(d)|[e]^$\\', ['a.b+c(d)|[e]^$\\'], ['aXb+c(d)|[e]^$\\', 'a.bbc(d)|[e]^$\\']],
    ['docs/{a,b}', ['docs/{a,b}'], ['docs/a']],
  ];

  it.each(cases)('%s', (pattern, yes, no) => {
    for (const v of yes) expect(globToRegExp(pattern).test(v), `${pattern} ~ ${v}`).toBe(true);
    for (const v of no) expect(globToRegExp(pattern).test(v), `${pattern} !~ ${v}`).toBe(false);
  });

  it('compiles a pattern once', () => {
    expect(globToRegExp('x/*')).toBe(globToRegExp('x/*'));
  });

  it('matchesAny: any pattern; none for an empty list', () => {
    expect(matchesAny('release/1', ['main', 'release/*'])).toBe(true);
    expect(matchesAny('dev', ['main', 'release/*'])).toBe(false);
    expect(matchesAny('main', [])).toBe(false);
  });
});
