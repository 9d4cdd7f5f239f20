import { inputSpecType, isWidgetType, type InputSpec, type ObjectInfo } from './node-spec.js';
import { ownValue } from './own-property.js';
import { err, ok, type Result } from './result.js';
import { pair, type LinkRecord, type LinkTuple, type LiteNode } from './litegraph-types.js';

/**
 * Legacy group nodes (ComfyUI frontend's groupNode.ts, before subgraphs): `extra.groupNodes[name]` holds the inner
 * nodes, their links by inner index and the outputs used outside; an instance is a node of type `workflow>name` (older
 * `workflow/name`) whose widgets, inputs and outputs are the inner ones the group exposes. Expanded here as the
 * frontend's getInnerNodes does when it queues: inner node `i` of instance `g` becomes node `g:i`, the instance's
 * widget values go to the widgets they stand for, its input and output links to the inner slots. Pure.
 */

/** `[origin index, origin slot, target index, target slot, origin id, type]`; origin null for links from outside. */
type InnerLink = [number | null, number, number, number, ...unknown[]];

interface GroupDefinition {
  nodes: LiteNode[];
  links: InnerLink[];
  external?: [number, number, string][];
  config?: Record<
    string,
    {
      input?: Record<string, { name?: string; visible?: boolean }>;
      output?: Record<string, { name?: string; visible?: boolean }>;
    }
  >;
}

/** A widget of the group: which inner widget it stands for and which extra values follow it in widgets_values. */
interface GroupWidget {
  name: string;
  node: number;
  input: string;
  control: boolean;
  upload: boolean;
}

interface GroupInput {
  name: string;
  node: number;
  slot: number;
}

interface GroupLayout {
  widgets: GroupWidget[];
  inputs: GroupInput[];
  outputs: { node: number; slot: number }[];
}

const PREFIX = /^workflow[>/]/;
/** Types the frontend registers itself; every other inner type must be one the server has. */
const FRONTEND_TYPES = new Set(['Reroute', 'Note', 'MarkdownNote', 'PrimitiveNode']);

function isDefinition(value: unknown): value is GroupDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as GroupDefinition).nodes) &&
    Array.isArray((value as GroupDefinition).links)
  );
}

/**
 * Whether a control value ("fixed", "randomize", …) follows the widget: the frontend adds one to number and combo
 * widgets asking for control_after_generate, which its getInputConfig also asks for on every seed and noise_seed.
 */
function hasControl(spec: InputSpec, name: string): boolean {
  const type = inputSpecType(spec);
  return (
    (type === 'INT' || type === 'FLOAT' || type === 'COMBO') &&
    (Boolean(spec[1]?.control_after_generate) || name === 'seed' || name === 'noise_seed')
  );
}

