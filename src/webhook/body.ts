// Reads a request body with a size cap enforced while streaming (413 before a byte is parsed,
// and the connection is not kept reading) and a deadline for the whole body (slow senders get
// 408 instead of holding a socket forever).
import type { IncomingMessage } from 'node:http';

export class HttpError extends Error {
  override name = 'HttpError';
  readonly code = 'KAYCI_HTTP';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface BodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    return Promise.reject(new HttpError(413, `body of ${declared} bytes is over the limit of ${limits.maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: HttpError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        // Stop reading what is left: the answer is already decided.
        req.pause();
        reject(error);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) finish(new HttpError(413, `body is over the limit of ${limits.maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = () => finish(new HttpError(400, 'the request body could not be read'));
    const timer = setTimeout(() => finish(new HttpError(408, `the body did not arrive within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
