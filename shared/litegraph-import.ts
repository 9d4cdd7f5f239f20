import { z } from 'zod';
import { inputSpecType, isWidgetType, type InputSpec, type ObjectInfo } from './node-spec.js';
import { expandGroupNodes } from './litegraph-group-nodes.js';
import { pair, type LinkRecord, type LiteNode } from './litegraph-types.js';
import { ownValue } from './own-property.js';
import { err, ok, type Result } from './result.js';
import { nextUniqueName } from './subgraph.js';
import {
  WORKFLOW_FORMAT,
  WORKFLOW_VERSION,
  type ApiPrompt,
  type SubgraphDefinition as SubgraphDefinitionDocument,
  type SubgraphSlot,
  type WorkflowEnvelope,
} from './workflow.js';

/**
 * A ComfyUI UI-format (litegraph 0.4 or 1) workflow as an Inkgraph document: widget values mapped to inputs in
 * ComfyUI's widget order (skipping the seed control and upload widgets; missing values take the input's default),
 * links resolved through Reroute nodes, PrimitiveNode values folded into the widgets they feed, Note/MarkdownNote
 * dropped, subgraphs and legacy group nodes expanded, muted/bypassed modes and layout kept. Pure; unknown node types
 * are all named in the reason, or kept as `_meta.missing` where the caller asks.
 */

/**
 * A node whose type Inkgraph does not have, kept under `_meta.missing` so the editor can show it and save it back as
 * it came: ComfyUI's frontend keeps such nodes as placeholders with all their serialised fields.
 */
export interface MissingNodeRecord {
  readonly inputs: { name: string; type?: string; widget?: { name: string } }[];
  readonly outputs: { name?: string; type?: string }[];
  readonly widgets_values?: unknown[] | Record<string, unknown>;
  readonly properties?: Record<string, unknown>;
  /** ComfyUI's size of it: the editor draws it its own size, and saves this one back. */
  readonly size?: [number, number];
}

/** True for what `_meta.missing` holds when an import kept a node of an unknown type. */
export function isMissingNodeRecord(value: unknown): value is MissingNodeRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Partial<MissingNodeRecord>).inputs) &&
    Array.isArray((value as Partial<MissingNodeRecord>).outputs)
  );
}

export interface LitegraphImportOptions {
  /** Keep nodes of unknown types (as `_meta.missing`) instead of refusing the workflow; the editor asks for this. */
  readonly keepMissing?: boolean;
  /**
   * Keep subgraphs as subgraphs: their definitions go to the document's `definitions.subgraphs` and instances stay
   * nodes (as the editor shows them); without it they are expanded to `instance:inner` nodes (what runs).
   */
  readonly keepSubgraphs?: boolean;
}

/** Nodes that ComfyUI's frontend never sends: they only shape the graph or, for PrimitiveNode, a widget value. */
const FRONTEND_ONLY = new Set(['Reroute', 'Note', 'MarkdownNote', 'PrimitiveNode']);

/**
 * The value a widget starts with before `widgets_values` is applied, so a short or missing array leaves the rest at
 * these (as the frontend's widgets start: the spec's default, else a combo's first option, 0, false, '').
 */
function widgetDefault(spec: InputSpec, type: string): unknown {
  const options = spec[1] ?? {};
  if (options.default !== undefined) return options.default;
  if (Array.isArray(spec[0])) return spec[0][0];
  // The frontend's getNumberDefaults: a number without a default starts at 0 (not at its min).
  if (type === 'INT' || type === 'FLOAT') return 0;
  if (type === 'BOOLEAN') return false;
  return '';
}

interface LiteGraph {
  nodes: LiteNode[];
  links: LinkRecord[];
  definitions?: { subgraphs?: SubgraphDefinition[] };
}

/** A subgraph as `definitions.subgraphs` holds it: a graph of its own; instances are nodes whose type is its id. */
interface SubgraphDefinition extends Partial<LiteGraph> {
  id: string;
  name?: unknown;
  category?: unknown;
  description?: unknown;
  inputs?: unknown;
  outputs?: unknown;
  inputNode?: unknown;
  outputNode?: unknown;
  groups?: unknown;
}

