// The cluster tests (npm run test:cluster): kayci against a real control plane that
// test/cluster/up.sh starts once for all files (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kwok). Files run one at a time: they share the cluster and the controller's lease.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
