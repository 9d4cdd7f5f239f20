import { createHash } from 'node:crypto';
import { walkDepthFirst } from './graph.js';
import { linkSources, type ValidatedPrompt } from './validated-prompt.js';

/**
 * Input signatures for the output cache: a node's signature hashes its class, its fingerprint (what besides
 * its inputs changes its result, e.g. a file's hash), its constant inputs, and the signatures of the nodes
 * it links to. A change anywhere upstream changes every signature below it. Pure; ancestors are hashed first,
 * walking links without recursion.
 */
export function computeSignatures(
  prompt: ValidatedPrompt,
  fingerprints: ReadonlyMap<string, string>,
): Map<string, string> {
  const signatures = new Map<string, string>();
  // The nodes being hashed, whose ancestors are not done yet: a link back to one of them would be a cycle, which
  // validation refuses; hashed as 'cycle' all the same rather than walked forever.
  const trail = new Set<string>();
  walkDepthFirst(
    prompt.nodes.keys(),
    (id) => {
      const node = prompt.nodes.get(id);
      if (signatures.has(id) || !node || trail.has(id)) return undefined;
      trail.add(id);
      return linkSources(node);
    },
    (id) => {
      trail.delete(id);
      const node = prompt.nodes.get(id);
      if (!node) return;
      // By name, in code-unit order (as Array.prototype.sort orders strings): key order does not matter.
      const byName = [...node.inputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const inputs = byName.map(([name, input]) => {
        if (input.kind === 'constant') return [name, 'CONST', input.value];
        const upstream = signatures.get(input.from) ?? (prompt.nodes.has(input.from) ? 'cycle' : 'missing');
        return [name, 'LINK', upstream, input.slot];
      });
      signatures.set(
        id,
        createHash('sha256')
          .update(JSON.stringify([node.classType, fingerprints.get(id) ?? null, inputs]))
          .digest('hex'),
      );
    },
  );
  return signatures;
}
