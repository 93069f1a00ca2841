// The structural schemas of the generated CRDs, by kind: what the API server will enforce.
import crds from '../crds.gen.json' with { type: 'json' };
import type { CustomResourceDefinition, JSONSchemaProps } from '../../schema.ts';

export const CRDS = crds as CustomResourceDefinition[];

function schemaOf(kind: string): JSONSchemaProps {
  const crd = CRDS.find((c) => c.spec.names.kind === kind);
  const schema = crd?.spec.versions[0]?.schema.openAPIV3Schema;
  if (!schema) throw new Error(`crds.gen.json has no schema for ${kind}; run \`npm run crds\``);
  return schema;
}

export const PIPELINE_SCHEMA = schemaOf('Pipeline');
export const TRIGGER_SCHEMA = schemaOf('Trigger');
export const RUN_SCHEMA = schemaOf('Run');
