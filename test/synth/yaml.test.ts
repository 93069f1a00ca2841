// kayci's YAML emitter must write exactly what the `yaml` package writes for the same document.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { STRINGIFY_OPTIONS, yamlDocument } from '../../src/synth/yaml.ts';
import { CRDS } from '../../src/api/v1alpha1/validate/index.ts';

const reference = (d: unknown) => stringify(d, STRINGIFY_OPTIONS);

// Strings that stress YAML: keywords, numbers, indicators, comments, document markers,
// leading/trailing spaces and blank lines, unicode, `$(VAR)` references.
const tricky = fc.constantFrom(
  '', ' ', 'true', 'False', 'null', 'NULL', '~', 'yes', 'no', 'on', '0', '-1', '1.5', '1e3', '0x1f', '.inf', '.nan',
  '---', '...', '- a', '? x', ': y', 'a: b', 'a:b', 'a #c', '#c', '&anchor', '*alias', '!tag', '%dir', '@at', '`tick`',
  '"quoted"', "'single'", '{a}', '[b]', 'a,b', '|', '>', 'multi\nline', 'trailing\n', '\nleading', 'blank\n\nline\n\n',
  '  indented', 'tab\there', 'end ', 'end:', 'ünïcödé', '日本', 'emoji 😀', '$(KAYCI_RESULT_A_B)', 'sh -ec', 'x=1\ny=2\n',
);
const str = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), tricky, fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, str, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(str, tie('value'), { maxKeys: 5 }),
}));

describe('YAML emitter', () => {
  it('matches yaml.stringify on random JSON documents', () => {
    fc.assert(
      fc.property(fc.dictionary(str, json.value, { minKeys: 1, maxKeys: 6 }), (doc) => {
        expect(yamlDocument(doc)).toBe(reference(doc));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches on real output: the CRDs', () => {
    for (const crd of CRDS) expect(yamlDocument(crd)).toBe(reference(crd));
  });

  it('falls back for what is not JSON', () => {
    const doc = { when: new Date(0), n: -0, big: 10n ** 30n };
    expect(yamlDocument(doc)).toBe(reference(doc));
  });
});
