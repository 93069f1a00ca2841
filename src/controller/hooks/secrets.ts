// Secret values for webhook verification and feedback tokens. Secrets are read by name (the
// controller may not list or watch them) and kept for a few seconds, so a burst of deliveries
// costs one GET; a missing Secret or key is no value at all, and the caller fails closed.
import type { SecretKeyRef } from '../../api/v1alpha1/meta.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { RESOURCES } from '../kube/resources.ts';

type SecretObject = KubeObject & { data?: Record<string, string> };

export class SecretReader {
  private readonly client: KubeClient;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { at: number; secret: Promise<SecretObject | undefined> }>();

  constructor(client: KubeClient, options: { ttlMs?: number; now?: () => number } = {}) {
    this.client = client;
    this.ttlMs = options.ttlMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The values of the refs that resolve, in order; refs whose Secret or key is missing are left out. */
  async values(namespace: string, refs: readonly SecretKeyRef[]): Promise<string[]> {
    const out: string[] = [];
    for (const ref of refs) {
      const value = await this.value(namespace, ref);
      if (value !== undefined) out.push(value);
    }
    return out;
  }

  async value(namespace: string, ref: SecretKeyRef): Promise<string | undefined> {
    const secret = await this.secret(namespace, ref.name);
    const data = secret?.data?.[ref.key];
    if (typeof data !== 'string') return undefined;
    const value = Buffer.from(data, 'base64').toString('utf8');
    return value === '' ? undefined : value;
  }

  private secret(namespace: string, name: string): Promise<SecretObject | undefined> {
    const key = `${namespace}/${name}`;
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.secret;
    // Concurrent deliveries share one GET; a failed GET is not remembered.
    const secret = this.client.get<SecretObject>(RESOURCES.secrets, namespace, name);
    this.cache.set(key, { at: this.now(), secret });
    secret.catch(() => this.cache.delete(key));
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value!);
    return secret;
  }
}
