// Finds `$(VAR)` references in the strings Kubernetes expands them in: container command, args
// and env values. kayci uses them for parameters and results, so references can be checked
// (unknown parameter, undeclared result) and turn into DAG edges.
import type { JobTemplate } from './pipeline.ts';

/** `$$` is an escaped `$`; `$(NAME)` a reference. */
const REF = /\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g;

export function envRefs(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(REF)) if (m[1] !== undefined) names.push(m[1]);
  return names;
}

export interface TemplateRef {
  /** Variable referred to. */
  variable: string;
  /** Path of the string inside the JobSpec, e.g. `template.spec.containers[0].args[1]`. */
  path: string;
}

/** Every `$(VAR)` reference in a JobSpec's containers, with the path of the string that holds it. */
export function templateRefs(template: JobTemplate): TemplateRef[] {
  const refs: TemplateRef[] = [];
  const pod = template?.template?.spec;
  if (!pod) return refs;
  for (const field of ['initContainers', 'containers'] as const) {
    const containers = pod[field];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, i) => {
      const base = `template.spec.${field}[${i}]`;
      const strings: [string, unknown][] = [];
      (Array.isArray(c?.command) ? c.command : []).forEach((s, j) => strings.push([`${base}.command[${j}]`, s]));
      (Array.isArray(c?.args) ? c.args : []).forEach((s, j) => strings.push([`${base}.args[${j}]`, s]));
      (Array.isArray(c?.env) ? c.env : []).forEach((e, j) => strings.push([`${base}.env[${j}].value`, e?.value]));
      for (const [path, s] of strings) {
        if (typeof s !== 'string') continue;
        for (const variable of envRefs(s)) refs.push({ variable, path });
      }
    });
  }
  return refs;
}
