// admission(): concurrency groups — admit, queue in creation order (ties broken by name), or
// supersede every older Run by the newest.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Concurrency } from '../../../src/api/v1alpha1/pipeline.ts';
import { admission, type Admission, type GroupMember } from '../../../src/plan/concurrency.ts';

const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, s)).toISOString().replace('.000Z', 'Z');

/** r1 … r4 created a second apart; r2b at the same second as r2 (and after it by name). */
const r1 = { name: 'r1', creationTimestamp: at(1) };
const r2 = { name: 'r2', creationTimestamp: at(2) };
const r2b = { name: 'r2b', creationTimestamp: at(2) };
const r3 = { name: 'r3', creationTimestamp: at(3) };
const r4 = { name: 'r4', creationTimestamp: at(4) };
const group = [r3, r1, r4, r2]; // as a cache lists them: in no particular order

const admit: Admission = { kind: 'admit' };
const queue = (ahead: number): Admission => ({ kind: 'queue', ahead });
const supersede = (by: string): Admission => ({ kind: 'supersede', by });

const table: [string, GroupMember, Concurrency | undefined, GroupMember[], Admission][] = [
  ['no concurrency: always admitted', r4, undefined, group, admit],
  ['a group setting alone limits nothing', r4, { group: 'deploy' }, group, admit],
  ['max 1: the oldest runs', r1, { max: 1 }, group, admit],
  ['max 1: the second waits behind one', r2, { max: 1 }, group, queue(1)],
  ['max 1: the newest waits behind three', r4, { max: 1 }, group, queue(3)],
  ['max 2: the two oldest run', r2, { max: 2 }, group, admit],
  ['max 2: the third waits behind one', r3, { max: 2 }, group, queue(1)],
  ['max 2: the fourth waits behind two', r4, { max: 2 }, group, queue(2)],
  ['max above the group size: all admitted', r4, { max: 5 }, group, admit],
  ['alone in the group', r1, { max: 1 }, [r1], admit],
  ['same second: the name decides (r2 before r2b)', r2, { max: 2 }, [r2b, r1, r2], admit],
  ['same second: the name decides (r2b after r2)', r2b, { max: 2 }, [r2b, r1, r2], queue(1)],
  ['self not in the list yet (a cache that lags): placed by its creation time', r3, { max: 1 }, [r2, r1], queue(2)],
  ['self not in the list yet, and oldest', r1, { max: 1 }, [r3, r2], admit],
  ['self not in the list and the list empty', r1, { max: 1 }, [], admit],
  ['cancelInProgress: the newest runs', r4, { cancelInProgress: true }, group, admit],
  ['cancelInProgress: every older one is superseded by the newest (oldest)', r1, { cancelInProgress: true }, group, supersede('r4')],
  ['cancelInProgress: every older one is superseded by the newest (middle)', r3, { cancelInProgress: true }, group, supersede('r4')],
  ['cancelInProgress alone in the group', r1, { cancelInProgress: true }, [r1], admit],
  ['cancelInProgress, self not listed yet but newest', r4, { cancelInProgress: true }, [r1, r2], admit],
  ['cancelInProgress, self not listed and older than a listed one', r2, { cancelInProgress: true }, [r1, r3], supersede('r3')],
  ['cancelInProgress, same second: the later name is the newer', r2, { cancelInProgress: true }, [r2, r2b], supersede('r2b')],
  ['cancelInProgress with max 1: the newest waits for the superseded to end', r4, { cancelInProgress: true, max: 1 }, group, queue(3)],
  ['cancelInProgress with max 1: older ones are superseded, not queued', r2, { cancelInProgress: true, max: 1 }, group, supersede('r4')],
];

describe('admission()', () => {
  it.each(table)('%s', (_name, self, concurrency, members, want) => {
    expect(admission(self, concurrency, members)).toEqual(want);
  });

  it('does not reorder the caller\'s list', () => {
    const members = [...group];
    admission(r2, { max: 1 }, members);
    expect(members).toEqual(group);
  });

  it('with max n, exactly the n oldest of a group are admitted, the rest queued in order', () => {
    const member = fc.record({ name: fc.stringMatching(/^r[0-9a-z]{1,4}$/), creationTimestamp: fc.integer({ min: 0, max: 20 }).map(at) });
    fc.assert(
      fc.property(fc.uniqueArray(member, { minLength: 1, maxLength: 12, selector: (m) => m.name }), fc.integer({ min: 1, max: 6 }), (members, max) => {
        const verdicts = members.map((m) => ({ m, a: admission(m, { max }, members) }));
        const admitted = verdicts.filter((v) => v.a.kind === 'admit');
        expect(admitted).toHaveLength(Math.min(max, members.length));
        const aheads = verdicts.flatMap((v) => (v.a.kind === 'queue' ? [v.a.ahead] : [])).sort((a, b) => a - b);
        expect(aheads).toEqual(aheads.map((_, i) => i + 1));
        // Nobody admitted is younger than anybody queued.
        const latestAdmitted = admitted.map((v) => v.m.creationTimestamp).sort().at(-1)!;
        for (const v of verdicts) if (v.a.kind === 'queue') expect(v.m.creationTimestamp >= latestAdmitted).toBe(true);
      }),
    );
  });

  it('with cancelInProgress, all but one are superseded, all by that one', () => {
    const member = fc.record({ name: fc.stringMatching(/^r[0-9a-z]{1,4}$/), creationTimestamp: fc.integer({ min: 0, max: 20 }).map(at) });
    fc.assert(
      fc.property(fc.uniqueArray(member, { minLength: 1, maxLength: 12, selector: (m) => m.name }), (members) => {
        const verdicts = members.map((m) => admission(m, { cancelInProgress: true }, members));
        const admitted = members.filter((_, i) => verdicts[i]!.kind === 'admit');
        expect(admitted).toHaveLength(1);
        for (const v of verdicts) if (v.kind === 'supersede') expect(v.by).toBe(admitted[0]!.name);
      }),
    );
  });
});
