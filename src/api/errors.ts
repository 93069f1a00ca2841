// Field errors: what every validation function returns. Paths use the Kubernetes style
// (`spec.jobs[2].needs[0]`) so synth, the controller and admission report the same text.

export interface FieldError {
  /** Where the problem is, e.g. `spec.jobs[2].needs[0]`. */
  path: string;
  /** What is wrong and, where one exists, how to fix it. */
  message: string;
}

/** Joins a parent path and a property name or array index. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}
