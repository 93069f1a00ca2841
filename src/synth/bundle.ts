// Bundles a pipeline entry and everything it imports into one ESM module with esbuild: no tsc
// step, TypeScript errors in syntax only (types are `tsc`'s job), messages with file:line.
import path from 'node:path';
import { build, type Message } from 'esbuild';
import { BundleError } from './errors.ts';

// Bundled CommonJS (cdk8s) calls require() for Node built-ins; ESM output has no require.
const BANNER = "import { createRequire as __kayciCreateRequire } from 'node:module'; const require = __kayciCreateRequire(import.meta.url);";

export async function bundleEntry(entry: string): Promise<string> {
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: path.dirname(entry),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      write: false,
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      banner: { js: BANNER },
    });
    return result.outputFiles[0]!.text;
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (!Array.isArray(errors)) throw e;
    throw new BundleError(errors.map(formatMessage));
  }
}

function formatMessage(m: Message): string {
  const loc = m.location;
  const hint = /Could not resolve "kayci(\/[^"]*)?"/.test(m.text) ? '\n      kayci is not installed where this entry can find it: run `npm install --save-dev kayci` in its project' : '';
  if (!loc) return m.text + hint;
  return `${loc.file}:${loc.line}:${loc.column + 1}: ${m.text}${loc.lineText ? `\n      ${loc.lineText.trim()}` : ''}${hint}`;
}
