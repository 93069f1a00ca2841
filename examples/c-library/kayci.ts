// CI for a C library (libsemver), written with plain jobs: build the static library, run the
// tests against it, and do both again with clang-like strictness under sanitizers.
//
//   npx kayci run examples/c-library
//   npx kayci synth examples/c-library
import { App, GitLabTrigger, Job, Pipeline, ScheduleTrigger, Secret } from 'kayci';

const GCC = 'gcc:14.2';

const app = new App();
const pipeline = new Pipeline(app, 'c-library', { workspace: { size: '1Gi' } });

const checkout = new Job(pipeline, 'checkout', {
  image: 'alpine/git:2.47.2',
  run: [
    'if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then echo "using the existing checkout"; exit 0; fi',
    'git clone --no-checkout "$KAYCI_REPO_URL" .',
    'git checkout --detach "$KAYCI_COMMIT_SHA"',
  ].join('\n'),
});

const build = new Job(pipeline, 'build', {
  image: GCC,
  needs: [checkout],
  results: ['size'],
  run: 'make all\necho "size=$(wc -c < build/libsemver.a | tr -d " ")" >> "$KAYCI_RESULTS_FILE"',
});

new Job(pipeline, 'test', {
  image: GCC,
  needs: [build],
  run: `echo "testing libsemver.a (${build.results.size} bytes)"\nmake test`,
});

new Job(pipeline, 'sanitizers', {
  image: GCC,
  needs: [checkout],
  steps: [
    { name: 'build', run: 'make BUILD_DIR=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" LDFLAGS="-fsanitize=address,undefined" all' },
    { name: 'test', run: 'make BUILD_DIR=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" LDFLAGS="-fsanitize=address,undefined" test' },
  ],
});

new GitLabTrigger(pipeline, 'gitlab', {
  secret: Secret.fromName('gitlab-webhook').key('token'),
  events: ['push', 'pull_request'],
});

new ScheduleTrigger(pipeline, 'nightly', { cron: '0 3 * * *', timeZone: 'Europe/Berlin', branch: 'main' });

app.synth();
