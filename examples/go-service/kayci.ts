// CI for a Go HTTP service, written with plain jobs: vet and test in parallel, then a
// versioned static build, then a summary that runs whatever happened before it.
//
//   npx kayci run examples/go-service      # run it on this machine
//   npx kayci synth examples/go-service    # write dist/go-service.k8s.yaml for the cluster
import { App, Duration, GitHubTrigger, Job, Param, Pipeline, Secret } from 'kayci';

const GO = 'golang:1.26-bookworm';

const app = new App();
const pipeline = new Pipeline(app, 'go-service', {
  workspace: { size: '2Gi' },
  concurrency: { group: 'go-service-$(KAYCI_BRANCH)', cancelInProgress: true },
  retention: { succeeded: 10, failed: 20 },
});

const version = new Param(pipeline, 'version', { default: 'dev', description: 'Version stamped into the binary' });

// In the cluster the workspace starts empty; locally it is the project directory, already checked out.
const checkout = new Job(pipeline, 'checkout', {
  image: 'alpine/git:2.47.2',
  run: [
    'if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then echo "using the existing checkout"; exit 0; fi',
    'git clone --no-checkout "$KAYCI_REPO_URL" .',
    'git checkout --detach "$KAYCI_COMMIT_SHA"',
  ].join('\n'),
});

const vet = new Job(pipeline, 'vet', {
  image: GO,
  needs: [checkout],
  run: 'go vet ./...\ntest -z "$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }',
});

const test = new Job(pipeline, 'test', {
  image: GO,
  needs: [checkout],
  results: ['coverage'],
  timeout: Duration.minutes(15),
  retries: 1,
  run: [
    'go test -race -coverprofile=coverage.out ./...',
    'echo "coverage=$(go tool cover -func=coverage.out | awk \'/^total:/ {print $3}\')" >> "$KAYCI_RESULTS_FILE"',
  ].join('\n'),
});

const build = new Job(pipeline, 'build', {
  image: GO,
  needs: [vet, test],
  results: ['sha256'],
  env: { CGO_ENABLED: '0' },
  run: [
    `go build -trimpath -ldflags "-s -w -X main.version=${version}" -o bin/server ./cmd/server`,
    './bin/server -version',
    'echo "sha256=$(sha256sum bin/server | cut -d" " -f1)" >> "$KAYCI_RESULTS_FILE"',
  ].join('\n'),
});

// Runs after the others whatever their outcome, like a `finally` block.
new Job(pipeline, 'summary', {
  image: 'busybox:1.37',
  when: { status: 'always' },
  needs: [build],
  run: `echo "go-service ${version}: coverage ${test.results.coverage}, server binary sha256 ${build.results.sha256}"`,
});

new GitHubTrigger(pipeline, 'github', {
  secret: Secret.fromName('github-webhook').key('secret'),
  branches: ['main', 'release/*'],
});

app.synth();
