import { unsupportedNodeReason } from '../../shared/unsupported-nodes.js';
import { comboKey, comboOptions, inputTypeName, type ExtraComboOptions } from '../../nodes/contract/input-spec.js';
import type { InputDefinition, NodeClass } from '../../nodes/contract/node-definition.js';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';
import type { NodeRegistry } from '../../nodes/contract/node-definition.js';
import { toInputSpec } from '../../nodes/contract/input-spec.js';
import { inputAcceptsLink } from '../../shared/node-spec.js';
import type { NodeError, PromptError } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { ownValue } from '../../shared/own-property.js';
import { err, ok, type Result } from '../../shared/result.js';
import { findCycles, nodesReachedFrom, promptGraph, walkDepthFirst } from './graph.js';
import { readValidatedPrompt } from './read-validated-prompt.js';
import type { ConstantValue, ValidatedPrompt } from './validated-prompt.js';

/**
 * Validates a prompt before anything runs, with ComfyUI's error types and per-node `node_errors`.
 * Pure apart from what the nodes' own `validate` hooks and dynamic combos read from their folders.
 */

export interface ValidPrompt {
  /** The prompt with its constants cast and links normalised, as it is queued and shown in the history. */
  readonly prompt: ApiPrompt;
  /** The same, typed: what the engine runs. */
  readonly validated: ValidatedPrompt;
  /** The outputs that passed validation. */
  readonly outputs: string[];
  /** Errors of the outputs that did not (they will not run). */
  readonly nodeErrors: Record<string, NodeError>;
}

/** ComfyUI's refusal of a prompt: its error, and the errors of each node at fault. */
export interface PromptRefusal {
  readonly error: PromptError;
  readonly nodeErrors: Record<string, NodeError>;
}

export type ValidationResult = Result<ValidPrompt, PromptRefusal>;

export interface ValidateOptions {
  readonly partialExecutionTargets?: readonly string[];
  /** Combo values valid beyond this process's folders (a cluster's workers' models). */
  readonly extraComboOptions?: ExtraComboOptions;
}

function promptError(
  type: string,
  message: string,
  details = '',
  extraInfo: Record<string, unknown> = {},
): PromptError {
  return { type, message, details, extra_info: extraInfo };
}

/** A number as ComfyUI's INT and FLOAT widgets accept one: a number, a boolean, or a numeric string. */
function numberFrom(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** Casts a constant to its declared widget type, as ComfyUI's int()/float()/str()/bool() do, but stricter. */
export function castConstant(input: InputDefinition, raw: unknown): Result<ConstantValue> {
  const value =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) && '__value__' in raw ? raw.__value__ : raw;
  switch (input.kind) {
    case 'INT': {
      const number = numberFrom(value);
      if (!Number.isFinite(number)) return err(`${JSON.stringify(value)} is not an integer`);
      return ok(Math.trunc(number));
    }
    case 'FLOAT': {
      const number = numberFrom(value);
      if (!Number.isFinite(number)) return err(`${JSON.stringify(value)} is not a number`);
      return ok(number);
    }
    case 'STRING':
    case 'COMBO':
      if (typeof value === 'string') return ok(value);
      if (typeof value === 'number' || typeof value === 'boolean') return ok(String(value));
      return err(`${JSON.stringify(value)} is not a string`);
    case 'BOOLEAN':
      if (typeof value === 'boolean') return ok(value);
      if (value === 1 || value === 0) return ok(value === 1);
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
        return ok(value.trim().toLowerCase() === 'true');
      return err(`${JSON.stringify(value)} is not a boolean`);
    case 'SOCKET':
      return err(`${input.type} inputs take a link, not a constant value`);
  }
}

interface NodeCheck {
  readonly valid: boolean;
  readonly errors: PromptError[];
}

