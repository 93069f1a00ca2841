// One validation function per kind; each returns every error with its field path.
export { validatePipeline, validatePipelineSpec } from './pipeline.ts';
export { validateTrigger } from './trigger.ts';
export { validateRun, validateRunInputs } from './run.ts';
export { validateJobTemplate } from './job-template.ts';
export { CRDS } from './schemas.ts';
export { MAX_OBJECT_BYTES } from './object.ts';
export { MAX_CONFIGMAP_BYTES, projectedRunBytes, runEnvSizeError, runSizeError } from './size.ts';
