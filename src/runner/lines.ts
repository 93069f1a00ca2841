// Splits a byte stream into lines for prefixed output, keeping a partial last line until the
// next chunk (or the end) completes it.

export class LineSplitter {
  private rest = '';
  private readonly emit: (line: string) => void;
  constructor(emit: (line: string) => void) {
    this.emit = emit;
  }
  push(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.emit(line.replace(/\r$/, ''));
  }
  end(): void {
    if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
  }
}
