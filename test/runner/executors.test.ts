// The executors' pure parts: where a container's working directory is on this machine, PATH
// lookups, what the host executor refuses before anything starts, and the `docker run` command
// line (no engine runs here, so its shape is what can be tested).
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerRun } from '../../src/runner/executors/executor.ts';
import { containerName, containerRunArgv } from '../../src/runner/executors/container.ts';
import { findExecutable, HostExecutor, hostWorkingDir, imageTool } from '../../src/runner/executors/host.ts';
import { project } from '../helpers/project.ts';

describe('hostWorkingDir', () => {
  const ws = '/home/me/repo';
  it.each([
    ['unset', undefined, ws],
    ['the mount path itself', '/workspace', ws],
    ['a directory inside the mount', '/workspace/sub/dir', `${ws}/sub/dir`],
    ['a relative path', 'sub', `${ws}/sub`],
    ['a relative path with ..', 'sub/../other', `${ws}/other`],
    ['a path that only starts like the mount', '/workspace2/x', '/workspace2/x'],
    ['an absolute path outside the mount', '/opt/tool', '/opt/tool'],
  ])('%s', (_what, workingDir, want) => {
    expect(hostWorkingDir(workingDir, ws, [{ containerPath: '/workspace', hostPath: ws }])).toBe(want);
  });

  it('follows a custom mount path, and other mounts', () => {
    const mounts = [{ containerPath: '/src', hostPath: ws }, { containerPath: '/cache/go', hostPath: '/home/me/.cache/kayci/volumes/go' }];
    expect(hostWorkingDir('/src/app', ws, mounts)).toBe(`${ws}/app`);
    expect(hostWorkingDir('/workspace/app', ws, mounts)).toBe('/workspace/app');
    expect(hostWorkingDir('/cache/go/mod', ws, mounts)).toBe('/home/me/.cache/kayci/volumes/go/mod');
  });
});

describe('findExecutable', () => {
  const dir = project({ 'a/tool': '#!/bin/sh\n', 'b/tool': '#!/bin/sh\n', 'b/plain': 'not executable\n' });
  chmodSync(path.join(dir, 'a/tool'), 0o755);
  chmodSync(path.join(dir, 'b/tool'), 0o755);
  mkdirSync(path.join(dir, 'c/dir-named-tool'), { recursive: true });
  chmodSync(path.join(dir, 'c/dir-named-tool'), 0o755);

  it('returns the first executable file on PATH', () => {
    expect(findExecutable('tool', [path.join(dir, 'a'), path.join(dir, 'b')].join(path.delimiter))).toBe(path.join(dir, 'a/tool'));
    expect(findExecutable('tool', [path.join(dir, 'b'), path.join(dir, 'a')].join(path.delimiter))).toBe(path.join(dir, 'b/tool'));
  });

  it('skips files that are not executable, directories, and empty PATH entries', () => {
    expect(findExecutable('plain', path.join(dir, 'b'))).toBeUndefined();
    expect(findExecutable('dir-named-tool', path.join(dir, 'c'))).toBeUndefined();
    expect(findExecutable('tool', `${path.delimiter}${path.delimiter}${path.join(dir, 'b')}`)).toBe(path.join(dir, 'b/tool'));
  });

  it('finds real tools and not missing ones', () => {
    expect(findExecutable('sh', process.env.PATH ?? '')).toMatch(/\/sh$/);
    expect(findExecutable('no-such-tool-xyz', process.env.PATH ?? '')).toBeUndefined();
    expect(findExecutable('sh', '')).toBeUndefined();
  });
});

describe('HostExecutor.check', () => {
  const host = new HostExecutor({ PATH: process.env.PATH });
  const env = new Map([['TOOL', 'sh']]);

  it('accepts a command found on PATH, after expansion', () => {
    expect(host.check({ name: 'c', command: ['sh', '-ec', 'true'] }, env)).toBeUndefined();
    expect(host.check({ name: 'c', command: ['$(TOOL)'] }, env)).toBeUndefined();
  });

  it('accepts a path, which an earlier job may build', () => {
    expect(host.check({ name: 'c', command: ['./bin/server'] }, env)).toBeUndefined();
  });

  it('refuses a container without command or args, naming it', () => {
    expect(host.check({ name: 'build', image: 'golang:1.26' }, env)).toMatch(/^container build has no command: .*set `run` or `command`/);
  });

  it('refuses a command that is not on PATH, naming it', () => {
    expect(host.check({ name: 'lint', command: ['no-such-tool-xyz', '--all'] }, env)).toBe('container lint runs "no-such-tool-xyz", which is not on PATH; install it or fix the command');
  });
});

