// Kubernetes name rules kayci relies on, with messages that say how to fix a bad name.

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_MAX = 63;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Why `name` is not a DNS label (RFC 1123), or undefined when it is one. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > DNS_LABEL_MAX) return `must be at most ${DNS_LABEL_MAX} characters (is ${name.length})`;
  if (!DNS_LABEL.test(name)) {
    return `${JSON.stringify(name)} is not a DNS label: use lower case letters, digits and '-', starting and ending with a letter or digit (e.g. ${JSON.stringify(toDnsLabel(name))})`;
  }
  return undefined;
}

export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 253) return `must be at most 253 characters (is ${name.length})`;
  if (!DNS_SUBDOMAIN.test(name)) {
    return `${JSON.stringify(name)} is not a DNS subdomain: use lower case letters, digits, '-' and '.'`;
  }
  return undefined;
}

export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) {
    return `${JSON.stringify(name)} is not a valid environment variable name: use letters, digits, '_', '-' and '.', not starting with a digit`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `must be at most 63 characters (is ${value.length})`;
  if (!LABEL_VALUE.test(value)) return `${JSON.stringify(value)} is not a valid label value`;
  return undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Why `key` is not a label or annotation key (`[prefix/]name`, the prefix a DNS subdomain), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && dnsSubdomainProblem(prefix)) return `${JSON.stringify(key)}: the prefix ${dnsSubdomainProblem(prefix)}`;
  if (name.length === 0 || name.length > 63) return `${JSON.stringify(key)}: the name part must be 1 to 63 characters`;
  if (!QUALIFIED_NAME.test(name)) return `${JSON.stringify(key)}: the name part must consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  return undefined;
}

/** A best-effort DNS label for a hint: `Build_Image` → `build-image`. */
export function toDnsLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, DNS_LABEL_MAX)
    .replace(/-+$/, '');
  return label || 'x';
}
