// kayci's authoring API: `import { App, Pipeline, Job, … } from 'kayci'`.
export { App } from './app.ts';
export { Pipeline, type PipelineProps } from './pipeline.ts';
export { Job, type JobProps } from './job.ts';
export { Notify, type NotifyProps } from './notify.ts';
export { Param, type ParamProps } from './param.ts';
export { ResultRef, ParamRef } from './result.ts';
export { Secret, SecretKey } from './secret.ts';
export { Workspace, type WorkspaceProps } from './workspace.ts';
export { Cache, type CacheProps } from './cache.ts';
export type { ContainerProps, EnvValue, PodProps, StepProps } from './container.ts';
export {
  Trigger,
  GitHubTrigger,
  GitLabTrigger,
  WebhookTrigger,
  ScheduleTrigger,
  type TriggerProps,
  type WebhookProps,
  type CommandsProps,
  type ProviderTriggerProps,
  type ScheduleTriggerProps,
  type FeedbackProps,
  type NotificationProps,
} from './trigger.ts';
export { PropError, SynthValidationError, formatSynthError, type SynthError } from './errors.ts';
export { renderPipeline } from './render.ts';
export type { RenderedPipeline } from './host.ts';
export { Duration } from 'cdk8s';
