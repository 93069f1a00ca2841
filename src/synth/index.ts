// `import { synth, writeFiles } from 'kayci/synth'`: the library behind `kayci synth`.
export { synth, type SynthOptions, type SynthResult, type SynthFile } from './synth.ts';
export { writeFiles, type WriteReport } from './write.ts';
export { resolveEntry, DEFAULT_ENTRY } from './entry.ts';
export { toYaml } from './yaml.ts';
export * from './errors.ts';
