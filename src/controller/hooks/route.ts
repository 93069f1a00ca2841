// The webhook endpoint, `POST /hooks/<namespace>/<trigger>`: find the Trigger, read its Secrets
// (none readable: nothing is accepted), read the body under a size cap and deadline, verify the
// signature over the raw bytes, parse, name the delivery, and act. Every answer is JSON with the
// reason; nothing in the payload decides where a request goes or what is fetched.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Webhook } from '../../api/v1alpha1/trigger.ts';
import { HttpError, readBody } from '../../webhook/body.ts';
import type { Delivery } from '../../webhook/delivery.ts';
import { genericDelivery } from '../../webhook/generic.ts';
import { githubDelivery } from '../../webhook/github.ts';
import { gitlabDelivery } from '../../webhook/gitlab.ts';
import { verifyHexHmac, verifyStandardWebhook, verifyToken } from '../../webhook/verify.ts';
import type { Route } from '../http.ts';
import { isTransient } from '../kube/errors.ts';
import { accept, type Extras, type HooksContext, type Outcome } from './accept.ts';
import type { SecretReader } from './secrets.ts';

export interface HooksOptions {
  /** Largest body accepted, per provider. @default GitHub and GitLab 25 MiB, generic 1 MiB */
  readonly maxBytes?: Partial<Record<Webhook['provider'], number>>;
  /** How long the whole body may take to arrive. @default 10 s */
  readonly bodyTimeoutMs?: number;
}

export const DEFAULT_MAX_BYTES: Record<Webhook['provider'], number> = { github: 25 * 1024 * 1024, gitlab: 25 * 1024 * 1024, generic: 1024 * 1024 };
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

export interface RouteContext extends HooksContext {
  readonly secrets: SecretReader;
  /** Whether the caches are synced: before that, an unknown Trigger may just not be loaded yet. */
  readonly ready: () => boolean;
}

export function hooksRoute(ctx: RouteContext, options: HooksOptions = {}): Route {
  return async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith('/hooks/')) return false;
    const parts = path.slice('/hooks/'.length).split('/');
    if (parts.length !== 2 || !parts.every((p) => NAME.test(p))) return reply(res, 404, { error: 'webhook URLs are /hooks/<namespace>/<trigger>' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'webhooks are POSTed' }, { Allow: 'POST' });
    if (!ctx.ready()) return reply(res, 503, { error: 'the controller is starting; deliver again shortly' }, { 'Retry-After': '5' });
    const [namespace, name] = parts as [string, string];
    const trigger = ctx.triggers.get(namespace, name);
    const webhook = trigger?.spec.webhook;
    if (!trigger || !webhook) return reply(res, 404, { error: `no Trigger ${namespace}/${name} with a webhook` });
    try {
      const secrets = await ctx.secrets.values(namespace, webhook.secretRefs);
      if (secrets.length === 0) {
        ctx.log.warn('webhook refused: no secret readable', { namespace, trigger: name, secrets: webhook.secretRefs.map((r) => `${r.name}/${r.key}`) });
        return reply(res, 401, { error: 'the delivery could not be verified' });
      }
      const body = await readBody(req, { maxBytes: options.maxBytes?.[webhook.provider] ?? DEFAULT_MAX_BYTES[webhook.provider], timeoutMs: options.bodyTimeoutMs ?? 10_000 });
      if (!verified(webhook.provider, req, body, secrets, ctx.now().getTime())) {
        ctx.log.warn('webhook refused: signature does not match', { namespace, trigger: name, provider: webhook.provider });
        return reply(res, 401, { error: 'the delivery could not be verified' });
      }
      const deliveryId = deliveryIdOf(webhook.provider, req);
      if (!deliveryId) return reply(res, 400, { error: `a ${webhook.provider} delivery needs a delivery ID header (${DELIVERY_HEADERS[webhook.provider].join(' or ')})` });
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString('utf8'));
      } catch {
        return reply(res, 400, { error: 'the body is not JSON' });
      }
      const { delivery, extras } = parse(webhook.provider, req, payload);
      const outcome = await accept(ctx, trigger, delivery, deliveryId, extras);
      return answer(res, outcome);
    } catch (e) {
      if (e instanceof HttpError) return reply(res, e.status, { error: e.message });
      if (isTransient(e)) return reply(res, 503, { error: 'the Kubernetes API is not answering; deliver again later' }, { 'Retry-After': '5' });
      ctx.log.error('webhook failed', { namespace, trigger: name, error: e });
      return reply(res, 500, { error: 'the delivery could not be processed; see the controller log' });
    }
  };
}

