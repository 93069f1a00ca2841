// `kayci install`: prints the manifests a cluster needs to run the controller, CRDs first.
import { installManifests } from '../controller/install/manifests.ts';
import { toYaml } from '../synth/yaml.ts';
import type { Io } from './io.ts';

export interface InstallCommandOptions {
  readonly namespace: string;
  readonly image: string;
  readonly replicas: string;
  readonly watchNamespace?: string;
}

export function installCommand(io: Io, options: InstallCommandOptions): number {
  const replicas = Number(options.replicas);
  const objects = installManifests({ namespace: options.namespace, image: options.image, replicas: Number.isInteger(replicas) && replicas > 0 ? replicas : 2, watchNamespace: options.watchNamespace });
  io.out(toYaml(objects, 'kayci install'));
  return 0;
}