/** Litegraph's ids for a subgraph's boundary: links from its inputs start at one, links to its outputs end at the other. */
const SUBGRAPH_INPUT = '-10';
const SUBGRAPH_OUTPUT = '-20';

interface Origin {
  origin: string;
  slot: number;
}

interface LinkParts extends Origin {
  target: string | undefined;
  targetSlot: number | undefined;
}

function linkParts(link: LinkRecord): [number, LinkParts] {
  if (Array.isArray(link))
    return [
      Number(link[0]),
      { origin: String(link[1]), slot: Number(link[2]), target: String(link[3]), targetSlot: Number(link[4]) },
    ];
  return [
    Number(link.id),
    {
      origin: String(link.origin_id),
      slot: Number(link.origin_slot),
      target: link.target_id === undefined ? undefined : String(link.target_id),
      targetSlot: link.target_slot === undefined ? undefined : Number(link.target_slot),
    },
  ];
}

interface Level {
  path: string[];
  links: Map<number, LinkParts>;
  byId: Map<string, LiteNode>;
  instance?: { node: LiteNode; level: Level };
}

/**
 * The graph with its subgraph instances expanded, as the frontend's ExecutableNodeDTO walks it: an inner node's id
 * is the instance path joined by ':' (`12:5`), links are resolved across the subgraph boundary, and an unlinked
 * instance input passes its promoted widget's value (stood in for by a PrimitiveNode, which the import folds).
 * Node ids stay as they were for graphs without subgraphs; links get new ids.
 */
/** Every well-formed subgraph definition in the graph and, nested, in theirs; the first of an id wins. */
function collectDefinitions(root: Partial<LiteGraph>): Map<string, SubgraphDefinition> {
  const definitions = new Map<string, SubgraphDefinition>();
  const collect = (graph: Partial<LiteGraph>): void => {
    const listed: unknown = graph.definitions?.subgraphs;
    for (const definition of Array.isArray(listed) ? (listed as SubgraphDefinition[]) : [])
      if (
        typeof definition === 'object' &&
        definition !== null &&
        typeof definition.id === 'string' &&
        Array.isArray(definition.nodes) &&
        (definition.links === undefined || Array.isArray(definition.links)) &&
        !definitions.has(definition.id)
      ) {
        definitions.set(definition.id, definition);
        collect(definition);
      }
  };
  collect(root);
  return definitions;
}

