// An index over an informer's cache: objects by namespace and the value of one label (Jobs and
// Pods by their Run), kept current from the informer's events, so a reconcile looks up its
// children instead of scanning every object.
import type { KubeObject } from './kube/client.ts';
import type { Informer } from './informer.ts';

export class LabelIndex<T extends KubeObject> {
  private readonly byValue = new Map<string, Map<string, T>>();
  private readonly label: string;

  constructor(informer: Informer<T>, label: string) {
    this.label = label;
    informer.on('add', (o) => this.put(o));
    informer.on('update', (o, old) => {
      if (old) this.remove(old);
      this.put(o);
    });
    informer.on('delete', (o) => this.remove(o));
  }

  /** Objects in `namespace` whose label has `value`. */
  get(namespace: string, value: string): T[] {
    return [...(this.byValue.get(`${namespace}/${value}`)?.values() ?? [])];
  }

  private slot(o: T): [Map<string, T> | undefined, string, string] | undefined {
    const value = o.metadata?.labels?.[this.label];
    if (value === undefined) return undefined;
    const k = `${o.metadata?.namespace ?? ''}/${value}`;
    return [this.byValue.get(k), k, o.metadata?.name ?? ''];
  }

  private put(o: T): void {
    const s = this.slot(o);
    if (!s) return;
    const [map, k, name] = s;
    if (map) map.set(name, o);
    else this.byValue.set(k, new Map([[name, o]]));
  }

  private remove(o: T): void {
    const s = this.slot(o);
    if (!s?.[0]) return;
    s[0].delete(s[2]);
    if (s[0].size === 0) this.byValue.delete(s[1]);
  }
}
