// Ctrl-C during `kayci run`: the run stops every running job — and everything the jobs started
// in the background — reports the run as cancelled, and exits 130.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesWith, settledProcessesWith, uniqueMarker, uniqueSleep, waitForProcess } from '../runner/processes.ts';
import { project } from '../helpers/project.ts';
import { startKayci } from './kayci.ts';

describe('kayci run, interrupted', () => {
  it('SIGINT cancels the running jobs, leaves no process behind, and exits 130', async () => {
    const marker = uniqueMarker();
    const [aBackground, aForeground, bBackground, bForeground] = [uniqueSleep(), uniqueSleep(), uniqueSleep(), uniqueSleep()];
    const dir = project({
      'kayci.ts': `import { App, Job, Pipeline } from 'kayci';
const app = new App();
const p = new Pipeline(app, 'hang');
const env = { MARKER: '${marker}' };
const a = new Job(p, 'a', { image: 'x', env, run: 'sleep ${aBackground} &\\necho "a is running"\\nsleep ${aForeground}' });
new Job(p, 'b', { image: 'x', env, run: '(sleep ${bBackground} > /dev/null 2>&1 &)\\necho "b is running"\\nsleep ${bForeground}' });
new Job(p, 'after', { image: 'x', needs: [a], run: 'touch after-ran' });
app.synth();
`,
    });
    const kayci = startKayci(dir, ['run', '--jobs', '2']);
    await kayci.printed(/^a +│ a is running$/m);
    await kayci.printed(/^b +│ b is running$/m);
    for (const sleep of [aBackground, aForeground, bBackground, bForeground]) await waitForProcess(sleep);
    expect(processesWith(marker).length).toBeGreaterThanOrEqual(5);

    const began = Date.now();
    kayci.child.kill('SIGINT');
    const { code, signal, out, err } = await kayci.done;
    expect(Date.now() - began).toBeLessThan(5000);
    expect(err).toBe('');
    expect([code, signal]).toEqual([130, null]);
    expect(await settledProcessesWith(marker, 2000)).toEqual([]);

    expect(out).toContain('\ncancelling: stopping running jobs…\n');
    expect(out).toMatch(/^a +│ ◼ cancelled/m);
    expect(out).toMatch(/^b +│ ◼ cancelled/m);
    expect(out).toMatch(/^a +Cancelled /m);
    expect(out).toMatch(/^b +Cancelled /m);
    expect(out).toMatch(/^after +Cancelled +- +-$/m);
    expect(out).toMatch(/\nrun hang-\S+ cancelled in \S+; logs in \.kayci\/runs\/hang-\S+\/\n$/);
    expect(existsSync(path.join(dir, 'after-ran'))).toBe(false);
  });

  it('a second SIGINT exits at once, and still leaves no process behind', async () => {
    const marker = uniqueMarker();
    const stubborn = uniqueSleep();
    const dir = project({
      'kayci.ts': `import { App, Job, Pipeline } from 'kayci';
const app = new App();
const p = new Pipeline(app, 'stubborn');
new Job(p, 'deaf', { image: 'x', env: { MARKER: '${marker}' }, run: 'trap "" TERM\\necho "ignoring SIGTERM"\\nsleep ${stubborn}' });
app.synth();
`,
    });
    const kayci = startKayci(dir, ['run']);
    await kayci.printed(/^deaf │ ignoring SIGTERM$/m);
    await waitForProcess(stubborn);
    const began = Date.now();
    kayci.child.kill('SIGINT');
    await kayci.printed(/^cancelling: stopping running jobs…$/m);
    // The job ignores SIGTERM, so the run would wait out the grace period before SIGKILL.
    kayci.child.kill('SIGINT');
    const { code } = await kayci.done;
    expect(code).toBe(130);
    expect(Date.now() - began).toBeLessThan(3000);
    expect(await settledProcessesWith(marker, 2000)).toEqual([]);
  });
});
