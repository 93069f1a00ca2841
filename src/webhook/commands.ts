// Pull request comment commands, one per line at the start of a line:
//   /test [job…]   run the pipeline (or the named jobs and what they need) again
//   /retest        run again the jobs that failed in the last run
//   /cancel        cancel the running runs of the pull request
//   /ok-to-test    approve the held run of an untrusted fork, at the commit it was held for

export type Command =
  | { readonly name: 'test'; readonly jobs: string[] }
  | { readonly name: 'retest' }
  | { readonly name: 'cancel' }
  | { readonly name: 'ok-to-test' };

const JOB = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseCommands(body: string): Command[] {
  const out: Command[] = [];
  for (const raw of body.split(/\r?\n/).slice(0, 200)) {
    const line = raw.trim();
    const m = /^\/(test|retest|cancel|ok-to-test)(?:\s+(.*))?$/.exec(line);
    if (!m) continue;
    const name = m[1] as Command['name'];
    if (name === 'test') out.push({ name, jobs: (m[2] ?? '').split(/\s+/).filter((j) => JOB.test(j)).slice(0, 100) });
    else out.push({ name } as Command);
  }
  return out;
}