function flatten(root: LiteGraph): Result<{ nodes: LiteNode[]; links: Map<number, Origin> }> {
  const definitions = collectDefinitions(root);
  const levels = new Map<string, Level>();
  const pending: { node: LiteNode; level: Level; muted: boolean; offset: [number, number] }[] = [];
  const expand = (
    graph: Partial<LiteGraph>,
    path: string[],
    instance: Level['instance'],
    stack: string[],
    muted: boolean,
    offset: [number, number],
  ): string | undefined => {
    const level: Level = {
      path,
      links: new Map((graph.links ?? []).map(linkParts)),
      byId: new Map((graph.nodes ?? []).map((node) => [String(node.id), node])),
      ...(instance ? { instance } : {}),
    };
    levels.set(path.join(':'), level);
    for (const node of graph.nodes ?? []) {
      const definition = definitions.get(node.type);
      if (!definition) {
        pending.push({ node, level, muted, offset });
        continue;
      }
      if (stack.includes(definition.id)) return `the subgraph "${definition.id}" contains itself`;
      // Passing a whole subgraph's inputs through to its outputs is not something the document can say yet.
      if (node.mode === 4) return `the subgraph node ${[...path, String(node.id)].join(':')} is bypassed`;
      const pos = pair(node.pos) ?? [0, 0];
      const failed = expand(
        definition,
        [...path, String(node.id)],
        { node, level },
        [...stack, definition.id],
        muted || node.mode === 2,
        [offset[0] + pos[0], offset[1] + pos[1]],
      );
      if (failed) return failed;
    }
    return undefined;
  };
  const failed = expand(root, [], undefined, [], false, [0, 0]);
  if (failed) return err(`this workflow cannot be read: ${failed}`);

  const nodes: LiteNode[] = [];
  const standIns = new Set<string>();
  const resolve = (level: Level, linkId: number | null | undefined, steps = 0): Origin | undefined => {
    if (linkId === null || linkId === undefined || steps > 10_000) return undefined;
    const link = level.links.get(Number(linkId));
    if (!link) return undefined;
    if (level.instance && link.origin === SUBGRAPH_INPUT) {
      const { node: instance, level: outer } = level.instance;
      const input = instance.inputs?.[link.slot];
      if (input && input.link !== null && input.link !== undefined) return resolve(outer, input.link, steps + 1);
      // The instance's widgets are its inputs that carry one, in input order; its widgets_values follow them.
      const index = (instance.inputs ?? []).slice(0, link.slot).filter((slot) => slot.widget).length;
      const value =
        input?.widget && Array.isArray(instance.widgets_values) ? instance.widgets_values[index] : undefined;
      if (value === undefined) return undefined;
      const id = [...level.path, SUBGRAPH_INPUT, String(link.slot)].join(':');
      if (!standIns.has(id)) {
        standIns.add(id);
        nodes.push({ id, type: 'PrimitiveNode', widgets_values: [value] });
      }
      return { origin: id, slot: 0 };
    }
    const origin = level.byId.get(link.origin);
    const inner =
      origin && definitions.has(origin.type) ? levels.get([...level.path, link.origin].join(':')) : undefined;
    if (inner) {
      const output = [...inner.links].find(([, l]) => l.target === SUBGRAPH_OUTPUT && l.targetSlot === link.slot);
      return output ? resolve(inner, output[0], steps + 1) : undefined;
    }
    return { origin: [...level.path, link.origin].join(':'), slot: link.slot };
  };

  const links = new Map<number, Origin>();
  for (const { node, level, muted, offset } of pending) {
    const inputs = node.inputs?.map((input) => {
      const origin = resolve(level, input.link);
      if (!origin) return { ...input, link: null };
      const id = links.size + 1;
      links.set(id, origin);
      return { ...input, link: id };
    });
    const pos = pair(node.pos);
    nodes.push({
      ...node,
      id: level.path.length === 0 ? node.id : [...level.path, String(node.id)].join(':'),
      ...(inputs ? { inputs } : {}),
      ...(muted ? { mode: 2 } : {}),
      ...(pos && level.path.length > 0 ? { pos: [pos[0] + offset[0], pos[1] + offset[1]] } : {}),
    });
  }
  return ok({ nodes, links });
}

function layoutOf(node: LiteNode): Record<string, unknown> {
  const pos = pair(node.pos);
  const size = pair(node.size);
  const mode = node.mode === 2 || node.mode === 4 ? node.mode : undefined;
  return {
    ...(pos ? { pos } : {}),
    ...(size ? { size } : {}),
    ...(node.flags?.collapsed ? { collapsed: true } : {}),
    ...(mode !== undefined ? { mode } : {}),
  };
}

/**
 * A node of an unknown type as a prompt entry: its linked inputs as links (by input name, through Reroutes), its
 * serialised slots, widget values and properties under `_meta.missing`.
 */
function missingNode(
  node: LiteNode,
  source: (linkId: number | null | undefined) => [string, number] | undefined,
): ApiPrompt[string] {
  const inputs: Record<string, unknown> = {};
  for (const input of node.inputs ?? []) {
    const linked = source(input.link);
    if (linked && input.name !== '__proto__') inputs[input.name] = linked;
  }
  const missing: MissingNodeRecord = {
    inputs: (node.inputs ?? []).map(({ name, type, widget }) => ({
      name,
      ...(type !== undefined ? { type } : {}),
      ...(widget ? { widget } : {}),
    })),
    outputs: (node.outputs ?? []).map(({ name, type }) => ({
      ...(name !== undefined ? { name } : {}),
      ...(type !== undefined ? { type } : {}),
    })),
    ...(node.widgets_values !== undefined ? { widgets_values: node.widgets_values } : {}),
    ...(node.properties !== undefined ? { properties: node.properties } : {}),
    ...(pair(node.size) ? { size: pair(node.size) } : {}),
  };
  return { class_type: node.type, inputs, _meta: { title: node.title ?? node.type, ...layoutOf(node), missing } };
}

