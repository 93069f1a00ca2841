// CI for a C library (libsemver) with the CPipeline preset: checkout, then a CMake build → ctest
// ∥ cppcheck, and a coverage build whose tests feed gcovr; for tags, an image of the install
// tree pushed by digest, its SBOM, a cosign signature and a scan.
//
//   npx kayci run examples/c-library       # needs cmake, cppcheck and gcovr on PATH
//   npx kayci synth examples/c-library
import { App, GitLabTrigger, ScheduleTrigger, Secret } from 'kayci';
import { CPipeline } from 'kayci/recipes';

const app = new App();

const pipeline = new CPipeline(app, 'c-library', {
  build: { buildType: 'Release' },
  coverage: { failUnderLine: 80 },
  image: { registry: 'registry.gitlab.example.com', repository: 'acme/libsemver' },
  sign: { key: Secret.fromName('cosign').key('cosign.key'), password: Secret.fromName('cosign').key('cosign.password') },
});

new GitLabTrigger(pipeline, 'gitlab', {
  secret: Secret.fromName('gitlab-webhook').key('token'),
  events: ['push', 'pull_request', 'tag'],
});

new ScheduleTrigger(pipeline, 'nightly', { cron: '0 3 * * *', timeZone: 'Europe/Berlin', branch: 'main' });

app.synth();
