// Trigger metadata for a local run, read from the git checkout: what the webhook would have said.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunMetadata } from '../api/v1alpha1/run.ts';

const exec = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await exec('git', args, { cwd, timeout: 10_000 });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `git@github.com:acme/svc.git`, `https://github.com/acme/svc.git` or
 * `ssh://git@host:2222/acme/svc.git` → `acme/svc`.
 */
export function repoPath(url: string | undefined): string | undefined {
  if (!url) return undefined;
  // A URL may name a port; scp-like `host:path` cannot.
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]+@)?[^/:]+(?::\d+)?\/(.+?)(?:\.git)?\/?$/i.exec(url) ?? /^(?:[^@/:]+@)?[^/:]+:(?!\/)(.+?)(?:\.git)?\/?$/.exec(url);
  return m?.[1];
}

export async function localMetadata(cwd: string, event: string): Promise<RunMetadata> {
  const [commitSha, branch, repoUrl, actor] = await Promise.all([
    git(cwd, ['rev-parse', 'HEAD']),
    git(cwd, ['symbolic-ref', '--short', '-q', 'HEAD']),
    git(cwd, ['remote', 'get-url', 'origin']),
    git(cwd, ['config', 'user.name']),
  ]);
  return {
    provider: 'local',
    event,
    repoUrl,
    repo: repoPath(repoUrl),
    commitSha,
    branch,
    ref: branch ? `refs/heads/${branch}` : undefined,
    actor,
  };
}