export function isLitegraphWorkflow(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    Array.isArray((json as { nodes?: unknown }).nodes) &&
    Array.isArray((json as { links?: unknown }).links)
  );
}

/** A definition's inputs or outputs as the document keeps them: string ids, unique names (litegraph's dedupe), types. */
function slotsOf(listed: unknown, kind: string): SubgraphSlot[] {
  const slots: SubgraphSlot[] = [];
  (Array.isArray(listed) ? (listed as unknown[]) : []).forEach((raw, index) => {
    const slot = (typeof raw === 'object' && raw !== null ? raw : {}) as {
      id?: unknown;
      name?: unknown;
      type?: unknown;
    };
    const name = typeof slot.name === 'string' && slot.name.length > 0 ? slot.name : `${kind}_${index}`;
    slots.push({
      id: typeof slot.id === 'string' && slot.id.length > 0 ? slot.id : `${kind}-${index}`,
      name: nextUniqueName(
        name,
        slots.map((other) => other.name),
      ),
      type: typeof slot.type === 'string' && slot.type.length > 0 ? slot.type : '*',
    });
  });
  return slots;
}

interface GraphToConvert {
  nodes: LiteNode[];
  links: Map<number, Origin>;
  definition?: SubgraphDefinition;
}

export function fromLitegraph(
  json: unknown,
  objectInfo: ObjectInfo,
  options: LitegraphImportOptions = {},
): Result<WorkflowEnvelope> {
  if (!isLitegraphWorkflow(json)) return err('not a ComfyUI UI-format workflow');
  const graph = json as LiteGraph & {
    groups?: { title: string; bounding: number[] }[];
    extra?: { groupNodes?: Record<string, unknown> };
  };
  const expanded = expandGroupNodes(graph.nodes, graph.links, graph.extra?.groupNodes, objectInfo);
  if (!expanded.ok) return expanded;
  const root: LiteGraph = { ...graph, nodes: expanded.value.nodes, links: expanded.value.links };
  const definitions = options.keepSubgraphs ? collectDefinitions(root) : new Map<string, SubgraphDefinition>();
  let graphs: GraphToConvert[];
  if (options.keepSubgraphs) {
    graphs = [
      { nodes: root.nodes, links: new Map(root.links.map(linkParts)) },
      ...[...definitions.values()].map((definition) => ({
        nodes: definition.nodes ?? [],
        links: new Map((definition.links ?? []).map(linkParts)),
        definition,
      })),
    ];
  } else {
    const flat = flatten(root);
    if (!flat.ok) return flat;
    graphs = [{ nodes: flat.value.nodes, links: flat.value.links }];
  }
  const nodes = graphs.flatMap((each) => each.nodes);
  const unknown = [
    ...new Set(
      nodes
        .filter(
          (node) => !FRONTEND_ONLY.has(node.type) && !ownValue(objectInfo, node.type) && !definitions.has(node.type),
        )
        .map((node) => node.type),
    ),
  ];
  // Legacy group nodes left unexpanded (their inner types are missing) are named with those types.
  const unexpanded = new Map(expanded.value.unexpanded.map((group) => [group.type, group.missing]));
  const grouped = unknown.filter((type) => unexpanded.has(type));
  const missing = unknown.filter((type) => !unexpanded.has(type));
  const reasons = options.keepMissing
    ? []
    : [
        ...(missing.length > 0 ? [`this workflow uses node types Inkgraph does not have: ${missing.join(', ')}`] : []),
        ...(grouped.length > 0
          ? [
              'this workflow uses legacy group nodes holding node types Inkgraph does not have: ' +
                grouped.map((type) => `${type} (${unexpanded.get(type)!.join(', ')})`).join(', '),
            ]
          : []),
      ];
  if (reasons.length > 0) return err(reasons.join('; '));
  // As a key it would set the prompt's prototype; the prompt schema refuses it for the same reason.
  if (nodes.some((node) => String(node.id) === '__proto__'))
    return err(
      'this workflow has a node with the id "__proto__", which JavaScript objects reserve for their prototype',
    );

  const slots = new Map(
    [...definitions.values()].map((definition) => [
      definition.id,
      {
        name: typeof definition.name === 'string' ? definition.name : 'Subgraph',
        inputs: slotsOf(definition.inputs, 'input'),
        outputs: slotsOf(definition.outputs, 'output'),
      },
    ]),
  );
  const converted = graphs.map((each) => convertGraph(each.nodes, each.links, objectInfo, options, slots));
  const subgraphs = graphs.slice(1).map((each, index): SubgraphDefinitionDocument => {
    const definition = each.definition!;
    const { prompt, source } = converted[index + 1]!;
    const { inputs, outputs } = slots.get(definition.id)!;
    const toOutput = new Map<number, number>();
    for (const [id, link] of (definition.links ?? []).map(linkParts))
      if (link.target === SUBGRAPH_OUTPUT && link.targetSlot !== undefined) toOutput.set(link.targetSlot, id);
    const corner = (node: unknown): [number, number] | undefined => {
      const bounding: unknown =
        typeof node === 'object' && node !== null ? (node as { bounding?: unknown }).bounding : undefined;
      return Array.isArray(bounding) && typeof bounding[0] === 'number' && typeof bounding[1] === 'number'
        ? [bounding[0], bounding[1]]
        : undefined;
    };
    const innerGroups = groupsOf(definition.groups);
    const inputPos = corner(definition.inputNode);
    const outputPos = corner(definition.outputNode);
    return {
      id: definition.id,
      name: slots.get(definition.id)!.name,
      ...(typeof definition.category === 'string' ? { category: definition.category } : {}),
      ...(typeof definition.description === 'string' ? { description: definition.description } : {}),
      nodes: prompt,
      inputs,
      outputs: outputs.map((output, slot) => {
        const link = source(toOutput.get(slot));
        return link ? { ...output, link } : output;
      }),
      ...(inputPos ? { inputPos } : {}),
      ...(outputPos ? { outputPos } : {}),
      ...(innerGroups.length > 0 ? { groups: innerGroups } : {}),
    };
  });
  const groups = groupsOf(graph.groups);
  return ok({
    format: WORKFLOW_FORMAT,
    version: WORKFLOW_VERSION,
    prompt: converted[0]!.prompt,
    groups,
    reroutes: [],
    ...(subgraphs.length > 0 ? { definitions: { subgraphs } } : {}),
  });
}

