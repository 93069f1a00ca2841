// CI for a Go HTTP service with the GoPipeline preset: checkout, then vet ∥ test ∥ build for two
// platforms; for tags, also an image pushed by digest, its SBOM, a cosign signature and a scan.
//
//   npx kayci run examples/go-service      # run it on this machine (vet, test, build)
//   npx kayci synth examples/go-service    # write dist/go-service.k8s.yaml for the cluster
import { App, GitHubTrigger, Param, Secret } from 'kayci';
import { GoPipeline } from 'kayci/recipes';

const app = new App();

const pipeline = new GoPipeline(app, 'go-service', {
  concurrency: { group: 'go-service-$(KAYCI_BRANCH)', cancelInProgress: true },
  retention: { succeeded: 10, failed: 20 },
  // golangci-lint is on in the preset; this example leaves it off so that it runs on a machine
  // with nothing but Go installed. Remove the line when golangci-lint is on your PATH.
  lint: false,
  test: { retries: 1 },
  build: {
    platforms: ['linux/amd64', 'linux/arm64'],
    ldflags: { 'main.version': '$(KAYCI_PARAM_VERSION)' },
  },
  image: {
    registry: 'ghcr.io',
    repository: 'acme/go-service',
    credentials: { dockerConfig: Secret.fromName('ghcr-push').key('.dockerconfigjson') },
  },
  sign: { key: Secret.fromName('cosign').key('cosign.key'), password: Secret.fromName('cosign').key('cosign.password') },
});

new Param(pipeline, 'version', { default: 'dev', description: 'Version stamped into the binary' });

new GitHubTrigger(pipeline, 'github', {
  secret: Secret.fromName('github-webhook').key('secret'),
  branches: ['main', 'release/*'],
  // Commit statuses kayci/go-service and kayci/go-service/<job> on every commit it builds.
  feedback: { token: Secret.fromName('github-status').key('token') },
  notifications: [{ on: ['Failed'], slack: { url: Secret.fromName('chat').key('slack-webhook-url') } }],
});

app.synth();
