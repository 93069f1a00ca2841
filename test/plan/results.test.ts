// parseResults(): the `name=value` file a job writes its results to.
import { describe, expect, it } from 'vitest';
import { RESULTS_MAX_BYTES } from '../../src/api/v1alpha1/env.ts';
import { parseResults } from '../../src/plan/env.ts';

describe('parseResults()', () => {
  it.each([
    ['empty', '', {}],
    ['one result', 'digest=sha256:abc', { digest: 'sha256:abc' }],
    ['trailing newline', 'a=1\n', { a: '1' }],
    ['values keep = and spaces', 'url=https://x/?a=b&c=d\nmsg= two words ', { url: 'https://x/?a=b&c=d', msg: ' two words ' }],
    ['an empty value', 'a=', { a: '' }],
    ['names are trimmed', '  a  =1', { a: '1' }],
    ['blank lines and comments', '\n# a comment\n   \na=1\n#b=2\n\n', { a: '1' }],
    ['the last value wins', 'a=1\nb=2\na=3', { a: '3', b: '2' }],
    ['CRLF line endings', 'a=1\r\nb=2\r\n', { a: '1', b: '2' }],
    ['names with digits, _ and -', 'image-tag_2=x', { 'image-tag_2': 'x' }],
    ['Object.prototype names are plain keys', 'constructor=c\ntoString=t', { constructor: 'c', toString: 't' }],
    ['multi-byte values', 'msg=héllo ✓', { msg: 'héllo ✓' }],
  ])('%s', (_n, text, expected) => {
    const parsed = parseResults(text);
    expect(parsed.error).toBeUndefined();
    expect(parsed.results).toEqual(expected);
    expect(Object.getPrototypeOf(parsed.results)).toBe(Object.prototype);
  });

  it.each([
    ['no =', 'digest'],
    ['no name', '=value'],
    ['__proto__', '__proto__=polluted'],
    ['a name starting with a digit', '1a=x'],
    ['a name with a dot', 'a.b=x'],
    ['a name with a space inside', 'a b=x'],
    ['a bad line after good ones', 'a=1\nnot a result'],
  ])('rejects %s', (_n, text) => {
    const parsed = parseResults(text);
    expect(parsed.error).toMatch(/is not name=value with a result name/);
    expect(Object.hasOwn(parsed.results, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it(`accepts exactly ${RESULTS_MAX_BYTES} bytes and rejects one more, counting bytes not characters`, () => {
    const fill = (bytes: number) => `a=${'x'.repeat(bytes - 2)}`;
    expect(parseResults(fill(RESULTS_MAX_BYTES))).toEqual({ results: { a: 'x'.repeat(RESULTS_MAX_BYTES - 2) } });
    const over = parseResults(fill(RESULTS_MAX_BYTES + 1));
    expect(over.results).toEqual({});
    expect(over.error).toMatch(/4097 bytes; at most 4096/);
    // 2,000 three-byte characters: 6,002 bytes, though only 2,002 characters.
    expect(parseResults(`a=${'✓'.repeat(2000)}`).error).toMatch(/6002 bytes/);
  });
});
