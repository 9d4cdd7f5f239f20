import { inputSpecType, isWidgetType, type ObjectInfo } from './node-spec.js';
import { isLink, type WorkflowEnvelope } from './workflow.js';

/**
 * A ComfyUI UI-format (litegraph, version 0.4) workflow from an Inkgraph document, so ComfyUI opens Inkgraph's
 * images with their layout: nodes with inputs, outputs and `widgets_values` in ComfyUI's widget order (the seed's
 * control value right after the seed), and links as `[id, origin, slot, target, slot, type]`. Pure.
 */

interface LiteLink {
  readonly id: number;
  readonly origin: number;
  readonly originSlot: number;
  readonly target: number;
  readonly targetSlot: number;
  readonly type: string;
}

function numericId(id: string, fallback: Map<string, number>): number {
  const number = Number(id);
  if (Number.isInteger(number) && number > 0) return number;
  if (!fallback.has(id)) fallback.set(id, 100000 + fallback.size);
  return fallback.get(id)!;
}

export function toLitegraph(envelope: WorkflowEnvelope, objectInfo: ObjectInfo): Record<string, unknown> {
  const fallback = new Map<string, number>();
  const links: LiteLink[] = [];
  const nodes: Record<string, unknown>[] = [];
  let order = 0;
  for (const [id, node] of Object.entries(envelope.prompt)) {
    const info = objectInfo[node.class_type];
    if (!info) continue;
    const nodeNumber = numericId(id, fallback);
    const meta = (node._meta ?? {}) as Record<string, unknown> & { pos?: [number, number]; size?: [number, number]; title?: string; collapsed?: boolean; mode?: number; controls?: Record<string, string> };
    const inputs: Record<string, unknown>[] = [];
    const widgetValues: unknown[] = [];
    const specs = { ...info.input.required, ...(info.input.optional ?? {}) };
    const order_ = [...info.input_order.required, ...(info.input_order.optional ?? [])];
    for (const name of order_) {
      const spec = specs[name]!;
      const type = inputSpecType(spec);
      const value = node.inputs[name];
      const widget = isWidgetType(type) && !spec[1]?.forceInput;
      if (isLink(value)) {
        const source = envelope.prompt[String(value[0])];
        const outputType = source ? (objectInfo[source.class_type]?.output[value[1]] ?? type) : type;
        const link = { id: links.length + 1, origin: numericId(String(value[0]), fallback), originSlot: value[1], target: nodeNumber, targetSlot: inputs.length, type: outputType };
        links.push(link);
        inputs.push({ name, type, link: link.id, ...(widget ? { widget: { name } } : {}) });
      } else if (!widget) {
        inputs.push({ name, type, link: null });
      }
      if (widget) {
        widgetValues.push(isLink(value) ? (spec[1]?.default ?? null) : (value ?? spec[1]?.default ?? null));
        if (type === 'INT' && (spec[1]?.control_after_generate || name === 'seed' || name === 'noise_seed')) widgetValues.push(meta.controls?.[name] ?? 'randomize');
      }
    }
    const outputs = info.output.map((type, slot) => ({
      name: info.output_name[slot] ?? type,
      type,
      links: links.filter((link) => link.origin === nodeNumber && link.originSlot === slot).map((link) => link.id),
      slot_index: slot,
    }));
    nodes.push({
      id: nodeNumber,
      type: node.class_type,
      pos: meta.pos ?? [order * 320, 0],
      size: meta.size ?? [300, 160],
      flags: meta.collapsed ? { collapsed: true } : {},
      order: order++,
      mode: meta.mode ?? 0,
      inputs,
      outputs,
      properties: { 'Node name for S&R': node.class_type },
      widgets_values: widgetValues,
      ...(meta.title && meta.title !== info.display_name ? { title: meta.title } : {}),
    });
  }
  // Outputs were listed before every link existed: fill them in now.
  for (const node of nodes) {
    for (const output of node.outputs as { links: number[]; slot_index: number }[]) {
      output.links = links.filter((link) => link.origin === node.id && link.originSlot === output.slot_index).map((link) => link.id);
    }
  }
  return {
    last_node_id: Math.max(0, ...nodes.map((node) => node.id as number)),
    last_link_id: links.length,
    nodes,
    links: links.map((link) => [link.id, link.origin, link.originSlot, link.target, link.targetSlot, link.type]),
    groups: envelope.groups.map((group) => ({ title: group.title, bounding: group.bounding, ...(group.color ? { color: group.color } : {}) })),
    config: {},
    extra: { ds: { scale: envelope.viewport?.zoom ?? 1, offset: [envelope.viewport?.x ?? 0, envelope.viewport?.y ?? 0] } },
    version: 0.4,
  };
}
