// Small builders for API objects in tests.
import type { PipelineJob, PipelineSpec } from '../../src/api/v1alpha1/pipeline.ts';

export function job(name: string, extra: Partial<PipelineJob> = {}, script = 'true'): PipelineJob {
  return {
    name,
    template: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'alpine:3.20', command: ['sh', '-ec', script] }] } } },
    ...extra,
  };
}

export function pipeline(spec: Partial<PipelineSpec> & { jobs: PipelineJob[] }, name = 'demo') {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Pipeline', metadata: { name }, spec };
}
