import type { NodeRegistry } from '../../nodes/contract/node-definition.js';
import { ownValue } from '../../shared/own-property.js';
import { err, ok, type Result } from '../../shared/result.js';
import { isLink, type ApiPrompt } from '../../shared/workflow.js';
import type { ValidatedInput, ValidatedNode, ValidatedPrompt } from './validated-prompt.js';

/**
 * Reads a prompt as validation left it (links `[id, slot]`, constants cast) into its typed form, resolving classes
 * in `registry`. Validation ends with it, and the engine's worker, which gets the queued prompt as plain data (its
 * classes hold functions, which cannot be posted), reads it again with its own registry. A reason when the prompt
 * is not in that form: a class this registry lacks, a constant never cast.
 */
export function readValidatedPrompt(
  prompt: ApiPrompt,
  outputs: readonly string[],
  registry: NodeRegistry,
): Result<ValidatedPrompt> {
  const read = new Map<string, ValidatedNode>();
  // Only declared inputs are followed: they are what validation checked and what the nodes receive.
  const stack = [...outputs];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (read.has(id)) continue;
    const node = readNode(prompt, id, registry);
    if (!node.ok) return node;
    read.set(id, node.value);
    for (const input of node.value.inputs.values()) if (input.kind === 'link') stack.push(input.from);
  }
  const nodes = new Map<string, ValidatedNode>();
  for (const id of Object.keys(prompt)) {
    const node = read.get(id);
    if (node) nodes.set(id, node);
  }
  return ok({ nodes, outputs });
}

function readNode(prompt: ApiPrompt, id: string, registry: NodeRegistry): Result<ValidatedNode> {
  const node = ownValue(prompt, id);
  if (!node) return err(`node #${id} does not exist`);
  const nodeClass = registry.get(node.class_type);
  if (!nodeClass) return err(`node #${id}: ${node.class_type} does not exist`);
  const inputs = new Map<string, ValidatedInput>();
  for (const [name, value] of Object.entries(node.inputs)) {
    if (!Object.hasOwn(nodeClass.inputs, name) || value === null || value === undefined) continue;
    if (isLink(value)) inputs.set(name, { kind: 'link', from: String(value[0]), slot: value[1] });
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      inputs.set(name, { kind: 'constant', value });
    else return err(`node #${id}: input ${name} is neither a link nor a validated constant`);
  }
  return ok({ id, classType: node.class_type, nodeClass, inputs });
}
