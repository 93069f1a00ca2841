// Splits a byte stream into lines for prefixed output, keeping a partial last line until the
// next chunk (or the end) completes it. A UTF-8 character cut in two by a pipe read is decoded
// whole once its remaining bytes arrive.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly emit: (line: string) => void;
  constructor(emit: (line: string) => void) {
    this.emit = emit;
  }
  push(chunk: Buffer | string): void {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.emit(line.replace(/\r$/, ''));
  }
  end(): void {
    const last = this.rest + this.decoder.end();
    if (last !== '') this.emit(last.replace(/\r$/, ''));
    this.rest = '';
  }
}
