// LabelIndex: a cache's objects by namespace and the value of one label, kept current from the
// informer's add, update and delete events.
import { describe, expect, it } from 'vitest';
import type { Handler, Informer } from '../../../src/controller/informer.ts';
import type { KubeObject } from '../../../src/controller/kube/client.ts';
import { LabelIndex } from '../../../src/controller/index-by-label.ts';

/** Just enough of an Informer: handlers to call. */
class FakeInformer {
  readonly handlers = { add: [] as Handler<KubeObject>[], update: [] as Handler<KubeObject>[], delete: [] as Handler<KubeObject>[] };
  on(event: 'add' | 'update' | 'delete', h: Handler<KubeObject>): this {
    this.handlers[event].push(h);
    return this;
  }
  emit(event: 'add' | 'update' | 'delete', obj: KubeObject, old?: KubeObject): void {
    for (const h of this.handlers[event]) h(obj, old);
  }
}

const job = (namespace: string, name: string, run?: string, rv = '1'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { namespace, name, resourceVersion: rv, ...(run === undefined ? {} : { labels: { 'kayci.dev/run': run, other: 'x' } }) },
});

function setup() {
  const informer = new FakeInformer();
  const index = new LabelIndex(informer as unknown as Informer<KubeObject>, 'kayci.dev/run');
  const names = (ns: string, run: string) => index.get(ns, run).map((o) => o.metadata!.name).sort();
  return { informer, index, names };
}

describe('LabelIndex', () => {
  it('finds objects by namespace and label value', () => {
    const { informer, names } = setup();
    informer.emit('add', job('ci', 'r1-build', 'r1'));
    informer.emit('add', job('ci', 'r1-test', 'r1'));
    informer.emit('add', job('ci', 'r2-build', 'r2'));
    informer.emit('add', job('other', 'r1-build', 'r1'));
    informer.emit('add', job('ci', 'unlabelled'));
    expect(names('ci', 'r1')).toEqual(['r1-build', 'r1-test']);
    expect(names('ci', 'r2')).toEqual(['r2-build']);
    expect(names('other', 'r1')).toEqual(['r1-build']);
    expect(names('ci', 'r3')).toEqual([]);
    expect(names('nowhere', 'r1')).toEqual([]);
  });

  it('holds the newest version of an object', () => {
    const { informer, index } = setup();
    const v1 = job('ci', 'r1-build', 'r1', '1');
    const v2 = job('ci', 'r1-build', 'r1', '2');
    informer.emit('add', v1);
    informer.emit('update', v2, v1);
    expect(index.get('ci', 'r1').map((o) => o.metadata!.resourceVersion)).toEqual(['2']);
  });

  it('moves an object whose label value changes, and drops one whose label goes', () => {
    const { informer, names } = setup();
    const a = job('ci', 'j', 'r1');
    const b = job('ci', 'j', 'r2', '2');
    const c = job('ci', 'j', undefined, '3');
    informer.emit('add', a);
    informer.emit('update', b, a);
    expect(names('ci', 'r1')).toEqual([]);
    expect(names('ci', 'r2')).toEqual(['j']);
    informer.emit('update', c, b);
    expect(names('ci', 'r2')).toEqual([]);
  });

  it('forgets deleted objects', () => {
    const { informer, names } = setup();
    const a = job('ci', 'a', 'r1');
    informer.emit('add', a);
    informer.emit('add', job('ci', 'b', 'r1'));
    informer.emit('delete', a);
    expect(names('ci', 'r1')).toEqual(['b']);
    informer.emit('delete', job('ci', 'b', 'r1'));
    expect(names('ci', 'r1')).toEqual([]);
    expect(() => informer.emit('delete', job('ci', 'never-seen', 'r9'))).not.toThrow();
  });

  it('returns a copy the caller may change', () => {
    const { informer, index, names } = setup();
    informer.emit('add', job('ci', 'a', 'r1'));
    index.get('ci', 'r1').pop();
    expect(names('ci', 'r1')).toEqual(['a']);
  });
});
