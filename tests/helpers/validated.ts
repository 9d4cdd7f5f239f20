import { NO_MEMORY } from '../../nodes/contract/memory.js';
import type { InputDefinition, NodeClass, NodeRegistry } from '../../nodes/contract/node-definition.js';
import { readValidatedPrompt } from '../../server/prompt/read-validated-prompt.js';
import type { ValidationResult } from '../../server/prompt/validate.js';
import type { ValidatedPrompt } from '../../server/prompt/validated-prompt.js';
import type { NodeError } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';

/** A validation's node errors, whether it accepted the prompt (errors of outputs that will not run) or refused it. */
export function nodeErrorsOf(result: ValidationResult): Record<string, NodeError> {
  return result.ok ? result.value.nodeErrors : result.reason.nodeErrors;
}

/** A class that declares every input its nodes in `prompt` set, and does nothing: for graph tests of any shape. */
function stubClass(classType: string, inputNames: Iterable<string>): NodeClass {
  const inputs: Record<string, InputDefinition> = {};
  for (const name of inputNames) inputs[name] = { kind: 'STRING' };
  return {
    classType,
    displayName: classType,
    category: 'test',
    description: '',
    inputs,
    outputs: [],
    outputNode: false,
    deprecated: false,
    hidden: {},
    translations: {},
    validate: () => undefined,
    fingerprint: () => Promise.resolve(undefined),
    estimate: () => NO_MEMORY,
    run: () => Promise.resolve({ outputs: [] }),
  };
}

/** Stub classes for every class_type in `prompt`, each declaring the inputs its nodes set. */
export function stubRegistry(prompt: ApiPrompt): NodeRegistry {
  const names = new Map<string, Set<string>>();
  for (const node of Object.values(prompt)) {
    const set = names.get(node.class_type) ?? new Set<string>();
    for (const name of Object.keys(node.inputs)) set.add(name);
    names.set(node.class_type, set);
  }
  return new Map([...names].map(([classType, inputs]) => [classType, stubClass(classType, inputs)]));
}

/** An acyclic prompt of any classes, read as validated with `outputs` (all its nodes when absent) to run. */
export function validatedFrom(prompt: ApiPrompt, outputs: readonly string[] = Object.keys(prompt)): ValidatedPrompt {
  const read = readValidatedPrompt(prompt, outputs, stubRegistry(prompt));
  if (!read.ok) throw new Error(read.reason);
  return read.value;
}