export function validatePrompt(
  prompt: ApiPrompt,
  registry: NodeRegistry,
  env: NodeEnvironment,
  options: ValidateOptions = {},
): ValidationResult {
  // 1. Every node names a registered class.
  for (const [id, node] of Object.entries(prompt)) {
    if (typeof node.class_type !== 'string' || node.class_type.length === 0) {
      const error = promptError(
        'invalid_prompt',
        'Cannot execute because a node is missing the class_type property.',
        `Node ID '#${id}'`,
      );
      return err({ error, nodeErrors: { [id]: { errors: [error], dependent_outputs: [], class_type: '' } } });
    }
    if (!registry.has(node.class_type)) {
      // ComfyUI's sentence first (clients match it), then why, for the nodes Inkgraph lacks on purpose.
      const reason = unsupportedNodeReason(node.class_type);
      const error = promptError(
        'invalid_prompt',
        `Cannot execute because node ${node.class_type} does not exist.${reason ? ` (${reason.en}.)` : ''}`,
        `Node ID '#${id}'`,
      );
      return err({
        error,
        nodeErrors: { [id]: { errors: [error], dependent_outputs: [], class_type: node.class_type } },
      });
    }
  }

  // 2. The outputs to run.
  const targets = options.partialExecutionTargets ? new Set(options.partialExecutionTargets) : undefined;
  const outputs = Object.entries(prompt)
    .filter(([id, node]) => registry.get(node.class_type)?.outputNode === true && (!targets || targets.has(id)))
    .map(([id]) => id);
  if (outputs.length === 0) {
    return err({ error: promptError('prompt_no_outputs', 'Prompt has no outputs', ''), nodeErrors: {} });
  }

  const coerced: ApiPrompt = structuredClone(prompt);
  const ownErrors = new Map<string, PromptError[]>();
  const checks = new Map<string, NodeCheck>();

  // 3. Cycles among the nodes the outputs reach: each node on a cycle gets its own error.
  const cycleMembers = new Set<string>();
  for (const cycle of findCycles(promptGraph(prompt), outputs)) {
    for (const id of cycle) {
      if (cycleMembers.has(id)) continue;
      cycleMembers.add(id);
      const errors = [cycleError(id, cycle)];
      ownErrors.set(id, errors);
      checks.set(id, { valid: false, errors });
    }
  }

  // 4. Each output's upstream, ancestors first (walked without recursion: a chain may be 100,000 long). A node's own
  // inputs are checked on the way in; it is valid when they are and every node it links to is.
  const followed = new Map<string, string[]>();
  const enter = (id: string): string[] | undefined => {
    if (checks.has(id)) return undefined;
    // Marked in progress so a cycle that slipped through cannot loop forever: it reads as invalid.
    checks.set(id, { valid: false, errors: [] });
    const own = checkOwnInputs(id, coerced, registry, env, options.extraComboOptions);
    if (own.errors.length > 0) ownErrors.set(id, own.errors);
    followed.set(id, own.sources);
    return own.sources;
  };
  const leave = (id: string): void => {
    const errors = ownErrors.get(id) ?? [];
    const upstreamValid = (followed.get(id) ?? []).every((source) => checks.get(source)?.valid === true);
    followed.delete(id);
    checks.set(id, { valid: errors.length === 0 && upstreamValid, errors });
  };
  // Only an invalid node can have a node with errors upstream: the walk from a failed output skips valid ones.
  const mayLeadToErrors = (id: string): boolean => checks.get(id)?.valid !== true;

  const goodOutputs: string[] = [];
  const nodeErrors: Record<string, NodeError> = {};
  const coercedGraph = promptGraph(coerced);
  for (const output of outputs) {
    walkDepthFirst([output], enter, leave);
    if (checks.get(output)?.valid === true) {
      goodOutputs.push(output);
      continue;
    }
    // Each id comes once per output, so an output joins a node's list once without searching it.
    for (const id of nodesReachedFrom(coercedGraph, [output], mayLeadToErrors)) {
      const errors = ownErrors.get(id);
      if (!errors) continue;
      const entry = ownValue(nodeErrors, id) ?? { errors, dependent_outputs: [], class_type: classTypeOf(coerced, id) };
      entry.dependent_outputs.push(output);
      nodeErrors[id] = entry;
    }
  }
  if (goodOutputs.length === 0) {
    const lines = Object.values(nodeErrors).flatMap((entry) =>
      entry.errors.map((error) => `${error.message}: ${error.details}`),
    );
    const shown =
      lines.length <= DETAIL_LINES_SHOWN
        ? lines
        : [...lines.slice(0, DETAIL_LINES_SHOWN), `… and ${lines.length - DETAIL_LINES_SHOWN} more in node_errors`];
    const details = shown.join('\n');
    return err({
      error: promptError('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details),
      nodeErrors,
    });
  }
  // Every node the good outputs reach was checked above, so reading it typed cannot fail; were it to, the prompt is
  // refused rather than run half-read.
  const validated = readValidatedPrompt(coerced, goodOutputs, registry);
  if (!validated.ok) return err({ error: promptError('invalid_prompt', validated.reason, ''), nodeErrors });
  return ok({ prompt: coerced, validated: validated.value, outputs: goodOutputs, nodeErrors });
}

function classTypeOf(prompt: ApiPrompt, id: string): string {
  return ownValue(prompt, id)?.class_type ?? '';
}

/** The most node errors the prompt's own error repeats in its details (all are in node_errors). */
export const DETAIL_LINES_SHOWN = 100;

/** The most node ids a cycle's error shows: a ring of 100,000 nodes gives 100,000 errors, each naming its cycle. */
export const CYCLE_IDS_SHOWN = 12;

/** A node's error for one cycle through it; a long cycle is shown by its first and last ids and its length. */
function cycleError(id: string, cycle: readonly string[]): PromptError {
  const shown = cycle.length <= CYCLE_IDS_SHOWN ? cycle : [...cycle.slice(0, CYCLE_IDS_SHOWN - 1), ...cycle.slice(-1)];
  const names = shown.map((n) => `#${n}`);
  if (shown.length < cycle.length) names.splice(CYCLE_IDS_SHOWN - 1, 0, `… ${cycle.length - shown.length} more …`);
  return promptError(
    'dependency_cycle',
    'Dependency cycle detected',
    `node #${id} depends on itself through ${names.join(' → ')} → #${cycle[0]}`,
    {
      cycle: shown,
      ...(shown.length < cycle.length ? { cycle_length: cycle.length } : {}),
    },
  );
}

interface OwnInputsCheck {
  readonly errors: PromptError[];
  /** The nodes its valid links come from, in input order: its validity depends on theirs. */
  readonly sources: string[];
}

/** Checks one node's inputs (not what is upstream), writing coerced constants and links into `coerced`. */
function checkOwnInputs(
  id: string,
  coerced: ApiPrompt,
  registry: NodeRegistry,
  env: NodeEnvironment,
  extraOptions: ExtraComboOptions | undefined,
): OwnInputsCheck {
  const node = ownValue(coerced, id);
  const nodeClass = node && registry.get(node.class_type);
  // Step 1 checked every node's class; a link to an absent node is the linking node's error.
  if (!node || !nodeClass) return { errors: [], sources: [] };
  const errors: PromptError[] = [];
  const sources: string[] = [];
  const constants: Record<string, ConstantValue> = {};
  for (const [name, input] of Object.entries(nodeClass.inputs)) {
    const advertised = extraOptions?.get(comboKey(node.class_type, name));
    // The input's spec goes only into errors: made when one is reported (a combo's spec lists its folder).
    const extra = (more: Record<string, unknown> = {}): Record<string, unknown> => ({
      input_name: name,
      input_config: toInputSpec(input, env, advertised),
      ...more,
    });
    const raw = ownValue(node.inputs, name);
    if (raw === undefined || raw === null) {
      if (!input.optional)
        errors.push(promptError('required_input_missing', 'Required input is missing', name, extra()));
      continue;
    }
    if (Array.isArray(raw)) {
      const linkCheck = checkLink(id, name, input, raw, coerced, registry);
      if (!linkCheck.ok) {
        errors.push({ ...linkCheck.reason, extra_info: { ...extra(), ...linkCheck.reason.extra_info } });
        continue;
      }
      node.inputs[name] = linkCheck.value;
      sources.push(linkCheck.value[0]);
      continue;
    }
    const cast = castConstant(input, raw);
    if (!cast.ok) {
      errors.push(
        promptError(
          'invalid_input_type',
          `Failed to convert an input value to a ${inputTypeName(input)} value`,
          `${name}, ${JSON.stringify(raw)}, ${cast.reason}`,
          extra({ received_value: raw }),
        ),
      );
      continue;
    }
    const value = cast.value;
    if ((input.kind === 'INT' || input.kind === 'FLOAT') && typeof value === 'number') {
      if (input.min !== undefined && value < input.min) {
        errors.push(
          promptError(
            'value_smaller_than_min',
            `Value ${value} smaller than min of ${input.min}`,
            name,
            extra({ received_value: value }),
          ),
        );
        continue;
      }
      if (input.max !== undefined && value > input.max) {
        errors.push(
          promptError(
            'value_bigger_than_max',
            `Value ${value} bigger than max of ${input.max}`,
            name,
            extra({ received_value: value }),
          ),
        );
        continue;
      }
    }
    if (input.kind === 'COMBO') {
      const options = comboOptions(input, env, advertised);
      if (typeof value !== 'string' || !options.includes(value)) {
        const listed = options.length > 20 ? `(list of length ${options.length})` : JSON.stringify(options);
        errors.push(
          promptError('value_not_in_list', 'Value not in list', `${name}: '${String(value)}' not in ${listed}`, {
            input_name: name,
            input_config: options.length > 20 ? null : toInputSpec(input, env, advertised),
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
    if (reason !== undefined)
      errors.push(
        promptError('custom_validation_failed', 'Custom validation failed for node', reason, {
          input_name: Object.keys(constants)[0] ?? '',
        }),
      );
  }
  return { errors, sources };
}

function checkLink(
  id: string,
  name: string,
  input: InputDefinition,
  raw: unknown[],
  prompt: ApiPrompt,
  registry: NodeRegistry,
): Result<[string, number], PromptError> {
  const [source, slot] = raw;
  if (
    raw.length !== 2 ||
    (typeof source !== 'string' && typeof source !== 'number') ||
    typeof slot !== 'number' ||
    !Number.isInteger(slot) ||
    slot < 0
  ) {
    return err(
      promptError('bad_linked_input', 'Bad linked input, must be a length-2 list of [string, int]', name, {
        received_value: raw,
      }),
    );
  }
  const sourceId = String(source);
  const sourceNode = ownValue(prompt, sourceId);
  if (!sourceNode) {
    return err(
      promptError('bad_linked_input', `Linked node #${sourceId} does not exist`, `${name} ← #${sourceId}`, {
        linked_node: [sourceId, slot],
      }),
    );
  }
  if (sourceId === id)
    return err(promptError('dependency_cycle', 'Dependency cycle detected', `node #${id} is linked to itself`, {}));
  const output = registry.get(sourceNode.class_type)?.outputs[slot];
  if (!output) {
    return err(
      promptError(
        'bad_linked_input',
        `Node #${sourceId} (${sourceNode.class_type}) has no output ${slot}`,
        `${name} ← #${sourceId}[${slot}]`,
        { linked_node: [sourceId, slot] },
      ),
    );
  }
  const inputType = inputTypeName(input);
  if (!inputAcceptsLink(output.type, inputType)) {
    return err(
      promptError(
        'return_type_mismatch',
        'Return type mismatch between linked nodes',
        `${name}, received_type(${output.type}) mismatch input_type(${inputType})`,
        {
          received_type: output.type,
          linked_node: [sourceId, slot],
        },
      ),
    );
  }
  return ok([sourceId, slot]);
}

function safeCustomValidate(
  nodeClass: NodeClass,
  constants: Record<string, unknown>,
  env: NodeEnvironment,
): string | undefined {
  try {
    return nodeClass.validate(constants, env);
  } catch (error) {
    return `validation raised: ${error instanceof Error ? error.message : String(error)}`;
  }
}
