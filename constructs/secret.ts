// References to Kubernetes Secrets that already exist in the Pipeline's namespace. kayci never
// writes Secret values into YAML: a reference names a Secret and a key, and the Job reads it.
import type { SecretKeyRef } from '../src/api/v1alpha1/meta.ts';
import type { IEnvVarSource } from 'kubernetes-models/v1/EnvVarSource';

/** A Secret, by name. */
export class Secret {
  /** Refers to the Secret `name` in the Pipeline's namespace. */
  static fromName(name: string): Secret {
    return new Secret(name);
  }
  readonly name: string;
  private constructor(name: string) {
    this.name = name;
  }

  /** One key of this Secret: use it as a job env value or as a webhook secret. */
  key(key: string): SecretKey {
    return new SecretKey(this.name, key);
  }
}

/** One key of a Secret. */
export class SecretKey {
  readonly secret: string;
  readonly key: string;
  constructor(secret: string, key: string) {
    this.secret = secret;
    this.key = key;
  }
  /** The wire form, `{name, key}`. */
  get ref(): SecretKeyRef {
    return { name: this.secret, key: this.key };
  }
  /** The env var source that reads this key. */
  get valueFrom(): IEnvVarSource {
    return { secretKeyRef: { name: this.secret, key: this.key } };
  }
}
