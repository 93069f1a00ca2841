// Where a pod's volumes live on this machine, for the local executors. The workspace is the
// project directory; a PersistentVolumeClaim (a cache) is a directory that outlives runs,
// ~/.cache/kayci/volumes/<claim>; an emptyDir belongs to the run; a hostPath is itself. The host
// executor has no mount namespace, so paths under a mount's path in env values, arguments and
// the working directory are rewritten to the local directory.
import { homedir } from 'node:os';
import path from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';

export interface Mount {
  /** Where the container sees it. */
  readonly containerPath: string;
  /** The directory on this machine. */
  readonly hostPath: string;
}

export interface MountContext {
  readonly workspace: string;
  /** The workspace's path in containers. */
  readonly workspaceMount: string;
  readonly workspaceVolume: string;
  /** Per-run directory for emptyDir volumes. */
  readonly runDir: string;
  readonly job: string;
  /** Root for PersistentVolumeClaims. */
  readonly volumeRoot: string;
}

/** ~/.cache/kayci/volumes (or under $XDG_CACHE_HOME). */
export function defaultVolumeRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'kayci', 'volumes');
}

/** The container's mounts, workspace first; throws a message for volumes no local directory can stand in for. */
export function containerMounts(volumes: readonly IVolume[] | undefined, container: IContainer, ctx: MountContext): Mount[] {
  const mounts: Mount[] = [{ containerPath: ctx.workspaceMount, hostPath: ctx.workspace }];
  for (const m of container.volumeMounts ?? []) {
    if (m.name === ctx.workspaceVolume) continue;
    const volume = volumes?.find((v) => v.name === m.name);
    const base = volume && volumeDir(volume, ctx);
    if (!base) throw new Error(`volume ${m.name} (${describe(volume)}) cannot be mounted by a local run; use a persistentVolumeClaim, emptyDir or hostPath volume`);
    mounts.push({ containerPath: m.mountPath, hostPath: m.subPath ? path.join(base, m.subPath) : base });
  }
  return mounts;
}

function volumeDir(v: IVolume, ctx: MountContext): string | undefined {
  if (v.persistentVolumeClaim) return path.join(ctx.volumeRoot, v.persistentVolumeClaim.claimName);
  if (v.emptyDir) return path.join(ctx.runDir, 'volumes', ctx.job, v.name);
  if (v.hostPath) return v.hostPath.path;
  return undefined;
}

function describe(v: IVolume | undefined): string {
  if (!v) return 'not declared in the pod';
  return Object.keys(v).filter((k) => k !== 'name').join(', ') || 'no source';
}

/** `/cache/go/build` → `~/.cache/kayci/volumes/kayci-cache-go/build`, by the longest matching mount. */
export function toHostPath(value: string, mounts: readonly Mount[]): string {
  let best: Mount | undefined;
  for (const m of mounts) {
    if ((value === m.containerPath || value.startsWith(`${m.containerPath}/`)) && (!best || m.containerPath.length > best.containerPath.length)) best = m;
  }
  return best ? best.hostPath + value.slice(best.containerPath.length) : value;
}
