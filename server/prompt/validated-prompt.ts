import type { NodeClass } from '../../nodes/contract/node-definition.js';

/**
 * What validation learned about a prompt, typed: each node the outputs need with its resolved class, and each of its
 * declared inputs either a link or a constant already cast to the input's declared type. The executor, the planner,
 * the cache signatures and the memory estimate read only this.
 */

/** A constant after validation's cast: INT/FLOAT give numbers, STRING/COMBO strings, BOOLEAN booleans. */
export type ConstantValue = string | number | boolean;

export interface LinkInput {
  readonly kind: 'link';
  /** The id of the node whose output this input reads. */
  readonly from: string;
  readonly slot: number;
}

export interface ConstantInput {
  readonly kind: 'constant';
  readonly value: ConstantValue;
}

export type ValidatedInput = LinkInput | ConstantInput;

export interface ValidatedNode {
  readonly id: string;
  readonly classType: string;
  readonly nodeClass: NodeClass;
  /** The declared inputs the prompt sets (an absent optional input is not here), in the prompt's order. */
  readonly inputs: ReadonlyMap<string, ValidatedInput>;
}

export interface ValidatedPrompt {
  /** The nodes the outputs reach, outputs included, in the prompt's order. */
  readonly nodes: ReadonlyMap<string, ValidatedNode>;
  /** The output nodes to run. */
  readonly outputs: readonly string[];
}

/** The ids of the nodes a node's inputs link to, in input order. */
export function linkSources(node: ValidatedNode): string[] {
  const sources: string[] = [];
  for (const input of node.inputs.values()) if (input.kind === 'link') sources.push(input.from);
  return sources;
}

/** A node's constant inputs by name, as its `validate` and `fingerprint` hooks receive them. */
export function constantInputs(node: ValidatedNode): Record<string, ConstantValue> {
  const constants: Record<string, ConstantValue> = {};
  for (const [name, input] of node.inputs) if (input.kind === 'constant') constants[name] = input.value;
  return constants;
}
