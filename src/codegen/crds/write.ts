// Where the generated CRDs live and how they are serialized, shared by the CLI and the test.
import path from 'node:path';
import { generateCrds } from './generate.ts';

export const CRDS_FILE = path.resolve(import.meta.dirname, '../../api/v1alpha1/crds.gen.json');

export function renderCrdsJson(): string {
  return `${JSON.stringify(generateCrds(), null, 2)}\n`;
}
