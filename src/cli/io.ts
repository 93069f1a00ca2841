// Where commands write. Injected so tests can run commands in-process and read their output.

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (colours, progress). */
  readonly tty: boolean;
  readonly cwd: string;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
};

/** Exit code after Ctrl-C, as shells report a SIGINT death. */
export const EXIT_CANCELLED = 130;
