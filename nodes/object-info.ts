import type { InputSpec, NodeInfo, ObjectInfo } from '../shared/node-spec.js';
import { comboKey, toInputSpec, type ExtraComboOptions } from './contract/input-spec.js';
import type { NodeClass } from './contract/node-definition.js';
import type { NodeEnvironment } from './contract/node-context.js';
import type { NodeRegistry } from './contract/node-definition.js';

/** ComfyUI's NodeInfo, derived from a node's one definition. */
export function toNodeInfo(node: NodeClass, env: NodeEnvironment, extra?: ExtraComboOptions): NodeInfo {
  const required: Record<string, InputSpec> = {};
  const optional: Record<string, InputSpec> = {};
  const requiredOrder: string[] = [];
  const optionalOrder: string[] = [];
  for (const [name, input] of Object.entries(node.inputs)) {
    const spec = toInputSpec(input, env, extra?.get(comboKey(node.classType, name)));
    if (input.optional) {
      optional[name] = spec;
      optionalOrder.push(name);
    } else {
      required[name] = spec;
      requiredOrder.push(name);
    }
  }
  const hiddenNames = Object.keys(node.hidden);
  return {
    input: {
      required,
      ...(optionalOrder.length > 0 ? { optional } : {}),
      ...(hiddenNames.length > 0 ? { hidden: { ...node.hidden } } : {}),
    },
    input_order: {
      required: requiredOrder,
      ...(optionalOrder.length > 0 ? { optional: optionalOrder } : {}),
      ...(hiddenNames.length > 0 ? { hidden: hiddenNames } : {}),
    },
    output: node.outputs.map((output) => output.type),
    output_is_list: node.outputs.map(() => false),
    output_name: node.outputs.map((output) => output.name ?? output.type),
    output_tooltips: node.outputs.map((output) => output.tooltip ?? null),
    name: node.classType,
    display_name: node.displayName,
    description: node.description,
    python_module: 'inkgraph',
    category: node.category,
    output_node: node.outputNode,
    ...(node.deprecated ? { deprecated: true } : {}),
    ...(Object.keys(node.translations).length > 0 ? { translations: { ...node.translations } } : {}),
  };
}

export function buildObjectInfo(registry: NodeRegistry, env: NodeEnvironment, extra?: ExtraComboOptions): ObjectInfo {
  const info: ObjectInfo = {};
  for (const node of registry.values()) info[node.classType] = toNodeInfo(node, env, extra);
  return info;
}
