import { inputSpecType, isWidgetType, type ObjectInfo } from './node-spec.js';
import { ownValue } from './own-property.js';
import { isMissingNodeRecord, type MissingNodeRecord } from './litegraph-import.js';
import { definitionsOf, SUBGRAPH_INPUT_ID, withSubgraphTypes } from './subgraph.js';
import { isLink, type ApiNode, type ApiPrompt, type SubgraphDefinition, type WorkflowEnvelope } from './workflow.js';

/**
 * A ComfyUI UI-format (litegraph, version 0.4) workflow from an Inkgraph document, so ComfyUI opens Inkgraph's
 * images with their layout: nodes with inputs, outputs and `widgets_values` in ComfyUI's widget order (the seed's
 * control value right after the seed), and links as `[id, origin, slot, target, slot, type]`. A node of a type
 * Inkgraph lacks goes back with the slots, widget values and properties it came with (`_meta.missing`). Pure.
 */

/** The record an imported node of an unknown type keeps, when it has one. */
function missingRecord(node: ApiNode | undefined): MissingNodeRecord | undefined {
  const missing: unknown = node?._meta?.missing;
  return isMissingNodeRecord(missing) ? missing : undefined;
}

interface LiteLink {
  readonly id: number;
  readonly origin: number;
  readonly originSlot: number;
  readonly target: number;
  readonly targetSlot: number;
  readonly type: string;
}

interface LiteOutput {
  readonly name: string;
  readonly type: string;
  links: number[];
  readonly slot_index: number;
}

/** Litegraph's ids for a subgraph's boundary nodes. */
const INPUT_NODE = -10;
const OUTPUT_NODE = -20;

function numericId(id: string, fallback: Map<string, number>): number {
  if (id === SUBGRAPH_INPUT_ID) return INPUT_NODE;
  const number = Number(id);
  if (Number.isInteger(number) && number > 0) return number;
  if (!fallback.has(id)) fallback.set(id, 100000 + fallback.size);
  return fallback.get(id)!;
}

interface ExportedGraph {
  readonly nodes: Record<string, unknown>[];
  readonly links: LiteLink[];
  readonly lastNodeId: number;
}

/**
 * One graph's nodes and links. Inside a subgraph (`boundary`), links from its inputs start at node -10 and each output
 * is a link to node -20.
 */
function exportGraph(prompt: ApiPrompt, objectInfo: ObjectInfo, boundary?: SubgraphDefinition): ExportedGraph {
  const fallback = new Map<string, number>();
  const links: LiteLink[] = [];
  const nodes: Record<string, unknown>[] = [];
  const outputsOf: [number, LiteOutput[]][] = [];
  // Kept as it goes rather than Math.max(...ids): spreading 100,000 arguments overflows the stack.
  let lastNodeId = 0;
  let order = 0;
  for (const [id, node] of Object.entries(prompt)) {
    const info = ownValue(objectInfo, node.class_type);
    const missing = info ? undefined : missingRecord(node);
    if (!info && !missing) continue;
    const nodeNumber = numericId(id, fallback);
    const meta = (node._meta ?? {}) as Record<string, unknown> & {
      pos?: [number, number];
      size?: [number, number];
      title?: string;
      collapsed?: boolean;
      mode?: number;
      controls?: Record<string, string>;
    };
    const linkFrom = (value: [string | number, number], target: number, targetSlot: number, type: string): number => {
      const source = ownValue(prompt, String(value[0]));
      const sourceInfo = source ? ownValue(objectInfo, source.class_type) : undefined;
      const outputType =
        boundary && String(value[0]) === SUBGRAPH_INPUT_ID
          ? (boundary.inputs[value[1]]?.type ?? type)
          : sourceInfo
            ? (sourceInfo.output[value[1]] ?? type)
            : (missingRecord(source)?.outputs[value[1]]?.type ?? type);
      const link = {
        id: links.length + 1,
        origin: numericId(String(value[0]), fallback),
        originSlot: value[1],
        target,
        targetSlot,
        type: outputType,
      };
      links.push(link);
      return link.id;
    };
    // What every litegraph node has, known type or missing.
    const frame = (size: [number, number]) => ({
      id: nodeNumber,
      type: node.class_type,
      pos: meta.pos ?? [order * 320, 0],
      size,
      flags: meta.collapsed ? { collapsed: true } : {},
      order: order++,
      mode: meta.mode ?? 0,
    });
    if (!info) {
      const record = missing!;
      const outputs: LiteOutput[] = record.outputs.map((output, slot) => ({
        ...output,
        name: output.name ?? output.type ?? '',
        type: output.type ?? '*',
        links: [],
        slot_index: slot,
      }));
      outputsOf.push([nodeNumber, outputs]);
      lastNodeId = Math.max(lastNodeId, nodeNumber);
      nodes.push({
        ...frame(record.size ?? meta.size ?? [300, 160]),
        inputs: record.inputs.map((input, slot) => {
          const value = node.inputs[input.name];
          return {
            ...input,
            link: isLink(value) ? linkFrom(value, nodeNumber, slot, input.type ?? '*') : null,
          };
        }),
        outputs,
        properties: record.properties ?? {},
        widgets_values: record.widgets_values ?? [],
        ...(meta.title && meta.title !== node.class_type ? { title: meta.title } : {}),
      });
      continue;
    }
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
        const link = linkFrom(value, nodeNumber, inputs.length, type);
        inputs.push({ name, type, link, ...(widget ? { widget: { name } } : {}) });
      } else if (!widget) {
        inputs.push({ name, type, link: null });
      }
      if (widget) {
        widgetValues.push(isLink(value) ? (spec[1]?.default ?? null) : (value ?? spec[1]?.default ?? null));
        if (type === 'INT' && (spec[1]?.control_after_generate || name === 'seed' || name === 'noise_seed'))
          widgetValues.push(meta.controls?.[name] ?? 'randomize');
      }
    }
    // Their links are filled in once every link exists.
    const outputs: LiteOutput[] = info.output.map((type, slot) => ({
      name: info.output_name[slot] ?? type,
      type,
      links: [],
      slot_index: slot,
    }));
    outputsOf.push([nodeNumber, outputs]);
    lastNodeId = Math.max(lastNodeId, nodeNumber);
    nodes.push({
      ...frame(meta.size ?? [300, 160]),
      inputs,
      outputs,
      properties: { 'Node name for S&R': node.class_type },
      widgets_values: widgetValues,
      ...(meta.title && meta.title !== info.display_name ? { title: meta.title } : {}),
    });
  }
  boundary?.outputs.forEach((output, slot) => {
    if (!output.link) return;
    links.push({
      id: links.length + 1,
      origin: numericId(output.link[0], fallback),
      originSlot: output.link[1],
      target: OUTPUT_NODE,
      targetSlot: slot,
      type: output.type,
    });
  });
  // Outputs were listed before every link existed: fill them in now, from an index (a search per output would take
  // nodes × links).
  const linksFrom = new Map<string, number[]>();
  for (const link of links) {
    const key = `${link.origin}:${link.originSlot}`;
    const list = linksFrom.get(key);
    if (list) list.push(link.id);
    else linksFrom.set(key, [link.id]);
  }
  for (const [nodeNumber, outputs] of outputsOf) {
    for (const output of outputs) output.links = linksFrom.get(`${nodeNumber}:${output.slot_index}`) ?? [];
  }
  return { nodes, links, lastNodeId };
}

