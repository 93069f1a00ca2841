// The controller's HTTP endpoints: /healthz (alive), /readyz (caches synced), /metrics
// (Prometheus). Webhook intake is mounted here too (issue 6) through `routes`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HttpOptions {
  readonly port: number;
  readonly host?: string;
  readonly ready: () => boolean;
  readonly metrics: () => string;
  /** Extra handlers, tried in order; each returns true when it answered. */
  readonly routes?: readonly Route[];
}

export async function startHttp(options: HttpOptions): Promise<Server> {
  const server = createServer((req, res) => void handle(req, res, options));
  // A client that dribbles its headers or never finishes a request does not hold a socket for
  // long (webhook bodies have their own, configurable deadline below this one).
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;
  // A port in use (or not ours to bind) is an error to report, not an unhandled 'error' event.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpOptions): Promise<void> {
  try {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return text(res, 200, 'ok\n');
    if (req.method === 'GET' && path === '/readyz') return options.ready() ? text(res, 200, 'ok\n') : text(res, 503, 'caches not synced\n');
    if (req.method === 'GET' && path === '/metrics') return text(res, 200, options.metrics(), 'text/plain; version=0.0.4');
    for (const route of options.routes ?? []) if (await route(req, res)) return;
    text(res, 404, 'not found\n');
  } catch (e) {
    if (!res.headersSent) text(res, 500, `internal error: ${(e as Error).message}\n`);
    else res.destroy();
  }
}

function text(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
