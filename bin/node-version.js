// Plain JavaScript on purpose: this must parse and run on any Node, so it can explain the fix
// instead of crashing on syntax or type stripping the old Node lacks.

/** The oldest Node that runs kayci's TypeScript sources directly (type stripping on by default). */
export const MIN_NODE = [22, 18, 0];

/**
 * @param {string} version e.g. process.versions.node
 * @returns {string | undefined} an error message with the fix, or undefined when the version is fine
 */
export function checkNode(version) {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < MIN_NODE.length; i++) {
    const have = parts[i] ?? 0;
    const need = MIN_NODE[i] ?? 0;
    if (have > need) return undefined;
    if (have < need) {
      return [
        `kayci: Node ${version} is too old; kayci needs Node >= ${MIN_NODE.join('.')} (the project pins Node 24).`,
        '  The pinned Node is installed into node_modules/.bin by the `node` devDependency\'s install script.',
        '  If you installed with --ignore-scripts, run `npm rebuild node`, then use `npx kayci` or `npm test`',
        '  so that node_modules/.bin comes first on PATH.',
      ].join('\n');
    }
  }
  return undefined;
}