/** What the frontend's GroupNodeConfig.registerType works out: the group's widgets, inputs and outputs in order. */
function layoutOf(definition: GroupDefinition, objectInfo: ObjectInfo): GroupLayout {
  const linksFrom = new Map<number, Map<number, InnerLink[]>>();
  const linksTo = new Map<number, Map<number, InnerLink>>();
  for (const link of definition.links) {
    const [origin, originSlot, target, targetSlot] = link;
    if (origin === null || origin === undefined) continue;
    const from = linksFrom.get(origin) ?? new Map<number, InnerLink[]>();
    linksFrom.set(origin, from);
    from.set(originSlot, [...(from.get(originSlot) ?? []), link]);
    const to = linksTo.get(target) ?? new Map<number, InnerLink>();
    linksTo.set(target, to);
    to.set(targetSlot, link);
  }
  const external = new Set((definition.external ?? []).map(([node, slot]) => `${node}:${slot}`));
  const seen = new Map<string, number>();
  // The frontend's getInputConfig: a repeated name (or a titled PrimitiveNode's) gets the node's title or type before it.
  const nameOf = (node: LiteNode, index: number, input: string): string => {
    const custom = definition.config?.[index]?.input?.[input]?.name;
    let name = custom ?? node.inputs?.find((slot) => slot.name === input)?.label ?? input;
    let key = name;
    if ((node.type === 'PrimitiveNode' && node.title) || seen.has(name)) {
      const prefix = `${node.title ?? node.type} `;
      key = name = `${prefix}${input}`;
      if (seen.has(name)) name = `${prefix}${seen.get(name)} ${input}`;
    }
    seen.set(key, (seen.get(key) ?? 1) + 1);
    return name;
  };

  const layout: GroupLayout = { widgets: [], inputs: [], outputs: [] };
  const converted: (() => void)[] = [];
  definition.nodes.forEach((node, index) => {
    let specs: [string, InputSpec][];
    let outputCount: number;
    const info = ownValue(objectInfo, node.type);
    const from = linksFrom.get(index);
    if (info) {
      const all = { ...info.input.required, ...(info.input.optional ?? {}) };
      specs = [...info.input_order.required, ...(info.input_order.optional ?? [])].map((name) => [name, all[name]!]);
      outputCount = info.output.length;
    } else if (node.type === 'PrimitiveNode') {
      // An unlinked primitive is skipped; a linked one is a `value` widget of its link's type, with a control.
      const first = from?.get(0)?.[0];
      if (!first) return;
      const type = typeof first[5] === 'string' ? first[5] : 'STRING';
      specs = [['value', [type, { control_after_generate: true }]]];
      outputCount = 1;
    } else if (node.type === 'Reroute') {
      // A reroute used inside the group only is skipped; one at its edge is a socket and an output.
      if (linksTo.get(index) && from && !external.has(`${index}:0`)) return;
      specs = [['*', ['*', { forceInput: true }]]];
      outputCount = 1;
    } else return;

    const slots: string[] = [];
    const convertedAt = new Map<number, string>();
    for (const [name, spec] of specs) {
      const type = inputSpecType(spec);
      if (!isWidgetType(type) || spec[1]?.forceInput) {
        slots.push(name);
        continue;
      }
      const at = node.inputs?.findIndex((slot) => slot.name === name && slot.widget?.name === name) ?? -1;
      if (at > -1) {
        convertedAt.set(at, name);
        continue;
      }
      layout.widgets.push({
        name: nameOf(node, index, name),
        node: index,
        input: name,
        control: hasControl(spec, name),
        upload: Boolean(spec[1]?.image_upload),
      });
    }
    const to = linksTo.get(index);
    slots.forEach((name, slot) => {
      if (to?.has(slot)) return;
      const groupName = nameOf(node, index, name);
      if (definition.config?.[index]?.input?.[name]?.visible === false) return;
      layout.inputs.push({ name: groupName, node: index, slot });
    });
    // Converted widgets come after every node's own, in the order the frontend sorts them (as strings).
    converted.push(() => {
      const order = [...convertedAt.keys()].sort();
      order.forEach((key, offset) => {
        const name = convertedAt.get(key)!;
        const slot = slots.length + offset;
        if (to?.has(slot)) return;
        const groupName = nameOf(node, index, name);
        const spec = specs.find(([input]) => input === name)![1];
        layout.widgets.push({
          name: groupName,
          node: index,
          input: name,
          control: hasControl(spec, name),
          upload: false,
        });
        layout.inputs.push({ name: groupName, node: index, slot });
      });
    });
    for (let slot = 0; slot < outputCount; slot++) {
      const linkedInside = Boolean(from?.get(slot)?.length) && !external.has(`${index}:${slot}`);
      if (definition.config?.[index]?.output?.[slot]?.visible ?? !linkedInside)
        layout.outputs.push({ node: index, slot });
    }
  });
  for (const run of converted) run();
  return layout;
}

function linkEnds(link: LinkRecord): { id: number; origin: string; slot: number } {
  return Array.isArray(link)
    ? { id: Number(link[0]), origin: String(link[1]), slot: Number(link[2]) }
    : { id: Number(link.id), origin: String(link.origin_id), slot: Number(link.origin_slot) };
}

export interface ExpandedGroups {
  nodes: LiteNode[];
  links: LinkRecord[];
  /** Group types left as they were, each with the inner types the server lacks. */
  unexpanded: { type: string; missing: string[] }[];
}

