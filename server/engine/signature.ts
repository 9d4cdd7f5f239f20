import { createHash } from 'node:crypto';
import type { ApiPrompt } from '../../shared/workflow.js';

/**
 * Input signatures for the output cache: a node's signature hashes its class, its fingerprint (what besides
 * its inputs changes its result, e.g. a file's hash), its constant inputs, and the signatures of the nodes
 * it links to. A change anywhere upstream changes every signature below it. Pure.
 */
export function computeSignatures(prompt: ApiPrompt, fingerprints: ReadonlyMap<string, string>): Map<string, string> {
  const signatures = new Map<string, string>();
  const compute = (id: string, trail: Set<string>): string => {
    const known = signatures.get(id);
    if (known) return known;
    const node = prompt[id];
    if (!node) return 'missing';
    if (trail.has(id)) return 'cycle';
    trail.add(id);
    const inputs = Object.keys(node.inputs)
      .sort()
      .map((name) => {
        const value = node.inputs[name];
        if (Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number')) {
          return [name, 'LINK', compute(String(value[0]), trail), value[1]];
        }
        return [name, 'CONST', value];
      });
    trail.delete(id);
    const signature = createHash('sha256')
      .update(JSON.stringify([node.class_type, fingerprints.get(id) ?? null, inputs]))
      .digest('hex');
    signatures.set(id, signature);
    return signature;
  };
  for (const id of Object.keys(prompt)) compute(id, new Set());
  return signatures;
}
