// Shared building blocks of the kayci.dev/v1alpha1 kinds. Types only: this folder is the single
// source of truth that the CRD generator (src/codegen/crds) reads with ts-morph, so every field
// carries its documentation and schema tags here (@default, @minimum, @pattern, @maxLength …).

/** API group of every kayci kind. */
export const GROUP = 'kayci.dev';
/** The only served version. */
export const VERSION = 'v1alpha1';
/** `apiVersion` of every kayci object. */
export const API_VERSION = `${GROUP}/${VERSION}`;

/** An integer that fits in 32 bits; rendered as `type: integer, format: int32`. */
export type Int32 = number;
/** An integer that fits in 64 bits; rendered as `type: integer, format: int64`. */
export type Int64 = number;
/** An RFC 3339 timestamp, e.g. `2026-11-21T08:25:00Z`; rendered as `format: date-time`. */
export type Time = string;

/**
 * The part of Kubernetes object metadata that kayci reads and writes. The API server owns the
 * schema of `metadata`; CRDs never declare it beyond `type: object`.
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: Int64;
  creationTimestamp?: Time;
  deletionTimestamp?: Time;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** Points at the object that owns this one, so deleting the owner deletes it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Names a kayci object in the same namespace. */
export interface LocalObjectReference {
  /**
   * Name of the object, in the same namespace as the object that refers to it.
   * @maxLength 63
   * @pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$
   */
  name: string;
}

/** A key of a Secret in the same namespace. */
export interface SecretKeyRef {
  /**
   * Name of the Secret.
   * @maxLength 253
   */
  name: string;
  /**
   * Key within the Secret's data.
   * @maxLength 253
   */
  key: string;
}

/** A name and a value, e.g. a parameter given to a Run. */
export interface NameValue {
  /**
   * Name of the parameter.
   * @maxLength 63
   * @pattern ^[a-zA-Z][a-zA-Z0-9_-]*$
   */
  name: string;
  /**
   * Value of the parameter.
   * @maxLength 4096
   */
  value: string;
}

/** Standard condition, as in metav1.Condition. */
export interface Condition {
  /** Type of condition in CamelCase, e.g. `Ready`. */
  type: string;
  /** Status of the condition. */
  status: 'True' | 'False' | 'Unknown';
  /** Machine-readable reason for the last transition, in CamelCase. */
  reason?: string;
  /** Human-readable message with details about the last transition. */
  message?: string;
  /** When the condition last changed status. */
  lastTransitionTime?: Time;
  /** The `metadata.generation` this condition was set from. */
  observedGeneration?: Int64;
}
