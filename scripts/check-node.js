// Fails fast, with the fix, when a script runs on a Node older than the pinned one. The pinned
// Node 24 lands in node_modules/.bin through the `node` package's install script; an install
// with --ignore-scripts silently leaves the machine's Node (e.g. 20) first on PATH instead.
import { checkNode } from '../bin/node-version.js';

const problem = checkNode(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