/** The graph with every legacy group node instance replaced by its inner nodes (see the file's comment). */
export function expandGroupNodes(
  nodes: readonly LiteNode[],
  links: readonly LinkRecord[],
  groupNodes: unknown,
  objectInfo: ObjectInfo,
): Result<ExpandedGroups> {
  const definitions = typeof groupNodes === 'object' && groupNodes !== null ? groupNodes : {};
  const definitionOf = (type: string): GroupDefinition | undefined => {
    if (!PREFIX.test(type)) return undefined;
    const definition = ownValue(definitions as Record<string, unknown>, type.slice('workflow>'.length));
    return isDefinition(definition) ? definition : undefined;
  };
  const instances = new Map<string, { node: LiteNode; definition: GroupDefinition; layout: GroupLayout }>();
  const unexpanded = new Map<string, string[]>();
  const layouts = new Map<GroupDefinition, GroupLayout>();
  for (const node of nodes) {
    const definition = definitionOf(node.type);
    if (!definition) continue;
    // The frontend registers no group whose inner types are missing: its instances are missing nodes themselves.
    const missing = [
      ...new Set(
        definition.nodes
          .map((inner) => inner.type)
          .filter((type) => !FRONTEND_TYPES.has(type) && !ownValue(objectInfo, type)),
      ),
    ];
    if (missing.length > 0) {
      unexpanded.set(node.type, missing);
      continue;
    }
    if (node.mode === 4)
      return err(`this workflow cannot be read: the group node ${node.id} (${node.type}) is bypassed`);
    const layout = layouts.get(definition) ?? layoutOf(definition, objectInfo);
    layouts.set(definition, layout);
    instances.set(String(node.id), { node, definition, layout });
  }
  if (instances.size === 0)
    return ok({
      nodes: [...nodes],
      links: [...links],
      unexpanded: [...unexpanded].map(([type, missing]) => ({ type, missing })),
    });

  const innerId = (instance: string, index: number): string => `${instance}:${index}`;
  let nextLink = links.reduce((max, link) => Math.max(max, linkEnds(link).id), 0) + 1;
  const outLinks: LinkTuple[] = [];
  // Outer links keep their ids; one from an instance's output starts at the inner node it stands for.
  for (const link of links) {
    const { id, origin, slot } = linkEnds(link);
    const tuple: LinkTuple = Array.isArray(link)
      ? [...link]
      : [id, origin, slot, link.target_id ?? '', link.target_slot ?? 0, link.type ?? '*'];
    const instance = instances.get(origin);
    const output = instance?.layout.outputs[slot];
    if (instance && output) {
      tuple[1] = innerId(origin, output.node);
      tuple[2] = output.slot;
    }
    outLinks.push(tuple);
  }

  const outNodes: LiteNode[] = [];
  for (const node of nodes) {
    const instance = instances.get(String(node.id));
    if (!instance) {
      outNodes.push(node);
      continue;
    }
    const { definition, layout } = instance;
    const id = String(node.id);
    const inner: LiteNode[] = definition.nodes.map((child, index) => ({
      ...child,
      id: innerId(id, index),
      inputs: (child.inputs ?? []).map((slot) => ({ ...slot, link: null })),
      ...(node.mode === 2 ? { mode: 2 } : {}),
    }));
    for (const [origin, originSlot, target, targetSlot, , type] of definition.links) {
      if (origin === null || origin === undefined || !inner[target]?.inputs?.[targetSlot]) continue;
      const linkId = nextLink++;
      inner[target].inputs[targetSlot].link = linkId;
      outLinks.push([
        linkId,
        innerId(id, origin),
        originSlot,
        innerId(id, target),
        targetSlot,
        typeof type === 'string' ? type : '*',
      ]);
    }
    layout.inputs.forEach((input, index) => {
      const outer = node.inputs?.find((slot) => slot.name === input.name) ?? node.inputs?.[index];
      const slot = inner[input.node]?.inputs?.[input.slot];
      if (!slot || outer?.link === null || outer?.link === undefined) return;
      slot.link = outer.link;
      const tuple = outLinks.find((link) => link[0] === outer.link);
      if (tuple) {
        tuple[3] = innerId(id, input.node);
        tuple[4] = input.slot;
      }
    });
    // The instance's widget values, in its widget order (a seed's control value and an upload button's after it).
    const values = Array.isArray(node.widgets_values) ? [...node.widgets_values] : undefined;
    const named = !Array.isArray(node.widgets_values) ? node.widgets_values : undefined;
    const overrides = new Map<number, Record<string, unknown>>();
    for (const widget of layout.widgets) {
      const value = values ? values.shift() : named ? ownValue(named, widget.name) : undefined;
      if (values && widget.control) values.shift();
      if (values && widget.upload && values[0] === 'image') values.shift();
      if (value === undefined) continue;
      const target = inner[widget.node]!;
      if (target.type === 'PrimitiveNode') {
        const own = Array.isArray(target.widgets_values) ? [...target.widgets_values] : [];
        own[0] = value;
        target.widgets_values = own;
      } else overrides.set(widget.node, { ...overrides.get(widget.node), [widget.input]: value });
    }
    // Inner positions keep their shape, their top left corner moved to the instance's position.
    const positions = inner.map((child) => pair(child.pos)).filter((pos) => pos !== undefined);
    const at = pair(node.pos) ?? [0, 0];
    const left = Math.min(...positions.map((pos) => pos[0]));
    const top = Math.min(...positions.map((pos) => pos[1]));
    inner.forEach((child, index) => {
      const pos = pair(child.pos);
      outNodes.push({
        ...child,
        ...(pos ? { pos: [pos[0] - left + at[0], pos[1] - top + at[1]] } : {}),
        ...(overrides.has(index) ? { widgetOverrides: overrides.get(index) } : {}),
      });
    });
  }
  return ok({
    nodes: outNodes,
    links: outLinks,
    unexpanded: [...unexpanded].map(([type, missing]) => ({ type, missing })),
  });
}
