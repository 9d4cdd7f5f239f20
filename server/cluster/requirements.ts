import { comboKey } from '../../nodes/contract/input-spec.js';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';
import type { ComboInput, InputDefinition, NodeRegistry } from '../../nodes/contract/node-definition.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import type { WorkerAdvert } from './worker-advert.js';

/** The folders a combo of files reads from: image inputs travel with the job; the rest (models) must be on the worker. */
export type ImageFolder = 'input' | 'output' | 'temp';

function isCombo(input: InputDefinition): input is ComboInput {
  return input.kind === 'COMBO';
}

/** Where a folder of images is in `env`. */
export function imageFolderPath(env: NodeEnvironment, folder: ImageFolder): string {
  return folder === 'input' ? env.inputDir : folder === 'output' ? env.outputDir : env.tempDir;
}

/** An image picked from a folder (LoadImage's `image`): its file is sent with the job. */
export function imageFolderOf(input: ComboInput): ImageFolder | undefined {
  if (input.imageFolder) return input.imageFolder;
  return input.imageUpload ? 'input' : undefined;
}

/** A combo whose values are the files of a models folder: a worker can run it only with that file. */
function isModelCombo(input: InputDefinition): input is ComboInput {
  return isCombo(input) && typeof input.options === 'function' && imageFolderOf(input) === undefined;
}

/** The files a model combo lists in `env`'s folders. */
function modelFiles(input: ComboInput, env: NodeEnvironment): string[] {
  return typeof input.options === 'function' ? [...input.options(env)] : [];
}

/** What a worker can load: every model combo's values from its folders, keyed `Class.input`. */
export function advertisedOptions(registry: NodeRegistry, env: NodeEnvironment): Record<string, string[]> {
  const options: Record<string, string[]> = {};
  for (const node of registry.values())
    for (const [name, input] of Object.entries(node.inputs))
      if (isModelCombo(input)) options[comboKey(node.classType, name)] = modelFiles(input, env);
  return options;
}

/** A model value a prompt names, by the combo that names it. */
export interface ModelRequirement {
  readonly key: string;
  readonly value: string;
}

/** The models a (validated) prompt loads: its model combos' constant values. */
export function modelRequirements(prompt: ApiPrompt, registry: NodeRegistry): ModelRequirement[] {
  const seen = new Set<string>();
  const requirements: ModelRequirement[] = [];
  for (const node of Object.values(prompt)) {
    const nodeClass = registry.get(node.class_type);
    if (!nodeClass) continue;
    for (const [name, input] of Object.entries(nodeClass.inputs)) {
      const value = node.inputs[name];
      if (!isModelCombo(input) || typeof value !== 'string') continue;
      const key = comboKey(node.class_type, name);
      if (seen.has(`${key}\n${value}`)) continue;
      seen.add(`${key}\n${value}`);
      requirements.push({ key, value });
    }
  }
  return requirements;
}

/** The image files a prompt reads from a folder, which the coordinator sends with the job. */
export function imageFileRequirements(
  prompt: ApiPrompt,
  registry: NodeRegistry,
): { folder: ImageFolder; name: string }[] {
  const files = new Map<string, { folder: ImageFolder; name: string }>();
  for (const node of Object.values(prompt)) {
    const nodeClass = registry.get(node.class_type);
    if (!nodeClass) continue;
    for (const [name, input] of Object.entries(nodeClass.inputs)) {
      const value = node.inputs[name];
      const folder = isCombo(input) ? imageFolderOf(input) : undefined;
      if (folder !== undefined && typeof value === 'string') files.set(`${folder}/${value}`, { folder, name: value });
    }
  }
  return [...files.values()];
}

/** Whether a worker advertising `options` has every model the requirements name. */
export function canRun(requirements: readonly ModelRequirement[], options: WorkerAdvert['options']): boolean {
  return requirements.every((requirement) => options[requirement.key]?.includes(requirement.value) ?? false);
}

/** Every worker's models, merged: the values the coordinator's validation and `/object_info` accept. */
export function mergedOptions(adverts: readonly WorkerAdvert[]): Map<string, string[]> {
  const merged = new Map<string, Set<string>>();
  for (const advert of adverts)
    for (const [key, values] of Object.entries(advert.options)) {
      const set = merged.get(key) ?? new Set<string>();
      for (const value of values) set.add(value);
      merged.set(key, set);
    }
  return new Map([...merged].map(([key, set]) => [key, [...set].sort()]));
}
