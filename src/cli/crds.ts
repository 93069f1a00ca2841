// `kayci crds`: the CustomResourceDefinitions a cluster needs, as YAML.
import type { Io } from './io.ts';
import { CRDS } from '../api/v1alpha1/validate/schemas.ts';
import { toYaml } from '../synth/yaml.ts';
import type { SynthFile } from '../synth/synth.ts';

export function crdsYaml(): string {
  return toYaml(CRDS, 'kayci\'s API types (kayci crds)');
}

/** The CRDs as a file of `kayci synth --crds`: a directory of their own, applied before the pipelines. */
export function crdFiles(): SynthFile[] {
  return [{ name: 'crds/kayci.k8s.yaml', content: crdsYaml() }];
}

export function crdsCommand(io: Io): number {
  io.out(crdsYaml());
  return 0;
}