/**
 * One graph's nodes as prompt entries (widget values to inputs, links through Reroutes, PrimitiveNodes folded);
 * a subgraph instance's inputs go by the subgraph's input names, an unlinked one keeping its widget's value.
 */
function convertGraph(
  nodes: readonly LiteNode[],
  links: ReadonlyMap<number, Origin>,
  objectInfo: ObjectInfo,
  options: LitegraphImportOptions,
  subgraphs: ReadonlyMap<string, { name: string; inputs: SubgraphSlot[] }>,
): { prompt: ApiPrompt; source: (linkId: number | null | undefined) => [string, number] | undefined } {
  const byId = new Map(nodes.map((node) => [String(node.id), node]));
  /** Follows a link back through Reroute nodes to the node that produces the value (a loop: chains are input). */
  const source = (linkId: number | null | undefined): [string, number] | undefined => {
    const seen = new Set<string>();
    for (let next = linkId; ;) {
      if (next === null || next === undefined) return undefined;
      const link = links.get(next);
      if (!link) return undefined;
      const origin = byId.get(link.origin);
      if (origin?.type !== 'Reroute' || seen.has(link.origin)) return [link.origin, link.slot];
      seen.add(link.origin);
      next = origin.inputs?.[0]?.link;
    }
  };

  const prompt: ApiPrompt = {};
  for (const node of nodes) {
    const subgraph = subgraphs.get(node.type);
    if (subgraph) {
      const inputs: Record<string, unknown> = {};
      (node.inputs ?? []).forEach((input, slot) => {
        const name = subgraph.inputs[slot]?.name;
        if (name === undefined) return;
        const linked = source(input.link);
        if (linked) {
          inputs[name] = linked;
          return;
        }
        // The instance's widgets are its inputs that carry one, in input order; its widgets_values follow them.
        const index = (node.inputs ?? []).slice(0, slot).filter((other) => other.widget).length;
        const value = input.widget && Array.isArray(node.widgets_values) ? node.widgets_values[index] : undefined;
        if (value !== undefined && value !== null) inputs[name] = value;
      });
      prompt[String(node.id)] = {
        class_type: node.type,
        inputs,
        _meta: { title: node.title ?? subgraph.name, ...layoutOf(node) },
      };
      continue;
    }
    const info = FRONTEND_ONLY.has(node.type) ? undefined : ownValue(objectInfo, node.type);
    if (!info) {
      if (options.keepMissing && !FRONTEND_ONLY.has(node.type)) prompt[String(node.id)] = missingNode(node, source);
      continue;
    }
    const inputs: Record<string, unknown> = {};
    const specs = { ...info.input.required, ...(info.input.optional ?? {}) };
    const values = Array.isArray(node.widgets_values) ? [...node.widgets_values] : [];
    const named = !Array.isArray(node.widgets_values) && node.widgets_values ? node.widgets_values : undefined;
    for (const name of [...info.input_order.required, ...(info.input_order.optional ?? [])]) {
      const spec = specs[name]!;
      const type = inputSpecType(spec);
      // A converted widget is an input slot that names the widget; newer frontends give every widget such a slot.
      const slot =
        node.inputs?.find((input) => input.widget?.name === name) ?? node.inputs?.find((input) => input.name === name);
      const linked = source(slot?.link);
      // A PrimitiveNode has no output at run time: its applyToGraph writes its first widget value into each target.
      const primitive = linked && byId.get(linked[0])?.type === 'PrimitiveNode' ? byId.get(linked[0]) : undefined;
      if (isWidgetType(type) && !spec[1]?.forceInput) {
        const listed = named ? ownValue(named, name) : values.shift();
        const own =
          node.widgetOverrides && Object.hasOwn(node.widgetOverrides, name) ? node.widgetOverrides[name] : listed;
        if (type === 'INT' && (spec[1]?.control_after_generate || name === 'seed' || name === 'noise_seed') && !named)
          values.shift();
        if (spec[1]?.image_upload && !named && values[0] === 'image') values.shift();
        const value = own === undefined ? widgetDefault(spec, type) : own;
        const fed = primitive && Array.isArray(primitive.widgets_values) ? primitive.widgets_values[0] : undefined;
        if (primitive) {
          if (fed !== undefined && fed !== null) inputs[name] = fed;
          else if (value !== null) inputs[name] = value;
        } else if (linked) inputs[name] = linked;
        else if (value !== null) inputs[name] = value;
      } else if (linked && !primitive) inputs[name] = linked;
    }
    const pos = pair(node.pos);
    const size = pair(node.size);
    const mode = node.mode === 2 || node.mode === 4 ? node.mode : undefined;
    prompt[String(node.id)] = {
      class_type: node.type,
      inputs,
      _meta: {
        title: node.title ?? info.display_name,
        ...(pos ? { pos } : {}),
        ...(size ? { size } : {}),
        ...(node.flags?.collapsed ? { collapsed: true } : {}),
        ...(mode !== undefined ? { mode } : {}),
      },
    };
  }
  return { prompt, source };
}

/** Litegraph's groups with a well-formed bounding box, as the document keeps them. */
function groupsOf(groups: unknown): { title: string; bounding: [number, number, number, number] }[] {
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((group: unknown) => {
    const parsed = liteGroupSchema.safeParse(group);
    return parsed.success ? [parsed.data] : [];
  });
}

const liteGroupSchema = z.object({
  title: z.string().catch(''),
  bounding: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});