const LINGER_MS = 500;

/**
 * The connection of a request answered before its body arrived is closed, but not at once (as
 * Go's net/http does it): the answer is sent, the write side shut, and the socket destroyed when
 * the sender closes its side or a moment later. Closing with the sender's bytes still unread
 * makes the kernel reset the connection, and the sender may then never read its 413, 408 or 404.
 * What arrives meanwhile is discarded: nothing is kept, and the moment is short.
 */
function lingerBeforeClose(req: IncomingMessage): void {
  const socket = req.socket;
  // Node's server calls destroySoon() once a `Connection: close` answer is written.
  socket.destroySoon = () => {
    socket.end();
    req.removeAllListeners('data');
    req.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    // The sender closed its side: it has read the answer, or never will.
    socket.once('end', () => socket.destroy());
  };
}

function verified(provider: Webhook['provider'], req: IncomingMessage, body: Buffer, secrets: string[], nowMs: number): boolean {
  const h = (n: string) => header(req, n);
  if (provider === 'github') return verifyHexHmac(body, h('x-hub-signature-256'), secrets);
  if (provider === 'generic') return verifyHexHmac(body, h('x-kayci-signature-256'), secrets);
  // GitLab: the signing token where the hook has one (Standard Webhooks headers), else the secret token.
  if (h('webhook-signature') !== undefined) return verifyStandardWebhook(body, { id: h('webhook-id'), timestamp: h('webhook-timestamp'), signature: h('webhook-signature') }, secrets, nowMs);
  return verifyToken(h('x-gitlab-token'), secrets);
}

const DELIVERY_HEADERS: Record<Webhook['provider'], string[]> = {
  github: ['x-github-delivery'],
  gitlab: ['idempotency-key', 'x-gitlab-event-uuid', 'webhook-id'],
  generic: ['x-kayci-delivery'],
};

function deliveryIdOf(provider: Webhook['provider'], req: IncomingMessage): string | undefined {
  for (const name of DELIVERY_HEADERS[provider]) {
    const value = header(req, name);
    if (value !== undefined && DELIVERY_ID.test(value)) return value;
  }
  return undefined;
}

function parse(provider: Webhook['provider'], req: IncomingMessage, payload: unknown): { delivery: Delivery; extras: Extras } {
  if (provider === 'github') return { delivery: githubDelivery(header(req, 'x-github-event'), payload), extras: {} };
  if (provider === 'gitlab') return { delivery: gitlabDelivery(header(req, 'x-gitlab-event'), payload), extras: {} };
  const delivery = genericDelivery(payload);
  return { delivery, extras: { params: delivery.params, jobs: delivery.jobs } };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function answer(res: ServerResponse, outcome: Outcome): true {
  const { status, ...body } = outcome;
  return reply(res, status, body);
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): true {
  const text = `${JSON.stringify(body)}\n`;
  // Answered before the body arrived (refused, over the cap, too slow, unknown Trigger): the
  // connection is closed rather than kept alive, which would read and discard the rest of the
  // body however long it is.
  const close = !res.req.complete;
  if (close) lingerBeforeClose(res.req);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers, ...(close ? { Connection: 'close' } : {}) });
  res.end(text);
  return true;
}
