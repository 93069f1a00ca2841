// Turns a job's high-level props (image + run, or steps) into a batch/v1 JobSpec. Steps run in
// order: all but the last become init containers, which Kubernetes runs one after another, and
// the last is the main container. The local runner follows the same order.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IEnvVarSource } from 'kubernetes-models/v1/EnvVarSource';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { Cache } from './cache.ts';
import type { IConstruct } from 'constructs';
import type { JobTemplate } from '../src/api/v1alpha1/pipeline.ts';
import { toDnsLabel } from '../src/api/names.ts';
import { PropError } from './errors.ts';
import type { ParamRef, ResultRef } from './result.ts';
import type { SecretKey } from './secret.ts';

/** A value for an environment variable: text (which may embed references), a reference, or a Secret key. */
export type EnvValue = string | ResultRef | ParamRef | SecretKey | { readonly valueFrom: IEnvVarSource };

/** What runs in one container. */
export interface ContainerProps {
  /**
   * Container image; pin it by digest (`name@sha256:…`), which strict mode requires.
   * @default the job's image (for steps)
   */
  readonly image?: string;
  /**
   * A shell script, run as `sh -ec <script>`: it stops at the first failing command.
   * `$(VAR)` is expanded by Kubernetes (and the local runner) before the shell sees it; write
   * `$$` for a literal `$` followed by `(`.
   * @default the image's entrypoint
   */
  readonly run?: string;
  /**
   * Command to execute, instead of `run`.
   * @default the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Arguments to the command.
   * @default none
   */
  readonly args?: readonly string[];
  /**
   * Environment variables, in order.
   * @default none
   */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /**
   * Working directory.
   * @default the workspace's mount path when the pipeline has one, else the image's (locally: the repository root)
   */
  readonly workingDir?: string;
  /**
   * CPU and memory requests and limits.
   * @default none
   */
  readonly resources?: IResourceRequirements;
  /**
   * Volumes of the pod to mount in this container.
   * @default none
   */
  readonly volumeMounts?: readonly IVolumeMount[];
}

/** One step of a multi-step job. */
export interface StepProps extends ContainerProps {
  /** Name of the step; a DNS label, unique in the job. */
  readonly name: string;
}

export interface PodProps extends ContainerProps {
  /**
   * Steps run in order in one pod, sharing its volumes. Exclusive with `run`/`command`/`args`.
   * @default a single step named after the job
   */
  readonly steps?: readonly StepProps[];
  /**
   * ServiceAccount the pod runs as; its token is mounted only when this is set.
   * @default none, and no token
   */
  readonly serviceAccountName?: string;
  /**
   * Labels on the pod.
   * @default none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Annotations on the pod, e.g. `kayci.dev/inject-env: "false"`.
   * @default none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Caches every container mounts.
   * @default none
   */
  readonly caches?: readonly Cache[];
  /**
   * Extra pod volumes (mount them with `volumeMounts`).
   * @default none
   */
  readonly volumes?: readonly IVolume[];
  /**
   * A raw batch/v1 JobSpec, for what the props above cannot say. Exclusive with every prop
   * above.
   * @default built from the props above
   */
  readonly template?: JobTemplate;
}

const CONTAINER_PROPS = ['image', 'run', 'command', 'args', 'env', 'workingDir', 'resources', 'volumeMounts', 'steps', 'serviceAccountName', 'podLabels', 'podAnnotations', 'caches', 'volumes'] as const;

/** Tier-1 checks: prop combinations that can never be right. */
export function checkPodProps(scope: IConstruct, props: PodProps): void {
  if (props.template) {
    const clash = CONTAINER_PROPS.filter((p) => props[p] !== undefined);
    if (clash.length > 0) {
      throw new PropError(scope, 'template', `cannot be combined with ${clash.join(', ')}: put them inside the template, or drop the template`);
    }
    return;
  }
  if (props.steps) {
    if (props.steps.length === 0) throw new PropError(scope, 'steps', 'must hold at least one step, or be left out');
    for (const p of ['run', 'command', 'args'] as const) {
      if (props[p] !== undefined) throw new PropError(scope, p, `cannot be combined with steps: give each step its own ${p}`);
    }
    props.steps.forEach((s, i) => checkContainerProps(scope, `steps[${i}]`, s));
  } else {
    checkContainerProps(scope, 'props', props);
  }
}

function checkContainerProps(scope: IConstruct, where: string, props: ContainerProps): void {
  if (props.run !== undefined && props.command !== undefined) {
    throw new PropError(scope, `${where}.run`, 'cannot be combined with command: `run` already sets the command to `sh -ec <script>`');
  }
  if (props.run !== undefined && props.args !== undefined) {
    throw new PropError(scope, `${where}.args`, 'cannot be combined with run: put the arguments in the script');
  }
}

/** The JobSpec for a job's pod props. `name` names the single container when there are no steps. */
export function renderTemplate(name: string, props: PodProps): JobTemplate {
  if (props.template) return props.template;
  // An invalid job name is reported once, on the job, not again on the container named after it.
  const steps: StepProps[] = props.steps ? [...props.steps] : [{ ...props, name: toDnsLabel(name) }];
  const containers = steps.map((s) => renderContainer(s, props));
  const metadata = props.podLabels || props.podAnnotations ? { labels: props.podLabels, annotations: props.podAnnotations } : undefined;
  const volumes = [...(props.caches ?? []).map((c) => c.volume), ...(props.volumes ?? [])];
  return {
    template: {
      metadata,
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: props.serviceAccountName,
        volumes: volumes.length > 0 ? volumes : undefined,
        initContainers: containers.length > 1 ? containers.slice(0, -1) : undefined,
        containers: containers.slice(-1),
      },
    },
  };
}

function renderContainer(step: StepProps, job: PodProps): IContainer {
  const command = step.run !== undefined ? ['sh', '-ec', step.run] : step.command ? [...step.command] : undefined;
  // Steps inherit the job's env; a step's own entry of the same name replaces it in place.
  const env = renderEnv({ ...job.env, ...step.env });
  // Without steps, `step` is the job's own props: its mounts are the job's.
  const own = job.steps ? (step.volumeMounts ?? []) : [];
  const mounts = [...(job.caches ?? []).map((c) => c.mount), ...(job.volumeMounts ?? []), ...own];
  return {
    name: step.name,
    image: step.image ?? job.image ?? '',
    command,
    args: step.args ? [...step.args] : undefined,
    env: env.length > 0 ? env : undefined,
    workingDir: step.workingDir ?? job.workingDir,
    resources: step.resources ?? job.resources,
    volumeMounts: mounts.length > 0 ? mounts : undefined,
  };
}

function renderEnv(env: ContainerProps['env']): IEnvVar[] {
  return Object.entries(env ?? {}).map(([name, value]) => {
    if (typeof value === 'string') return { name, value };
    if ('valueFrom' in value) return { name, valueFrom: value.valueFrom };
    return { name, value: value.toString() };
  });
}

/** Every container image of a JobSpec, init containers first. */
export function templateImages(template: JobTemplate): string[] {
  const pod = template.template?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].map((c) => c.image ?? '');
}
