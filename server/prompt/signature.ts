import { createHash } from 'node:crypto';
import type { ApiPrompt } from '../../shared/workflow.js';
import { walkDepthFirst } from './graph.js';

type LinkValue = [string | number, unknown];

function isLinkValue(value: unknown): value is LinkValue {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number');
}

/**
 * Input signatures for the output cache: a node's signature hashes its class, its fingerprint (what besides
 * its inputs changes its result, e.g. a file's hash), its constant inputs, and the signatures of the nodes
 * it links to. A change anywhere upstream changes every signature below it. Pure; ancestors are hashed first,
 * walking links without recursion.
 */
export function computeSignatures(prompt: ApiPrompt, fingerprints: ReadonlyMap<string, string>): Map<string, string> {
  const signatures = new Map<string, string>();
  // The nodes being hashed, whose ancestors are not done yet: a link back to one of them is a cycle.
  const trail = new Set<string>();
  const sortedNames = new Map<string, string[]>();
  walkDepthFirst(
    Object.keys(prompt),
    (id) => {
      if (signatures.has(id) || !Object.hasOwn(prompt, id) || trail.has(id)) return undefined;
      trail.add(id);
      const inputs = prompt[id]!.inputs;
      const names = Object.keys(inputs).sort();
      sortedNames.set(id, names);
      return names.flatMap((name) => {
        const value = inputs[name];
        return isLinkValue(value) ? [String(value[0])] : [];
      });
    },
    (id) => {
      const node = prompt[id]!;
      const inputs = sortedNames.get(id)!.map((name) => {
        const value = node.inputs[name];
        if (!isLinkValue(value)) return [name, 'CONST', value];
        const source = String(value[0]);
        const upstream = signatures.get(source) ?? (!Object.hasOwn(prompt, source) ? 'missing' : 'cycle');
        return [name, 'LINK', upstream, value[1]];
      });
      sortedNames.delete(id);
      trail.delete(id);
      signatures.set(
        id,
        createHash('sha256')
          .update(JSON.stringify([node.class_type, fingerprints.get(id) ?? null, inputs]))
          .digest('hex'),
      );
    },
  );
  return signatures;
}
