// The public API package: `import { … } from 'kayci/api'`.
export * from './v1alpha1/index.ts';
export * from './errors.ts';
export * from './names.ts';
export type * from './schema.ts';
export { validateSchema } from './validate-schema.ts';
