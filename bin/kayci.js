#!/usr/bin/env node
// kayci's command-line entry. Plain JavaScript so that an old Node gets a clear message
// (see node-version.js) instead of a syntax error from the TypeScript it is about to load.
import { checkNode } from './node-version.js';

const problem = checkNode(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
// kubernetes-models' validators load ajv-formats-draft2019, which requires Node's deprecated
// `punycode` builtin: a warning users can do nothing about. Every other warning still prints.
const [printWarning] = process.listeners('warning');
if (printWarning) {
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (/** @type {{ code?: string }} */ (w).code !== 'DEP0040') printWarning(w);
  });
}

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
