// Run notifications: a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat take
// `{ text }`), and Matrix through the client-server API (a message to a room, sent with an
// access token). Both addresses come from the Trigger's Secrets, never from a payload.
import { createHash } from 'node:crypto';
import { sendOk, type Send } from './http.ts';

export interface RunNotice {
  readonly run: string;
  readonly namespace: string;
  readonly pipeline: string;
  readonly phase: string;
  readonly summary: string;
  readonly url?: string;
  readonly commit?: string;
  readonly branch?: string;
}

export function noticeText(n: RunNotice): string {
  const where = [n.branch && `branch ${n.branch}`, n.commit && `commit ${n.commit.slice(0, 12)}`].filter(Boolean).join(', ');
  return `kayci: ${n.pipeline} run ${n.run} ${n.phase.toLowerCase()}${where ? ` (${where})` : ''}: ${n.summary}${n.url ? `\n${n.url}` : ''}`;
}

export async function notifySlack(sendFn: Send, webhookUrl: string, notice: RunNotice): Promise<void> {
  // The webhook's URL is its credential: errors name it "Slack webhook", never by its path.
  await sendOk(sendFn, { method: 'POST', url: webhookUrl, headers: {}, body: { text: noticeText(notice) } }, 'POST Slack webhook');
}

export interface MatrixTarget {
  readonly homeserver: string;
  readonly roomId: string;
  readonly accessToken: string;
}

export async function notifyMatrix(sendFn: Send, target: MatrixTarget, notice: RunNotice): Promise<void> {
  // The transaction id makes a retried send a no-op on the homeserver.
  const txn = createHash('sha256').update(`${notice.namespace}/${notice.run}/${notice.phase}`).digest('hex').slice(0, 32);
  await sendOk(sendFn, {
    method: 'PUT',
    url: `${target.homeserver.replace(/\/+$/, '')}/_matrix/client/v3/rooms/${encodeURIComponent(target.roomId)}/send/m.room.message/${txn}`,
    headers: { Authorization: `Bearer ${target.accessToken}` },
    body: { msgtype: 'm.text', body: noticeText(notice) },
  });
}
