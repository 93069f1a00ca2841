// Signature checks, all in constant time: HMAC digests are compared as fixed-length buffers,
// and plain tokens through their SHA-256 (equal length whatever was sent). A missing, short,
// malformed or uppercase signature is a mismatch like any other. Several secrets may be valid
// at once (rotation); any one matching is enough.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^sha256=([0-9a-f]{64})$/;

function hmac(secret: Buffer | string, data: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `sha256=<hex>` over the raw body (GitHub's X-Hub-Signature-256; kayci's X-Kayci-Signature-256). */
export function verifyHexHmac(body: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  const m = header === undefined ? null : HEX_SHA256.exec(header);
  if (!m) return false;
  const sent = Buffer.from(m[1]!, 'hex');
  let ok = false;
  // Every secret is tried, so timing does not tell which (or whether an earlier one) matched.
  for (const s of secrets) if (same(hmac(s, body), sent)) ok = true;
  return ok;
}

/** GitLab's X-Gitlab-Token: the secret itself. */
export function verifyToken(header: string | undefined, secrets: readonly string[]): boolean {
  if (header === undefined) return false;
  const sent = createHash('sha256').update(header).digest();
  let ok = false;
  for (const s of secrets) if (same(createHash('sha256').update(s).digest(), sent)) ok = true;
  return ok;
}

/**
 * GitLab's signing token (the Standard Webhooks scheme): `webhook-signature: v1,<base64>` (one
 * or more, space separated) of HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, the
 * timestamp within `toleranceS` of now. A `whsec_` secret is base64 after its prefix.
 */
export function verifyStandardWebhook(body: Buffer, headers: { id?: string; timestamp?: string; signature?: string }, secrets: readonly string[], nowMs: number, toleranceS = 300): boolean {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceS) return false;
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
  const sent = signature
    .split(' ')
    .map((s) => /^v1,([A-Za-z0-9+/]+={0,2})$/.exec(s)?.[1])
    .filter((s): s is string => s !== undefined)
    .map((s) => Buffer.from(s, 'base64'));
  let ok = false;
  for (const secret of secrets) {
    const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
    const expected = hmac(key, signed);
    for (const s of sent) if (same(expected, s)) ok = true;
  }
  return ok;
}

/** The header value a sender computes, for tests and `kayci trigger`. */
export function signHex(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
