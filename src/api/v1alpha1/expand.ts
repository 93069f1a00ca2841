// Kubernetes' variable expansion — what the kubelet does to command, args and env values, which
// the local runner must do itself, and what concurrency groups use for `$(KAYCI_BRANCH)`:
// `$(NAME)` becomes the variable's value when NAME is defined, and stays as written otherwise;
// `$$` becomes `$`. Env values may refer to variables defined before them (envFrom first, then
// earlier env entries); command and args to any of them.
import type { IContainer } from 'kubernetes-models/v1/Container';

export function expand(text: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '$' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close < 0) {
        out += c;
      } else {
        // An undefined reference stays as written, and is not scanned again: `$(A $(B))` and
        // `$(NOPE$$)` come out unchanged, as from the kubelet.
        const name = text.slice(i + 2, close);
        out += vars.get(name) ?? text.slice(i, close + 1);
        i = close;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/** Values for env entries that read from elsewhere (Secrets, ConfigMaps, the pod). */
export type ValueFromResolver = (source: NonNullable<NonNullable<IContainer['env']>[number]['valueFrom']>, name: string) => string | undefined;

/** The container's environment as the kubelet builds it: envFrom vars, then env in order. */
export function containerEnv(base: Readonly<Record<string, string>>, container: IContainer, resolve: ValueFromResolver): Map<string, string> {
  const vars = new Map(Object.entries(base));
  for (const e of container.env ?? []) {
    if (e.valueFrom) {
      const value = resolve(e.valueFrom, e.name);
      if (value !== undefined) vars.set(e.name, value);
    } else {
      vars.set(e.name, expand(e.value ?? '', vars));
    }
  }
  return vars;
}

/** The argv the container runs: command then args, expanded. Empty when the image's entrypoint would run. */
export function containerArgv(container: IContainer, vars: ReadonlyMap<string, string>): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((a) => expand(a, vars));
}
