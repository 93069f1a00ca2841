// Generic deliveries: any sender that can sign a JSON body with HMAC-SHA256
// (`X-Kayci-Signature-256: sha256=<hex>`) and name the delivery (`X-Kayci-Delivery`). The body
// says what to build; `kayci trigger` sends the same thing.
import type { NameValue } from '../api/v1alpha1/meta.ts';
import { arr, capMetadata, splitRef, str, type Delivery } from './delivery.ts';

export interface GenericBody {
  event?: string;
  ref?: string;
  sha?: string;
  branch?: string;
  tag?: string;
  repoUrl?: string;
  repo?: string;
  actor?: string;
  params?: Record<string, string>;
  jobs?: string[];
}

export function genericDelivery(payload: unknown): Delivery & { params?: NameValue[]; jobs?: string[] } {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { kind: 'ignore', reason: 'the body is not a JSON object' };
  const ref = str(payload, 'ref');
  const fromRef = splitRef(ref);
  const tag = str(payload, 'tag') ?? fromRef.tag;
  const branch = str(payload, 'branch') ?? fromRef.branch;
  const event = str(payload, 'event') ?? (tag ? 'tag' : 'push');
  const metadata = capMetadata({
    provider: 'generic',
    event,
    ref: ref ?? (branch ? `refs/heads/${branch}` : tag ? `refs/tags/${tag}` : undefined),
    branch,
    tag,
    commitSha: str(payload, 'sha'),
    repoUrl: str(payload, 'repoUrl'),
    repo: str(payload, 'repo'),
    actor: str(payload, 'actor'),
  });
  const rawParams = (payload as { params?: unknown }).params;
  const params = typeof rawParams === 'object' && rawParams !== null && !Array.isArray(rawParams)
    ? Object.entries(rawParams).filter(([, v]) => typeof v === 'string').slice(0, 64).map(([name, value]) => ({ name: name.slice(0, 63), value: (value as string).slice(0, 4096) }))
    : undefined;
  const jobs = arr(payload, 'jobs').filter((j): j is string => typeof j === 'string').slice(0, 5000);
  return { kind: 'build', event: tag ? 'tag' : 'push', metadata, params, jobs };
}
