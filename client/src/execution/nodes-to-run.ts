import type { ObjectInfo } from '../../../shared/node-spec.js';
import { isLink, type ApiPrompt } from '../../../shared/workflow.js';

/**
 * The nodes of a prompt the server will run: its output nodes and everything they read from, as ComfyUI executes
 * only what an output needs. A node that feeds only muted or bypassed nodes (dropped from the prompt) is not among
 * them. Pure; in the prompt's order.
 */
export function nodesToRun(prompt: ApiPrompt, objectInfo: ObjectInfo): string[] {
  const needed = new Set<string>();
  const pending = Object.keys(prompt).filter((id) => objectInfo[prompt[id]!.class_type]?.output_node === true);
  // A work list, not recursion: chains are as long as the graph makes them.
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    const node = prompt[id];
    if (needed.has(id) || !node) continue;
    needed.add(id);
    for (const value of Object.values(node.inputs)) if (isLink(value)) pending.push(String(value[0]));
  }
  return Object.keys(prompt).filter((id) => needed.has(id));
}
