import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findCycles, type DagNode } from '../../src/api/index.ts';

const node = (name: string, ...needs: string[]): DagNode => ({ name, needs });

/** Sorted, so tables do not depend on the order components are found in. */
const sorted = (cycles: string[][]) => cycles.map((c) => c.join(' → ')).sort();

/** Asserts `path` is a cycle of `nodes`: it closes, and each step is a declared need. */
function expectRealCycle(nodes: readonly DagNode[], path: string[]) {
  const needs = new Map<string, Set<string>>();
  for (const n of nodes) needs.set(n.name, new Set([...(needs.get(n.name) ?? []), ...(n.needs ?? [])]));
  expect(path.length).toBeGreaterThanOrEqual(2);
  expect(path[0]).toBe(path[path.length - 1]);
  expect(new Set(path.slice(0, -1)).size, `no node repeats inside ${path.join(' → ')}`).toBe(path.length - 1);
  const missing = path.slice(0, -1).filter((from, i) => !needs.get(from)?.has(path[i + 1]!));
  expect(missing, `steps that are not needs in ${path.slice(0, 20).join(' → ')}…`).toEqual([]);
}

describe('findCycles', () => {
  // Each row: nodes and the cycles reported, as paths.
  const cases: [string, DagNode[], string[]][] = [
    ['no nodes', [], []],
    ['one node', [node('a')], []],
    ['a DAG', [node('a'), node('b', 'a'), node('c', 'a'), node('d', 'b', 'c')], []],
    ['a diamond declared leaves first', [node('d', 'b', 'c'), node('c', 'a'), node('b', 'a'), node('a')], []],
    ['needs left undefined', [{ name: 'a' }, { name: 'b', needs: ['a'] }], []],
    ['self loop', [node('a', 'a')], ['a → a']],
    ['self loop among others', [node('a'), node('b', 'a', 'b')], ['b → b']],
    ['2-cycle', [node('a', 'b'), node('b', 'a')], ['a → b → a']],
    ['3-cycle', [node('a', 'b'), node('b', 'c'), node('c', 'a')], ['a → b → c → a']],
    ['3-cycle declared the other way', [node('a', 'c'), node('b', 'a'), node('c', 'b')], ['a → c → b → a']],
    ['3-cycle reached from outside', [node('x', 'b'), node('a', 'b'), node('b', 'c'), node('c', 'a'), node('y', 'x')], ['a → b → c → a']],
    ['two separate cycles', [node('a', 'b'), node('b', 'a'), node('c'), node('d', 'e', 'c'), node('e', 'f'), node('f', 'd')], ['a → b → a', 'd → e → f → d']],
    ['two cycles sharing a node are one component', [node('a', 'b', 'c'), node('b', 'a'), node('c', 'a')], ['a → b → a']],
    ['unknown needs are ignored', [node('a', 'ghost'), node('b', 'a', 'phantom')], []],
    ['unknown needs inside a cycle are ignored', [node('a', 'ghost', 'b'), node('b', 'a')], ['a → b → a']],
    ['duplicate names are merged (needs united)', [node('a', 'b'), node('b'), node('b', 'a')], ['a → b → a']],
    ['duplicate names without a cycle', [node('a'), node('b', 'a'), node('a')], []],
    ['a repeated need is one edge', [node('a', 'b', 'b'), node('b')], []],
  ];

  it.each(cases)('%s', (_name, nodes, expected) => {
    const cycles = findCycles(nodes);
    expect(sorted(cycles)).toEqual(expected);
    for (const c of cycles) expectRealCycle(nodes, c);
  });

  it('does not overflow the stack on a 5,000-node chain', () => {
    const n = 5000;
    const chain = Array.from({ length: n }, (_, i) => node(`j${i}`, ...(i > 0 ? [`j${i - 1}`] : [])));
    expect(findCycles(chain)).toEqual([]);
    expect(findCycles([...chain].reverse())).toEqual([]);
    // Close it: one cycle through every node.
    const ring = [{ ...chain[0]!, needs: [`j${n - 1}`] }, ...chain.slice(1)];
    const cycles = findCycles(ring);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n + 1);
    expectRealCycle(ring, cycles[0]!);
  });

  it('handles a node that needs 1,000 others', () => {
    const n = 1000;
    const leaves = Array.from({ length: n }, (_, i) => node(`j${i}`));
    expect(findCycles([...leaves, node('all', ...leaves.map((l) => l.name))])).toEqual([]);
  });

  /** A random DAG, acyclic by construction: node i only needs nodes with a lower index. */
  const dag = fc.integer({ min: 2, max: 25 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: Math.min(i, 4) })))),
  );
  const toNodes = (needs: number[][]): DagNode[] => needs.map((ns, i) => ({ name: `n${i}`, needs: ns.map((j) => `n${j}`) }));

  it('finds no cycle in a DAG (property)', () => {
    fc.assert(fc.property(dag, fc.boolean(), (needs, reversed) => {
      const nodes = toNodes(needs);
      expect(findCycles(reversed ? [...nodes].reverse() : nodes)).toEqual([]);
    }));
  });

  it('finds exactly one real cycle, through the added edge, after one back edge (property)', () => {
    fc.assert(fc.property(dag, fc.nat(), fc.nat(), fc.boolean(), (needs, pickFrom, pickTo, reversed) => {
      // Descendants of every node (everything it needs, directly or not); lower indices only.
      const reach = needs.map(() => new Set<number>());
      needs.forEach((ns, i) => {
        for (const j of ns) {
          reach[i]!.add(j);
          for (const k of reach[j]!) reach[i]!.add(k);
        }
      });
      const candidates = reach.map((_, i) => i).filter((i) => reach[i]!.size > 0);
      fc.pre(candidates.length > 0);
      const u = candidates[pickFrom % candidates.length]!;
      const v = [...reach[u]!][pickTo % reach[u]!.size]!;
      // u (indirectly) needs v; now v needs u as well.
      const nodes = toNodes(needs.map((ns, i) => (i === v ? [...ns, u] : ns)));
      const cycles = findCycles(reversed ? [...nodes].reverse() : nodes);
      expect(cycles).toHaveLength(1);
      const path = cycles[0]!;
      expectRealCycle(nodes, path);
      // Every cycle of the new graph uses the new edge v → u.
      const steps = path.slice(0, -1).map((from, i) => `${from}>${path[i + 1]}`);
      expect(steps).toContain(`n${v}>n${u}`);
    }));
  });
});
