// The optional per-Run volume every job of a Pipeline shares. The controller claims it for each
// Run (owned by the Run, deleted with it) and mounts it into every container; locally it is the
// repository root.
import type { Workspace as WorkspaceSpec } from '../src/api/v1alpha1/pipeline.ts';

export interface WorkspaceProps {
  /** Requested size, a Kubernetes quantity such as `5Gi`. */
  readonly size: string;
  /**
   * StorageClass of the claim.
   * @default the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Access mode; `ReadWriteMany` lets jobs on different nodes run at once.
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: WorkspaceSpec['accessMode'];
  /**
   * Mount path in every container, also the working directory.
   * @default '/workspace'
   */
  readonly mountPath?: string;
}

export class Workspace {
  static readonly DEFAULT_MOUNT_PATH = '/workspace';
  readonly mountPath: string;
  private readonly props: WorkspaceProps;
  constructor(props: WorkspaceProps) {
    this.props = props;
    this.mountPath = props.mountPath ?? Workspace.DEFAULT_MOUNT_PATH;
  }
  /** @internal */
  _toSpec(): WorkspaceSpec {
    return {
      size: this.props.size,
      storageClassName: this.props.storageClassName,
      accessMode: this.props.accessMode,
      mountPath: this.props.mountPath,
    };
  }
}