/** A subgraph as ComfyUI's `definitions.subgraphs` holds it: a version 1 graph with its boundary and slots. */
function exportDefinition(definition: SubgraphDefinition, objectInfo: ObjectInfo): Record<string, unknown> {
  const { nodes, links, lastNodeId } = exportGraph(definition.nodes, objectInfo, definition);
  const linkIds = (matches: (link: LiteLink) => boolean): number[] => links.filter(matches).map((link) => link.id);
  const [inputX, inputY] = definition.inputPos ?? [0, 0];
  const [outputX, outputY] = definition.outputPos ?? [600, 0];
  return {
    id: definition.id,
    version: 1,
    state: { lastGroupId: 0, lastNodeId, lastLinkId: links.length, lastRerouteId: 0 },
    revision: 0,
    config: {},
    name: definition.name,
    ...(definition.category !== undefined ? { category: definition.category } : {}),
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    inputNode: { id: INPUT_NODE, bounding: [inputX, inputY, 120, 60] },
    outputNode: { id: OUTPUT_NODE, bounding: [outputX, outputY, 120, 60] },
    inputs: definition.inputs.map((input, slot) => ({
      id: input.id,
      name: input.name,
      type: input.type,
      linkIds: linkIds((link) => link.origin === INPUT_NODE && link.originSlot === slot),
    })),
    outputs: definition.outputs.map((output, slot) => ({
      id: output.id,
      name: output.name,
      type: output.type,
      linkIds: linkIds((link) => link.target === OUTPUT_NODE && link.targetSlot === slot),
    })),
    widgets: [],
    nodes,
    groups: (definition.groups ?? []).map((group) => ({
      title: group.title,
      bounding: group.bounding,
      ...(group.color ? { color: group.color } : {}),
    })),
    links: links.map((link) => ({
      id: link.id,
      origin_id: link.origin,
      origin_slot: link.originSlot,
      target_id: link.target,
      target_slot: link.targetSlot,
      type: link.type,
    })),
    extra: {},
  };
}

export function toLitegraph(envelope: WorkflowEnvelope, objectInfo: ObjectInfo): Record<string, unknown> {
  const definitions = definitionsOf(envelope);
  // Instances are nodes whose type is their subgraph's id, with its inputs and outputs as their slots.
  const types = withSubgraphTypes(objectInfo, definitions);
  const { nodes, links, lastNodeId } = exportGraph(envelope.prompt, types);
  return {
    last_node_id: lastNodeId,
    last_link_id: links.length,
    nodes,
    links: links.map((link) => [link.id, link.origin, link.originSlot, link.target, link.targetSlot, link.type]),
    groups: envelope.groups.map((group) => ({
      title: group.title,
      bounding: group.bounding,
      ...(group.color ? { color: group.color } : {}),
    })),
    config: {},
    extra: {
      ds: { scale: envelope.viewport?.zoom ?? 1, offset: [envelope.viewport?.x ?? 0, envelope.viewport?.y ?? 0] },
    },
    ...(definitions.length > 0
      ? { definitions: { subgraphs: definitions.map((definition) => exportDefinition(definition, types)) } }
      : {}),
    version: 0.4,
  };
}
