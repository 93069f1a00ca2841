// The local runner's `$(VAR)` expansion must match the kubelet's (k8s.io/kubernetes
// third_party/forked/golang/expansion), or a job behaves differently locally and in the cluster.
import { describe, expect, it } from 'vitest';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { containerArgv, containerEnv, expand } from '../../src/api/v1alpha1/expand.ts';

const vars = new Map([
  ['A', 'a-value'],
  ['B', 'b'],
  ['EMPTY', ''],
  ['DOLLAR', '$(A)'],
]);

describe('expand', () => {
  it.each([
    ['a defined reference', '$(A)', 'a-value'],
    ['references inside text', 'x-$(A)-$(B)-y', 'x-a-value-b-y'],
    ['adjacent references', '$(A)$(B)', 'a-valueb'],
    ['a reference to an empty value', '[$(EMPTY)]', '[]'],
    ['an undefined reference stays as written', '$(NOPE)', '$(NOPE)'],
    ['an undefined reference among defined ones', '$(A) $(NOPE) $(B)', 'a-value $(NOPE) b'],
    ['$$ is a literal $', 'cost: $$5', 'cost: $5'],
    ['$$(A) is the literal text $(A)', '$$(A)', '$(A)'],
    ['$$$(A) is $ then the value', '$$$(A)', '$a-value'],
    ['$$$$ is $$', '$$$$', '$$'],
    ['a lone $ before another character', '$A ${A} $1', '$A ${A} $1'],
    ['a trailing $', 'end$', 'end$'],
    ['an unterminated $(', 'echo $(A', 'echo $(A'],
    // The name runs to the first `)`, wherever it is: ` $(A` here, which is undefined.
    ['a $( closed by a later reference\'s )', '$( $(A)', '$( $(A)'],
    ['the empty name', '$()', '$()'],
    ['an undefined name swallows up to the first )', '$(A $(B))', '$(A $(B))'],
    ['$$ inside an undefined reference is kept', '$(NOPE$$)', '$(NOPE$$)'],
    ['values are not expanded again', '$(DOLLAR)', '$(A)'],
    ['shell command substitution is left alone', 'echo "$(date)"', 'echo "$(date)"'],
    ['text without $', 'plain text (with parens)', 'plain text (with parens)'],
    ['multi-byte text around a reference', 'Zoë→$(A)←✓', 'Zoë→a-value←✓'],
  ])('%s: %j', (_what, input, want) => {
    expect(expand(input, vars)).toBe(want);
  });
});

describe('containerEnv', () => {
  const noValues = () => undefined;

  it('starts from the run-wide variables, then applies env in order', () => {
    const env = containerEnv({ KAYCI_RUN: 'r1', KAYCI_PIPELINE: 'p' }, { name: 'c', env: [{ name: 'X', value: 'x' }] }, noValues);
    expect(Object.fromEntries(env)).toEqual({ KAYCI_RUN: 'r1', KAYCI_PIPELINE: 'p', X: 'x' });
  });

  it('an env value may refer to the run-wide variables and to earlier entries only', () => {
    const container: IContainer = {
      name: 'c',
      env: [
        { name: 'FIRST', value: '$(KAYCI_RUN)-1' },
        { name: 'SECOND', value: '$(FIRST)-2 $(THIRD)' },
        { name: 'THIRD', value: '3' },
        { name: 'SELF', value: '$(SELF)' },
      ],
    };
    const env = containerEnv({ KAYCI_RUN: 'r1' }, container, noValues);
    expect(env.get('FIRST')).toBe('r1-1');
    expect(env.get('SECOND')).toBe('r1-1-2 $(THIRD)');
    expect(env.get('THIRD')).toBe('3');
    expect(env.get('SELF')).toBe('$(SELF)');
  });

  it('a later entry replaces an earlier value and may build on it', () => {
    const env = containerEnv({ PATHS: '/a' }, { name: 'c', env: [{ name: 'PATHS', value: '$(PATHS):/b' }, { name: 'PATHS', value: '$(PATHS):/c' }] }, noValues);
    expect(env.get('PATHS')).toBe('/a:/b:/c');
  });

  it('an env entry with no value is the empty string; $$ in a value is a literal $', () => {
    const env = containerEnv({}, { name: 'c', env: [{ name: 'E' }, { name: 'M', value: '$$(E)$$' }] }, noValues);
    expect(env.get('E')).toBe('');
    expect(env.get('M')).toBe('$(E)$');
  });

  it('valueFrom entries take the resolver\'s value, unexpanded; unresolved ones stay unset', () => {
    const resolve = (source: { secretKeyRef?: { name?: string; key: string } }, name: string) =>
      source.secretKeyRef?.key === 'token' ? `secret-for-${name}-$(A)` : undefined;
    const container: IContainer = {
      name: 'c',
      env: [
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } },
        { name: 'OPTIONAL', valueFrom: { secretKeyRef: { name: 's', key: 'missing', optional: true } } },
        { name: 'USES', value: '$(TOKEN)|$(OPTIONAL)' },
      ],
    };
    const env = containerEnv({ A: 'a' }, container, resolve);
    expect(env.get('TOKEN')).toBe('secret-for-TOKEN-$(A)');
    expect(env.has('OPTIONAL')).toBe(false);
    expect(env.get('USES')).toBe('secret-for-TOKEN-$(A)|$(OPTIONAL)');
  });

  it('does not change the run-wide variables it starts from', () => {
    const base = { A: '1' };
    containerEnv(base, { name: 'c', env: [{ name: 'A', value: '2' }] }, noValues);
    expect(base).toEqual({ A: '1' });
  });
});

describe('containerArgv', () => {
  it('is command then args, each expanded with every variable of the container', () => {
    const container: IContainer = { name: 'c', command: ['sh', '-ec', 'echo $(A) $$(A) "$HOME"'], args: ['$(B)', '$(NOPE)'] };
    expect(containerArgv(container, vars)).toEqual(['sh', '-ec', 'echo a-value $(A) "$HOME"', 'b', '$(NOPE)']);
  });

  it('args alone (the image entrypoint would run first) and neither', () => {
    expect(containerArgv({ name: 'c', args: ['--flag=$(A)'] }, vars)).toEqual(['--flag=a-value']);
    expect(containerArgv({ name: 'c', image: 'alpine' }, vars)).toEqual([]);
  });

  it('a value with spaces or newlines stays one argument', () => {
    expect(containerArgv({ name: 'c', command: ['echo', '$(V)'] }, new Map([['V', 'two words\nand a line']]))).toEqual(['echo', 'two words\nand a line']);
  });
});
