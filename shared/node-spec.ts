import { z } from 'zod';

/** ComfyUI's NodeInfo, as `GET /object_info` serves it. */

export const widgetTypes = ['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO'] as const;
export type WidgetType = (typeof widgetTypes)[number];

export const inputOptionsSchema = z
  .object({
    default: z.unknown().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    step: z.number().optional(),
    round: z.union([z.number(), z.literal(false)]).optional(),
    display: z.enum(['number', 'slider', 'color']).optional(),
    multiline: z.boolean().optional(),
    placeholder: z.string().optional(),
    dynamicPrompts: z.boolean().optional(),
    tooltip: z.string().optional(),
    forceInput: z.boolean().optional(),
    label_on: z.string().optional(),
    label_off: z.string().optional(),
    image_upload: z.boolean().optional(),
    image_folder: z.enum(['input', 'output', 'temp']).optional(),
    control_after_generate: z.boolean().optional(),
    options: z.array(z.union([z.string(), z.number()])).optional(),
  })
  .passthrough();
export type InputOptions = z.infer<typeof inputOptionsSchema>;

/** `[type, options?]` where type is a type name, "A,B" union, or (legacy combo) a list of values. */
export const inputSpecSchema = z.union([
  z.tuple([z.union([z.string(), z.array(z.union([z.string(), z.number()]))])]),
  z.tuple([z.union([z.string(), z.array(z.union([z.string(), z.number()]))]), inputOptionsSchema]),
]);
export type InputSpec = z.infer<typeof inputSpecSchema>;

export const nodeTranslationSchema = z.object({
  display_name: z.string().optional(),
  description: z.string().optional(),
  category: z.string().optional(),
  inputs: z.record(z.string(), z.string()).optional(),
  outputs: z.array(z.string()).optional(),
  tooltips: z.record(z.string(), z.string()).optional(),
});
export type NodeTranslation = z.infer<typeof nodeTranslationSchema>;

export const nodeInfoSchema = z.object({
  input: z.object({
    required: z.record(z.string(), inputSpecSchema),
    optional: z.record(z.string(), inputSpecSchema).optional(),
    hidden: z.record(z.string(), z.string()).optional(),
  }),
  input_order: z.object({
    required: z.array(z.string()),
    optional: z.array(z.string()).optional(),
    hidden: z.array(z.string()).optional(),
  }),
  output: z.array(z.string()),
  output_is_list: z.array(z.boolean()),
  output_name: z.array(z.string()),
  output_tooltips: z.array(z.string().nullable()).optional(),
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  python_module: z.string(),
  category: z.string(),
  output_node: z.boolean(),
  deprecated: z.boolean().optional(),
  experimental: z.boolean().optional(),
  /** Inkgraph extension: translations of the node's texts keyed by locale (e.g. "zh-CN"). */
  translations: z.record(z.string(), nodeTranslationSchema).optional(),
});
export type NodeInfo = z.infer<typeof nodeInfoSchema>;

export const objectInfoSchema = z.record(z.string(), nodeInfoSchema);
export type ObjectInfo = z.infer<typeof objectInfoSchema>;

/** A node's declared input by name, required or optional. */
export function inputSpecOf(info: NodeInfo, name: string): InputSpec | undefined {
  return info.input.required[name] ?? info.input.optional?.[name];
}

/** The type name of an input spec: a combo (legacy list form or "COMBO") reads as "COMBO". */
export function inputSpecType(spec: InputSpec): string {
  const type = spec[0];
  return Array.isArray(type) ? 'COMBO' : type;
}

export function isWidgetType(type: string): type is WidgetType {
  return (widgetTypes as readonly string[]).includes(type);
}

/** Do two socket types connect? Types are comma-separated sets that match when they intersect; `*` matches all. */
export function socketTypesMatch(outputType: string, inputType: string): boolean {
  if (outputType === '*' || inputType === '*') return true;
  const received = outputType.split(',').map((part) => part.trim());
  const accepted = new Set(inputType.split(',').map((part) => part.trim()));
  return received.some((part) => accepted.has(part));
}

/**
 * Does an input of type `inputType` accept a link from an output of type `outputType`? The one link rule of
 * client and server: combo inputs (type 'COMBO') also take strings, as ComfyUI's primitive and string nodes feed them.
 */
export function inputAcceptsLink(outputType: string, inputType: string): boolean {
  return socketTypesMatch(outputType, inputType === 'COMBO' ? 'COMBO,STRING' : inputType);
}
