import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkNode } from '../../bin/node-version.js';

const run = promisify(execFile);

describe('Node version guard', () => {
  it.each([
    ['20.20.2', false],
    ['22.17.9', false],
    ['22.18.0', true],
    ['24.21.0', true],
    ['26.0.0', true],
  ])('%s accepted: %s', (version, ok) => {
    expect(checkNode(version) === undefined).toBe(ok);
  });

  it('explains the fix instead of failing obscurely', () => {
    expect(checkNode('20.20.2')).toMatch(/Node 20\.20\.2 is too old.*\n.*node_modules\/\.bin.*\n.*--ignore-scripts, run `npm rebuild node`/s);
  });

  it('the kayci binary runs on the pinned Node', async () => {
    const { stdout } = await run(process.execPath, [path.resolve(import.meta.dirname, '../../bin/kayci.js'), '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(process.versions.node.split('.')[0]).toBe('24');
  });
});
