// AcmeGoService: kayci's GoPipeline with Acme's defaults — our registry and its push secret, the
// signing key every team shares, retention, a GitHub trigger, and the go.mod check before the
// tests. A service's whole CI is then one line plus what is special about it.
import type { Construct } from 'constructs';
import { GitHubTrigger, Secret } from 'kayci';
import { GoPipeline, type GoPipelineProps } from 'kayci/recipes';
import { GoModTidy } from './go-mod-tidy.ts';

export interface AcmeGoServiceProps extends Omit<GoPipelineProps, 'image' | 'sign'> {
  /** The service's repository under `ghcr.io/acme/`, e.g. `billing`. */
  readonly service: string;
  /**
   * Branches whose pushes run the pipeline.
   * @default ['main', 'release/*']
   */
  readonly branches?: readonly string[];
}

export class AcmeGoService extends GoPipeline {
  readonly tidy: GoModTidy;

  constructor(scope: Construct, id: string, props: AcmeGoServiceProps) {
    const { service, branches, ...rest } = props;
    super(scope, id, {
      retention: { succeeded: 5, failed: 20 },
      concurrency: { group: `${id}-$(KAYCI_BRANCH)`, cancelInProgress: true },
      ...rest,
      image: {
        registry: 'ghcr.io',
        repository: `acme/${service}`,
        credentials: { dockerConfig: Secret.fromName('acme-ghcr-push').key('.dockerconfigjson') },
      },
      sign: { key: Secret.fromName('acme-cosign').key('cosign.key'), password: Secret.fromName('acme-cosign').key('cosign.password') },
    });
    this.tidy = new GoModTidy(this, 'tidy', { needs: this.checkout ? [this.checkout] : [] });
    this.test?.needs(this.tidy);
    new GitHubTrigger(this, 'github', { secret: Secret.fromName('acme-github-webhook').key('secret'), branches: branches ?? ['main', 'release/*'] });
  }
}
