import { comboOptions, inputTypeName, type InputDefinition, type NodeClass, type NodeEnvironment } from '../../nodes/define-node.js';
import type { NodeRegistry } from '../../nodes/index.js';
import { toInputSpec } from '../../nodes/define-node.js';
import { socketTypesMatch } from '../../shared/node-spec.js';
import type { NodeError, PromptError } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { findCycles, nodesReachedFrom } from './graph.js';

/**
 * Validates a prompt before anything runs, with ComfyUI's error types and per-node `node_errors`.
 * Pure apart from what the nodes' own `validate` hooks and dynamic combos read from their folders.
 */

export type ValidationResult =
  | { ok: true; prompt: ApiPrompt; outputs: string[]; nodeErrors: Record<string, NodeError> }
  | { ok: false; error: PromptError; nodeErrors: Record<string, NodeError> };

export interface ValidateOptions {
  readonly partialExecutionTargets?: readonly string[];
}

function promptError(type: string, message: string, details = '', extraInfo: Record<string, unknown> = {}): PromptError {
  return { type, message, details, extra_info: extraInfo };
}

type CastResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Casts a constant to its declared widget type, as ComfyUI's int()/float()/str()/bool() do, but stricter. */
export function castConstant(input: InputDefinition, raw: unknown): CastResult {
  const value = typeof raw === 'object' && raw !== null && !Array.isArray(raw) && '__value__' in raw ? (raw as { __value__: unknown }).__value__ : raw;
  switch (input.kind) {
    case 'INT': {
      const number = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(number)) return { ok: false, reason: `${JSON.stringify(value)} is not an integer` };
      return { ok: true, value: Math.trunc(number) };
    }
    case 'FLOAT': {
      const number = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(number)) return { ok: false, reason: `${JSON.stringify(value)} is not a number` };
      return { ok: true, value: number };
    }
    case 'STRING':
    case 'COMBO':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
      return { ok: false, reason: `${JSON.stringify(value)} is not a string` };
    case 'BOOLEAN':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 1 || value === 0) return { ok: true, value: value === 1 };
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return { ok: true, value: value.trim().toLowerCase() === 'true' };
      return { ok: false, reason: `${JSON.stringify(value)} is not a boolean` };
    case 'SOCKET':
      return { ok: false, reason: `${input.type} inputs take a link, not a constant value` };
  }
}

interface NodeCheck {
  readonly valid: boolean;
  readonly errors: PromptError[];
}

