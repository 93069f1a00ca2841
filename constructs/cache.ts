// Caches: directories that outlive a Run (Go's module and build caches, ccache). In the cluster
// a cache is a PersistentVolumeClaim you create once per namespace (ReadWriteMany lets parallel
// jobs share it); locally `kayci run` keeps it in ~/.cache/kayci/volumes/<claim>.
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { dnsLabelProblem } from '../src/api/names.ts';

export interface CacheProps {
  /**
   * The PersistentVolumeClaim holding the cache.
   * @default `kayci-cache-<name>`
   */
  readonly claimName?: string;
  /**
   * Where containers see the cache.
   * @default `/cache/<name>`
   */
  readonly mountPath?: string;
}

export class Cache {
  readonly name: string;
  readonly claimName: string;
  readonly mountPath: string;

  constructor(name: string, props: CacheProps = {}) {
    const problem = dnsLabelProblem(name);
    if (problem) throw new Error(`Cache name: ${problem}`);
    this.name = name;
    this.claimName = props.claimName ?? `kayci-cache-${name}`;
    this.mountPath = props.mountPath ?? `/cache/${name}`;
  }

  /** A path inside the cache, e.g. `cache.path('build')` → `/cache/go/build`. */
  path(sub: string): string {
    return `${this.mountPath}/${sub.replace(/^\/+/, '')}`;
  }

  /** The pod volume. */
  get volume(): IVolume {
    return { name: `cache-${this.name}`, persistentVolumeClaim: { claimName: this.claimName } };
  }

  /** The mount every container of a job using the cache gets. */
  get mount(): IVolumeMount {
    return { name: `cache-${this.name}`, mountPath: this.mountPath };
  }
}
