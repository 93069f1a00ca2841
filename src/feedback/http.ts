// Outgoing HTTP for feedback, injectable for tests. Only URLs from the Trigger's configuration
// are ever requested — never one from a webhook payload.
import { fetch } from 'undici';

export interface OutgoingRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

export type Send = (request: OutgoingRequest) => Promise<{ status: number; body: string }>;

export const send: Send = async (r) => {
  const response = await fetch(r.url, {
    method: r.method,
    headers: r.body === undefined ? r.headers : { 'Content-Type': 'application/json', ...r.headers },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
    // Never follow a redirect: the configured URL is the only place a token goes.
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: await response.text() };
};

export class FeedbackError extends Error {
  override name = 'FeedbackError';
  readonly code = 'KAYCI_FEEDBACK';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Sends and answers the body of a 2xx; anything else is a FeedbackError carrying the provider's
 * answer. `label` names the request in that error instead of its path, for URLs that are
 * credentials themselves (a Slack webhook's path is its secret).
 */
export async function sendOk(sendFn: Send, request: OutgoingRequest, label?: string): Promise<string> {
  const { status, body } = await sendFn(request);
  if (status < 200 || status >= 300) throw new FeedbackError(status, `${label ?? `${request.method} ${new URL(request.url).pathname}`}: ${status} ${body.slice(0, 300)}`);
  return body;
}
