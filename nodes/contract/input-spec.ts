import type { InputOptions } from '../../shared/node-spec.js';
import type { ComboInput, InputDefinition } from './node-definition.js';
import type { NodeEnvironment } from './node-context.js';

/** The type name an input has in `/object_info` and in link type checks. */
export function inputTypeName(input: InputDefinition): string {
  return input.kind === 'SOCKET' ? input.type : input.kind;
}

/**
 * Values a combo offers beyond what this process's folders hold, keyed `Class.input`: in a cluster, the models the
 * workers advertise (the coordinator's own models folder may be empty). Plain data, as the environment is.
 */
export type ExtraComboOptions = ReadonlyMap<string, readonly string[]>;

export function comboKey(classType: string, inputName: string): string {
  return `${classType}.${inputName}`;
}

/** A combo's values: its own (a list, or its folder's files now), then any extra ones not among them. */
export function comboOptions(input: ComboInput, env: NodeEnvironment, extra?: readonly string[]): readonly string[] {
  const own = typeof input.options === 'function' ? input.options(env) : input.options;
  if (!extra || extra.length === 0) return own;
  const seen = new Set(own);
  return [...own, ...extra.filter((value) => !seen.has(value))];
}

/** `[type, options]` as ComfyUI serves it. Combos use the legacy list form, which every client understands. */
export function toInputSpec(
  input: InputDefinition,
  env: NodeEnvironment,
  extraOptions?: readonly string[],
): [string | string[], InputOptions] {
  const common: InputOptions = {};
  if (input.tooltip !== undefined) common.tooltip = input.tooltip;
  if (input.forceInput) common.forceInput = true;
  switch (input.kind) {
    case 'INT':
      return [
        'INT',
        {
          ...common,
          default: input.default,
          ...(input.min !== undefined ? { min: input.min } : {}),
          ...(input.max !== undefined ? { max: input.max } : {}),
          step: input.step ?? 1,
          ...(input.display ? { display: input.display } : {}),
          ...(input.controlAfterGenerate ? { control_after_generate: true } : {}),
        },
      ];
    case 'FLOAT':
      return [
        'FLOAT',
        {
          ...common,
          default: input.default,
          ...(input.min !== undefined ? { min: input.min } : {}),
          ...(input.max !== undefined ? { max: input.max } : {}),
          step: input.step ?? 0.01,
          ...(input.round !== undefined ? { round: input.round } : {}),
          ...(input.display ? { display: input.display } : {}),
        },
      ];
    case 'STRING':
      return [
        'STRING',
        {
          ...common,
          default: input.default ?? '',
          ...(input.multiline ? { multiline: true } : {}),
          ...(input.placeholder !== undefined ? { placeholder: input.placeholder } : {}),
          ...(input.dynamicPrompts !== undefined ? { dynamicPrompts: input.dynamicPrompts } : {}),
        },
      ];
    case 'BOOLEAN':
      return [
        'BOOLEAN',
        {
          ...common,
          default: input.default,
          ...(input.labelOn !== undefined ? { label_on: input.labelOn } : {}),
          ...(input.labelOff !== undefined ? { label_off: input.labelOff } : {}),
        },
      ];
    case 'COMBO': {
      const options = [...comboOptions(input, env, extraOptions)];
      return [
        options,
        {
          ...common,
          ...(input.default !== undefined ? { default: input.default } : {}),
          ...(input.imageUpload ? { image_upload: true } : {}),
          ...(input.imageFolder ? { image_folder: input.imageFolder } : {}),
        },
      ];
    }
    case 'SOCKET':
      return [input.type, common];
  }
}
