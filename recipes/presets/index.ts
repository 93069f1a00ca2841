// Presets: a whole pipeline for a Go service or a C project in one construct, built from the Go,
// C and supply-chain recipes, with the publishing chain (image → push → SBOM → sign → scan).
export { GoPipeline, type GoPipelineProps } from './go-pipeline.ts';
export { CPipeline, type CPipelineProps } from './c-pipeline.ts';
export type { ImageSettings, PublishProps, Published, SignSettings } from './publish.ts';
