// Graph facts about a Pipeline's jobs that validation and the planner share: cycles (Tarjan's
// strongly connected components, iterative so 5,000-job chains do not overflow the stack).

export interface DagNode {
  readonly name: string;
  readonly needs?: readonly string[];
}

/**
 * Every cycle among the nodes, one per strongly connected component, each as the path that
 * closes it: `['a', 'b', 'a']` means a needs b and b needs a. Unknown needs are ignored.
 */
export function findCycles(nodes: readonly DagNode[]): string[][] {
  const merged = new Map<string, string[]>();
  for (const n of nodes) merged.set(n.name, [...new Set([...(merged.get(n.name) ?? []), ...(n.needs ?? [])])]);
  // Edges to known nodes only, computed once: a frame revisits its node once per edge.
  const needs = new Map<string, string[]>();
  for (const [name, list] of merged) needs.set(name, list.filter((x) => merged.has(x)));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;

  for (const root of needs.keys()) {
    if (index.has(root)) continue;
    // Each frame: node and the position of the next edge to explore.
    const frames: [string, number][] = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const [node, edge] = frame;
      const out = needs.get(node)!;
      if (edge < out.length) {
        frame[1]++;
        const target = out[edge]!;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          frames.push([target, 0]);
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node)!, index.get(target)!));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) !== index.get(node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && (needs.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) cycles.push(cyclePath(new Set(component), needs));
    }
  }
  return cycles;
}

/** Walks needs inside one component from its first node until a node repeats. */
function cyclePath(component: Set<string>, needs: Map<string, string[]>): string[] {
  const start = [...component].sort()[0]!;
  const seen = new Map<string, number>();
  const path: string[] = [];
  let at = start;
  while (!seen.has(at)) {
    seen.set(at, path.length);
    path.push(at);
    at = (needs.get(at) ?? []).filter((n) => component.has(n)).sort()[0]!;
  }
  return [...path.slice(seen.get(at)), at];
}
