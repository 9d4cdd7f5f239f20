import type { InputOptions } from '../../shared/node-spec.js';
import type { ComboInput, InputDefinition } from './node-definition.js';
import type { NodeEnvironment } from './node-context.js';

/** The type name an input has in `/object_info` and in link type checks. */
export function inputTypeName(input: InputDefinition): string {
  return input.kind === 'SOCKET' ? input.type : input.kind;
}

export function comboOptions(input: ComboInput, env: NodeEnvironment): readonly string[] {
  return typeof input.options === 'function' ? input.options(env) : input.options;
}

/** `[type, options]` as ComfyUI serves it. Combos use the legacy list form, which every client understands. */
export function toInputSpec(input: InputDefinition, env: NodeEnvironment): [string | string[], InputOptions] {
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
      const options = [...comboOptions(input, env)];
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
