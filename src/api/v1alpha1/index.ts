// kayci.dev/v1alpha1: the types, the environment contract and validation.
export * from './meta.ts';
export type * from './pipeline.ts';
export type * from './trigger.ts';
export type * from './run.ts';
export * from './env.ts';
export * from './dag.ts';
export * from './refs.ts';
export * from './cron.ts';
export * from './kinds.ts';
export * from './validate/index.ts';
