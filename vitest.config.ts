import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    exclude: ['test/bench/**', 'test/cluster/**', '**/node_modules/**', 'test/.tmp/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    server: {
      deps: {
        // Synth's bundles of user entries are plain ESM for Node: load them natively, as the CLI
        // does, instead of sending megabytes through Vite's transform pipeline.
        external: [/\.kayci-synth-[^/]*\.mjs$/],
      },
    },
  },
});
