// kayci's constructs are ordinary cdk8s constructs: a plain cdk8s App synthesizes them, and
// cdk8s's own validation reports kayci's errors.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { App as Cdk8sApp } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { GitHubTrigger, Job, Pipeline, Secret } from '../../constructs/index.ts';
import { scratchDir } from '../helpers/project.ts';

describe('plain cdk8s', () => {
  it('synthesizes a kayci Pipeline chart into dist/<chart>.k8s.yaml', () => {
    const outdir = scratchDir('kayci-cdk8s-');
    const app = new Cdk8sApp({ outdir });
    const p = new Pipeline(app, 'svc');
    const build = new Job(p, 'build', { image: 'golang:1.26', run: 'go build', results: ['bin'] });
    new Job(p, 'test', { image: 'golang:1.26', run: `test -x ${build.results.bin}` });
    new GitHubTrigger(p, 'gh', { secret: Secret.fromName('gh').key('s') });
    app.synth();
    expect(readdirSync(outdir)).toEqual(['svc.k8s.yaml']);
    const docs = parseAllDocuments(readFileSync(path.join(outdir, 'svc.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Pipeline/svc', 'Trigger/svc-gh']);
    expect(docs[0].spec.jobs[1].needs).toEqual(['build']);
    // Same objects as kayci's own renderer.
    expect(docs).toEqual(p.render().documents);
  });

  it('fails cdk8s synth with kayci\'s errors', () => {
    const app = new Cdk8sApp({ outdir: scratchDir('kayci-cdk8s-') });
    const p = new Pipeline(app, 'bad');
    const a = new Job(p, 'a', { image: 'x' });
    new Job(p, 'b', { image: 'x', needs: [a] });
    a.needs(p.jobs[1]!);
    expect(() => app.synth()).toThrow(/\[bad\] \[bad\/a\] needs: Invalid value: cycle a → b → a/);
  });
});
