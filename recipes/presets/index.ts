export { GoPipeline, type GoPipelineProps } from './go-pipeline.ts';
export { CPipeline, type CPipelineProps } from './c-pipeline.ts';
export type { ImageSettings, PublishProps, Published, SignSettings } from './publish.ts';
