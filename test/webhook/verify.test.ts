import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHex, verifyHexHmac, verifyStandardWebhook, verifyToken } from '../../src/webhook/verify.ts';

describe('signatures', () => {
  it("passes GitHub's documented test vector", () => {
    // docs.github.com, "Validating webhook deliveries": secret and payload, and the signature GitHub shows.
    const body = Buffer.from('Hello, World!');
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(signHex(body, "It's a Secret to Everybody")).toBe(header);
    expect(verifyHexHmac(body, header, ["It's a Secret to Everybody"])).toBe(true);
  });

  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const good = signHex(body, 's3cret');
  it.each([
    ['the right signature', good, true],
    ['a wrong secret', signHex(body, 'wrong'), false],
    ['uppercase hex', good.toUpperCase().replace('SHA256=', 'sha256='), false],
    ['a short signature', good.slice(0, -2), false],
    ['an empty signature', '', false],
    ['no prefix', good.slice('sha256='.length), false],
    ['sha1', `sha1=${createHmac('sha1', 's3cret').update(body).digest('hex')}`, false],
    ['no header', undefined, false],
  ])('HMAC header: %s', (_what, header, ok) => {
    expect(verifyHexHmac(body, header, ['s3cret'])).toBe(ok);
  });

  it('accepts any of several secrets (rotation), and rejects a flipped byte', () => {
    expect(verifyHexHmac(body, good, ['new', 's3cret'])).toBe(true);
    const flipped = Buffer.from(body);
    flipped[3] = flipped[3]! ^ 1;
    expect(verifyHexHmac(flipped, good, ['s3cret'])).toBe(false);
    expect(verifyHexHmac(body, good, [])).toBe(false);
  });

  it('compares GitLab tokens whatever their length', () => {
    expect(verifyToken('tok', ['other', 'tok'])).toBe(true);
    expect(verifyToken('to', ['tok'])).toBe(false);
    expect(verifyToken('tokk', ['tok'])).toBe(false);
    expect(verifyToken('', ['tok'])).toBe(false);
    expect(verifyToken(undefined, ['tok'])).toBe(false);
  });

  it("checks GitLab's signing token (Standard Webhooks): id, timestamp and body, within 5 minutes", () => {
    const now = Date.parse('2026-11-21T08:00:00Z');
    const ts = String(now / 1000);
    const sign = (secret: Buffer | string, id = 'msg_1', t = ts, b = body) => `v1,${createHmac('sha256', secret).update(`${id}.${t}.`).update(b).digest('base64')}`;
    const key = Buffer.from('0123456789abcdef');
    const whsec = `whsec_${key.toString('base64')}`;
    expect(verifyStandardWebhook(body, { id: 'msg_1', timestamp: ts, signature: sign(key) }, [whsec], now)).toBe(true);
    expect(verifyStandardWebhook(body, { id: 'msg_1', timestamp: ts, signature: `v1,AAAA ${sign('plain')}` }, ['plain'], now)).toBe(true);
    expect(verifyStandardWebhook(body, { id: 'msg_2', timestamp: ts, signature: sign(key) }, [whsec], now)).toBe(false);
    expect(verifyStandardWebhook(body, { id: 'msg_1', timestamp: ts, signature: sign(key) }, [whsec], now + 301_000)).toBe(false);
    expect(verifyStandardWebhook(body, { id: 'msg_1', timestamp: 'x', signature: sign(key) }, [whsec], now)).toBe(false);
    expect(verifyStandardWebhook(body, { id: 'msg_1', timestamp: ts }, [whsec], now)).toBe(false);
  });
});
