// Where env values that a pod reads from the cluster come from locally. Secrets and ConfigMaps
// are read from the environment of `kayci run` as KAYCI_SECRET_<SECRET>_<KEY> and
// KAYCI_CONFIGMAP_<NAME>_<KEY>; the pod's own fields are made up plausibly.
import type { IContainer } from 'kubernetes-models/v1/Container';
import { envPart } from '../api/v1alpha1/env.ts';
import type { ValueFromResolver } from '../api/v1alpha1/expand.ts';

type ValueFrom = NonNullable<NonNullable<IContainer['env']>[number]['valueFrom']>;

export function secretEnvName(secret: string, key: string): string {
  return `KAYCI_SECRET_${envPart(secret)}_${envPart(key).replace(/\./g, '_')}`;
}

export function configMapEnvName(configMap: string, key: string): string {
  return `KAYCI_CONFIGMAP_${envPart(configMap)}_${envPart(key).replace(/\./g, '_')}`;
}

export interface PodFacts {
  readonly name: string;
  readonly namespace: string;
}

/** A resolver, plus a check that says what is missing and how to provide it. */
export function localValues(hostEnv: NodeJS.ProcessEnv, pod: PodFacts): { resolve: ValueFromResolver; missing: (v: ValueFrom, name: string) => string | undefined } {
  const lookup = (v: ValueFrom): { value?: string; where: string; optional: boolean } => {
    if (v.secretKeyRef) {
      const where = secretEnvName(v.secretKeyRef.name ?? '', v.secretKeyRef.key);
      return { value: hostEnv[where], where, optional: v.secretKeyRef.optional === true };
    }
    if (v.configMapKeyRef) {
      const where = configMapEnvName(v.configMapKeyRef.name ?? '', v.configMapKeyRef.key);
      return { value: hostEnv[where], where, optional: v.configMapKeyRef.optional === true };
    }
    if (v.fieldRef) {
      const fields: Record<string, string> = { 'metadata.name': pod.name, 'metadata.namespace': pod.namespace, 'spec.nodeName': 'localhost', 'status.podIP': '127.0.0.1', 'status.hostIP': '127.0.0.1' };
      return { value: fields[v.fieldRef.fieldPath], where: `fieldRef ${v.fieldRef.fieldPath}`, optional: false };
    }
    return { where: 'resourceFieldRef', optional: false };
  };
  return {
    resolve: (v) => lookup(v).value,
    missing: (v, name) => {
      const found = lookup(v);
      if (found.value !== undefined || found.optional) return undefined;
      if (v.secretKeyRef || v.configMapKeyRef) {
        const kind = v.secretKeyRef ? 'Secret' : 'ConfigMap';
        const ref = v.secretKeyRef ?? v.configMapKeyRef!;
        return `env ${name} reads ${kind} ${ref.name}, key ${ref.key}: locally set ${found.where} in your environment`;
      }
      return `env ${name} reads ${found.where}, which a local run cannot provide`;
    },
  };
}
