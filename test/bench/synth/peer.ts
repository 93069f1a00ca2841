// The peer of the synth benchmark: plain cdk8s writing the same Pipeline objects kayci writes.
// Two layouts a cdk8s user would pick: one Chart per pipeline (one file each, like kayci), or
// every object in one Chart (one file). cdk8s's App.synth re-validates the whole App for every
// chart (Chart.toJson → App._synthChart), so the first layout grows with the square of N.
import { ApiObject, App, Chart } from 'cdk8s';
import { pipelineName, pipelineSpec } from './shape.ts';

export type PeerLayout = 'chart-per-pipeline' | 'one-chart';

/** Builds an App of `n` Pipeline objects and synthesizes it into `outdir` (YAML files). */
export function peerSynth(n: number, layout: PeerLayout, outdir: string): void {
  const app = new App({ outdir });
  const shared = layout === 'one-chart' ? new Chart(app, 'pipelines') : undefined;
  for (let i = 0; i < n; i++) {
    const name = pipelineName(i);
    const chart = shared ?? new Chart(app, name);
    new ApiObject(chart, shared ? name : 'Resource', {
      apiVersion: 'kayci.dev/v1alpha1',
      kind: 'Pipeline',
      metadata: { name },
      spec: pipelineSpec(i),
    });
  }
  app.synth();
}

/** The first object the peer writes, as JSON, to check it matches kayci's. */
export function peerSample(): string {
  const app = new App();
  const obj = new ApiObject(new Chart(app, pipelineName(0)), 'Resource', {
    apiVersion: 'kayci.dev/v1alpha1',
    kind: 'Pipeline',
    metadata: { name: pipelineName(0) },
    spec: pipelineSpec(0),
  });
  return JSON.stringify(obj.toJson());
}