export function validatePrompt(prompt: ApiPrompt, registry: NodeRegistry, env: NodeEnvironment, options: ValidateOptions = {}): ValidationResult {
  // 1. Every node names a registered class.
  for (const [id, node] of Object.entries(prompt)) {
    if (typeof node.class_type !== 'string' || node.class_type.length === 0) {
      const error = promptError('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', `Node ID '#${id}'`);
      return { ok: false, error, nodeErrors: { [id]: { errors: [error], dependent_outputs: [], class_type: '' } } };
    }
    if (!registry.has(node.class_type)) {
      const error = promptError('invalid_prompt', `Cannot execute because node ${node.class_type} does not exist.`, `Node ID '#${id}'`);
      return { ok: false, error, nodeErrors: { [id]: { errors: [error], dependent_outputs: [], class_type: node.class_type } } };
    }
  }

  // 2. The outputs to run.
  const targets = options.partialExecutionTargets ? new Set(options.partialExecutionTargets) : undefined;
  const outputs = Object.entries(prompt)
    .filter(([id, node]) => registry.get(node.class_type)!.outputNode && (!targets || targets.has(id)))
    .map(([id]) => id);
  if (outputs.length === 0) {
    return { ok: false, error: promptError('prompt_no_outputs', 'Prompt has no outputs', ''), nodeErrors: {} };
  }

  const coerced: ApiPrompt = structuredClone(prompt);
  const ownErrors = new Map<string, PromptError[]>();
  const checks = new Map<string, NodeCheck>();

  // 3. Cycles among the nodes the outputs reach: each node on a cycle gets its own error.
  const cycleMembers = new Set<string>();
  for (const cycle of findCycles(prompt, outputs)) {
    for (const id of cycle) {
      if (cycleMembers.has(id)) continue;
      cycleMembers.add(id);
      ownErrors.set(id, [
        promptError('dependency_cycle', 'Dependency cycle detected', `node #${id} depends on itself through ${cycle.map((n) => `#${n}`).join(' → ')} → #${cycle[0]}`, {
          cycle,
        }),
      ]);
      checks.set(id, { valid: false, errors: ownErrors.get(id)! });
    }
  }

  const checkNode = (id: string): NodeCheck => {
    const known = checks.get(id);
    if (known) return known;
    // Mark in progress so a cycle that slipped through cannot recurse forever.
    checks.set(id, { valid: false, errors: [] });
    const node = coerced[id]!;
    const nodeClass = registry.get(node.class_type)!;
    const errors: PromptError[] = [];
    let upstreamValid = true;
    const constants: Record<string, unknown> = {};
    for (const [name, input] of Object.entries(nodeClass.inputs)) {
      // The input's spec goes only into errors: made when one is reported (a combo's spec lists its folder).
      const extra = (more: Record<string, unknown> = {}): Record<string, unknown> => ({ input_name: name, input_config: toInputSpec(input, env), ...more });
      const raw = node.inputs[name];
      if (raw === undefined || raw === null) {
        if (!input.optional) errors.push(promptError('required_input_missing', 'Required input is missing', name, extra()));
        continue;
      }
      if (Array.isArray(raw)) {
        const linkCheck = checkLink(id, name, input, raw, coerced, registry);
        if (!linkCheck.ok) {
          errors.push({ ...linkCheck.error, extra_info: { ...extra(), ...linkCheck.error.extra_info } });
          continue;
        }
        node.inputs[name] = linkCheck.link;
        if (!checkNode(linkCheck.link[0]).valid) upstreamValid = false;
        continue;
      }
      const cast = castConstant(input, raw);
      if (!cast.ok) {
        errors.push(
          promptError('invalid_input_type', `Failed to convert an input value to a ${inputTypeName(input)} value`, `${name}, ${JSON.stringify(raw)}, ${cast.reason}`, extra({ received_value: raw })),
        );
        continue;
      }
      const value = cast.value;
      if ((input.kind === 'INT' || input.kind === 'FLOAT') && typeof value === 'number') {
        if (input.min !== undefined && value < input.min) {
          errors.push(promptError('value_smaller_than_min', `Value ${value} smaller than min of ${input.min}`, name, extra({ received_value: value })));
          continue;
        }
        if (input.max !== undefined && value > input.max) {
          errors.push(promptError('value_bigger_than_max', `Value ${value} bigger than max of ${input.max}`, name, extra({ received_value: value })));
          continue;
        }
      }
      if (input.kind === 'COMBO') {
        const options = comboOptions(input, env);
        if (!options.includes(value as string)) {
          const listed = options.length > 20 ? `(list of length ${options.length})` : JSON.stringify(options);
          errors.push(
            promptError('value_not_in_list', 'Value not in list', `${name}: '${String(value)}' not in ${listed}`, {
              input_name: name,
              input_config: options.length > 20 ? null : toInputSpec(input, env),
              received_value: value,
            }),
          );
          continue;
        }
      }
      node.inputs[name] = value;
      constants[name] = value;
    }
    if (errors.length === 0) {
      const reason = safeCustomValidate(nodeClass, constants, env);
      if (reason !== undefined) errors.push(promptError('custom_validation_failed', 'Custom validation failed for node', reason, { input_name: Object.keys(constants)[0] ?? '' }));
    }
    if (errors.length > 0) ownErrors.set(id, errors);
    const check = { valid: errors.length === 0 && upstreamValid, errors };
    checks.set(id, check);
    return check;
  };

  const goodOutputs: string[] = [];
  const nodeErrors: Record<string, NodeError> = {};
  for (const output of outputs) {
    const check = checkNode(output);
    if (check.valid) {
      goodOutputs.push(output);
      continue;
    }
    for (const id of nodesReachedFrom(coerced, output)) {
      const errors = ownErrors.get(id);
      if (!errors) continue;
      const entry = (nodeErrors[id] ??= { errors, dependent_outputs: [], class_type: coerced[id]?.class_type ?? '' });
      if (!entry.dependent_outputs.includes(output)) entry.dependent_outputs.push(output);
    }
  }
  if (goodOutputs.length === 0) {
    const details = Object.values(nodeErrors)
      .flatMap((entry) => entry.errors.map((error) => `${error.message}: ${error.details}`))
      .join('\n');
    return { ok: false, error: promptError('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details), nodeErrors };
  }
  return { ok: true, prompt: coerced, outputs: goodOutputs, nodeErrors };
}

type LinkCheck = { ok: true; link: [string, number] } | { ok: false; error: PromptError };

function checkLink(id: string, name: string, input: InputDefinition, raw: unknown[], prompt: ApiPrompt, registry: NodeRegistry): LinkCheck {
  const [source, slot] = raw;
  if (raw.length !== 2 || (typeof source !== 'string' && typeof source !== 'number') || typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0) {
    return { ok: false, error: promptError('bad_linked_input', 'Bad linked input, must be a length-2 list of [string, int]', name, { received_value: raw }) };
  }
  const sourceId = String(source);
  const sourceNode = prompt[sourceId];
  if (!sourceNode) {
    return { ok: false, error: promptError('bad_linked_input', `Linked node #${sourceId} does not exist`, `${name} ← #${sourceId}`, { linked_node: [sourceId, slot] }) };
  }
  if (sourceId === id) return { ok: false, error: promptError('dependency_cycle', 'Dependency cycle detected', `node #${id} is linked to itself`, {}) };
  const sourceClass = registry.get(sourceNode.class_type)!;
  const output = sourceClass.outputs[slot];
  if (!output) {
    return {
      ok: false,
      error: promptError('bad_linked_input', `Node #${sourceId} (${sourceNode.class_type}) has no output ${slot}`, `${name} ← #${sourceId}[${slot}]`, { linked_node: [sourceId, slot] }),
    };
  }
  const inputType = inputTypeName(input);
  const accepts = input.kind === 'COMBO' ? ['COMBO', 'STRING'].includes(output.type) || socketTypesMatch(output.type, inputType) : socketTypesMatch(output.type, inputType);
  if (!accepts) {
    return {
      ok: false,
      error: promptError('return_type_mismatch', 'Return type mismatch between linked nodes', `${name}, received_type(${output.type}) mismatch input_type(${inputType})`, {
        received_type: output.type,
        linked_node: [sourceId, slot],
      }),
    };
  }
  return { ok: true, link: [sourceId, slot] };
}

function safeCustomValidate(nodeClass: NodeClass, constants: Record<string, unknown>, env: NodeEnvironment): string | undefined {
  try {
    return nodeClass.validate(constants, env);
  } catch (error) {
    return `validation raised: ${error instanceof Error ? error.message : String(error)}`;
  }
}
