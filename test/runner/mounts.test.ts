import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerMounts, defaultVolumeRoot, toHostPath, type MountContext } from '../../src/runner/mounts.ts';
import { captureIo, project, scratchDir } from '../helpers/project.ts';
import { main } from '../../src/cli/main.ts';

const ctx: MountContext = { workspace: '/repo', workspaceMount: '/workspace', workspaceVolume: 'kayci-workspace', runDir: '/repo/.kayci/runs/r', job: 'build', volumeRoot: '/home/me/.cache/kayci/volumes' };

describe('local mounts', () => {
  it('maps each volume kind to a local directory, workspace first', () => {
    const volumes = [
      { name: 'cache-go', persistentVolumeClaim: { claimName: 'kayci-cache-go' } },
      { name: 'scratch', emptyDir: {} },
      { name: 'sock', hostPath: { path: '/var/run' } },
    ];
    const container = { name: 'c', volumeMounts: [{ name: 'cache-go', mountPath: '/cache/go' }, { name: 'scratch', mountPath: '/tmp/x', subPath: 'a' }, { name: 'sock', mountPath: '/run/host' }, { name: 'kayci-workspace', mountPath: '/workspace' }] };
    expect(containerMounts(volumes, container, ctx)).toEqual([
      { containerPath: '/workspace', hostPath: '/repo' },
      { containerPath: '/cache/go', hostPath: '/home/me/.cache/kayci/volumes/kayci-cache-go' },
      { containerPath: '/tmp/x', hostPath: '/repo/.kayci/runs/r/volumes/build/scratch/a' },
      { containerPath: '/run/host', hostPath: '/var/run' },
    ]);
  });

  it('says which volumes a local run cannot provide', () => {
    expect(() => containerMounts([{ name: 's', secret: { secretName: 'x' } }], { name: 'c', volumeMounts: [{ name: 's', mountPath: '/s' }] }, ctx)).toThrow(/volume s \(secret\) cannot be mounted by a local run/);
    expect(() => containerMounts([], { name: 'c', volumeMounts: [{ name: 'ghost', mountPath: '/g' }] }, ctx)).toThrow(/volume ghost \(not declared in the pod\)/);
  });

  it('rewrites paths under the longest matching mount only', () => {
    const mounts = [{ containerPath: '/cache', hostPath: '/h/c' }, { containerPath: '/cache/go', hostPath: '/h/go' }];
    expect(toHostPath('/cache/go/build', mounts)).toBe('/h/go/build');
    expect(toHostPath('/cache/other', mounts)).toBe('/h/c/other');
    expect(toHostPath('/cache', mounts)).toBe('/h/c');
    expect(toHostPath('/cachex', mounts)).toBe('/cachex');
    expect(toHostPath('-o=/cache/x', mounts)).toBe('-o=/cache/x');
  });

  it('puts caches under XDG_CACHE_HOME or ~/.cache', () => {
    expect(defaultVolumeRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/kayci/volumes');
    expect(defaultVolumeRoot({})).toMatch(/\/\.cache\/kayci\/volumes$/);
  });

  it('a cache survives runs: kayci run keeps it in a local directory the job sees at its cache path', async () => {
    const cacheHome = scratchDir('kayci-cache-');
    const dir = project({
      'kayci.ts': `import { App, Cache, Job, Pipeline } from 'kayci';
const cache = new Cache('demo');
const p = new Pipeline(new App(), 'cached');
new Job(p, 'count', { image: 'alpine', caches: [cache], env: { COUNTER: cache.path('n') }, run: 'n=$(cat "$COUNTER" 2>/dev/null || echo 0); echo $((n+1)) > "$COUNTER"; echo "count=$((n+1))"' });
`,
    });
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cacheHome;
    try {
      for (const want of ['count=1', 'count=2']) {
        const io = captureIo(dir);
        expect(await main(['run', '--jobs', '1'], io)).toBe(0);
        expect(io.stdout).toContain(want);
      }
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
    const file = path.join(cacheHome, 'kayci/volumes/kayci-cache-demo/n');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe('2');
  });
});

describe('emptyDir volumes', () => {
  it('last as long as the job\'s pod: fresh per attempt, gone when the job ends', async () => {
    const dir = project({
      'kayci.ts': `import { App, Job, Pipeline } from 'kayci';
const p = new Pipeline(new App(), 'scratch');
new Job(p, 'flaky', {
  image: 'alpine',
  retries: 1,
  volumes: [{ name: 'tmp', emptyDir: {} }],
  volumeMounts: [{ name: 'tmp', mountPath: '/scratch' }],
  env: { SCRATCH: '/scratch' },
  run: 'ls "$SCRATCH"; touch "$SCRATCH/secret"; test -f .second || { touch .second; exit 1; }',
});
`,
    });
    const io = captureIo(dir);
    expect(await main(['run', '--jobs', '1'], io)).toBe(0);
    // The second attempt saw an empty directory: nothing of the first attempt's files.
    expect(io.stdout).not.toContain('flaky │ secret');
    expect(readFileSync(path.join(dir, '.second'), 'utf8')).toBe('');
    const runs = path.join(dir, '.kayci/runs');
    const [run] = readdirSync(runs);
    expect(existsSync(path.join(runs, run!, 'volumes', 'flaky'))).toBe(false);
  });
});