describe('containerRunArgv', () => {
  const run = (over: Partial<ContainerRun> = {}): ContainerRun => ({
    id: 'demo-20260101-000000-build-main',
    container: { name: 'main', image: 'golang:1.26', command: ['sh', '-ec', 'go build $(KAYCI_PARAM_V)'], args: ['$(KAYCI_JOB)'] },
    env: new Map([
      ['KAYCI_JOB', 'build'],
      ['KAYCI_PARAM_V', 'dev'],
      ['MULTI', 'two\nlines'],
    ]),
    workspace: '/home/me/repo',
    mounts: [{ containerPath: '/workspace', hostPath: '/home/me/repo' }],
    resultsFile: '/home/me/repo/.kayci/runs/r/build.results',
    signal: new AbortController().signal,
    onOutput: () => undefined,
    ...over,
  });

  it('runs the image with --rm, a name, the workspace and results mounts, -w, env by name, --entrypoint', () => {
    expect(containerRunArgv('docker', run())).toEqual([
      'docker', 'run', '--rm', '--name', 'kayci-demo-20260101-000000-build-main', '--init',
      '-v', '/home/me/repo:/workspace',
      '-v', '/home/me/repo/.kayci/runs/r:/kayci/results',
      '-w', '/workspace',
      '-e', 'KAYCI_JOB', '-e', 'KAYCI_PARAM_V', '-e', 'MULTI', '-e', 'KAYCI_RESULTS_FILE',
      '--entrypoint', 'sh',
      'golang:1.26',
      '-ec', 'go build dev', 'build',
    ]);
  });

  it('never puts variable values on the command line', () => {
    const argv = containerRunArgv('docker', run());
    expect(argv.join(' ')).not.toContain('two\nlines');
    expect(argv.filter((a) => a.includes('='))).toEqual([]);
  });

  it('keeps the image entrypoint when there is no command, passing args to it', () => {
    const argv = containerRunArgv('podman', run({ container: { name: 'main', image: 'alpine:3.20', args: ['echo', '$(KAYCI_JOB)'] } }));
    expect(argv[0]).toBe('podman');
    expect(argv).not.toContain('--entrypoint');
    expect(argv.slice(-3)).toEqual(['alpine:3.20', 'echo', 'build']);
  });

  it('uses the container\'s working directory and the pipeline\'s mount path', () => {
    const argv = containerRunArgv('docker', run({ mounts: [{ containerPath: '/src', hostPath: '/home/me/repo' }], container: { name: 'main', image: 'alpine', command: ['ls'], workingDir: '/src/sub' } }));
    expect(argv).toContain('/home/me/repo:/src');
    expect(argv[argv.indexOf('-w') + 1]).toBe('/src/sub');
    expect(argv.slice(-3)).toEqual(['--entrypoint', 'ls', 'alpine']);
  });

  it('names containers with characters docker accepts', () => {
    expect(containerName('run 1/job:main')).toBe('kayci-run-1-job-main');
    expect(containerName('x'.repeat(200))).toHaveLength(128);
  });
});

describe('HostExecutor environment', () => {
  it('drops KAYCI_* variables of the outer shell', async () => {
    const dir = project({ 'x.txt': '' });
    const host = new HostExecutor({ PATH: process.env.PATH, KAYCI_RUN: 'outer', KAYCI_SECRET_X_Y: 'leak', KEEP: 'kept' });
    let out = '';
    const exit = await host.run({
      id: 'r-j-c',
      container: { name: 'c', command: ['sh', '-c', 'echo "run=${KAYCI_RUN-unset} secret=${KAYCI_SECRET_X_Y-unset} keep=$KEEP own=$OWN"'] },
      env: new Map([['OWN', 'mine']]),
      workspace: dir,
      mounts: [{ containerPath: '/workspace', hostPath: dir }],
      resultsFile: path.join(dir, 'r.results'),
      signal: new AbortController().signal,
      onOutput: (chunk) => (out += chunk.toString()),
    });
    expect(exit).toEqual({ code: 0 });
    expect(out).toBe('run=unset secret=unset keep=kept own=mine\n');
  });

  it('reports a working directory that does not exist instead of running', async () => {
    const dir = project({ 'x.txt': '' });
    const exit = await new HostExecutor().run({
      id: 'r-j-c',
      container: { name: 'c', command: ['true'], workingDir: '/workspace/missing' },
      env: new Map(),
      workspace: dir,
      mounts: [{ containerPath: '/workspace', hostPath: dir }],
      resultsFile: path.join(dir, 'r.results'),
      signal: new AbortController().signal,
      onOutput: () => undefined,
    });
    expect(exit.code).not.toBe(0);
    expect(exit.error).toBe(`working directory ${path.join(dir, 'missing')} does not exist on this machine`);
  });
});

describe('imageTool', () => {
  it('runs a tool image\'s absolute binary path by name when the path is not on this machine', () => {
    expect(imageTool('/syft')).toBe('syft');
    expect(imageTool('/ko-app/cosign')).toBe('cosign');
    expect(imageTool('/bin/sh')).toBe('/bin/sh');
    expect(imageTool('./bin/server')).toBe('./bin/server');
    expect(imageTool('go')).toBe('go');
  });
});
