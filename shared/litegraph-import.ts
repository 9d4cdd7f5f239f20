import { inputSpecType, isWidgetType, type InputSpec, type ObjectInfo } from './node-spec.js';
import { ownValue } from './own-property.js';
import { err, ok, type Result } from './result.js';
import { WORKFLOW_FORMAT, WORKFLOW_VERSION, type ApiPrompt, type WorkflowEnvelope } from './workflow.js';

/**
 * A ComfyUI UI-format (litegraph 0.4 or 1) workflow as an Inkgraph document: widget values mapped to inputs in
 * ComfyUI's widget order (skipping the seed control and upload widgets; missing values take the input's default),
 * links resolved through Reroute nodes, PrimitiveNode values folded into the widgets they feed, Note/MarkdownNote
 * dropped, muted/bypassed modes and layout kept. Pure; unknown node types are all named in the reason.
 */

interface LiteNode {
  id: number | string;
  type: string;
  pos?: [number, number] | { 0: number; 1: number };
  size?: [number, number] | { 0: number; 1: number };
  mode?: number;
  title?: string;
  flags?: { collapsed?: boolean };
  inputs?: { name: string; link: number | null; widget?: { name: string } }[];
  widgets_values?: unknown[] | Record<string, unknown>;
}

/** Nodes that ComfyUI's frontend never sends: they only shape the graph or, for PrimitiveNode, a widget value. */
const FRONTEND_ONLY = new Set(['Reroute', 'Note', 'MarkdownNote', 'PrimitiveNode']);

/**
 * The value a widget starts with before `widgets_values` is applied, so a short or missing array leaves the rest at
 * these (the same rule as the editor's new nodes: the spec's default, else a combo's first option, min, false, '').
 */
function widgetDefault(spec: InputSpec, type: string): unknown {
  const options = spec[1] ?? {};
  if (options.default !== undefined) return options.default;
  if (Array.isArray(spec[0])) return spec[0][0];
  if (type === 'INT' || type === 'FLOAT') return options.min ?? 0;
  if (type === 'BOOLEAN') return false;
  return '';
}

type LinkTuple = [number, number | string, number, number | string, number, string];

function pair(value: unknown): [number, number] | undefined {
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'number') return [value[0], value[1]];
  if (typeof value === 'object' && value !== null && '0' in value && '1' in value)
    return [Number((value as Record<string, unknown>)['0']), Number((value as Record<string, unknown>)['1'])];
  return undefined;
}

export function isLitegraphWorkflow(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    Array.isArray((json as { nodes?: unknown }).nodes) &&
    Array.isArray((json as { links?: unknown }).links)
  );
}

export function fromLitegraph(json: unknown, objectInfo: ObjectInfo): Result<WorkflowEnvelope> {
  if (!isLitegraphWorkflow(json)) return err('not a ComfyUI UI-format workflow');
  const graph = json as {
    nodes: LiteNode[];
    links: (LinkTuple | { id: number; origin_id: number; origin_slot: number })[];
    groups?: { title: string; bounding: number[] }[];
  };
  const links = new Map<number, { origin: string; slot: number }>();
  for (const link of graph.links) {
    if (Array.isArray(link)) links.set(Number(link[0]), { origin: String(link[1]), slot: Number(link[2]) });
    else links.set(Number(link.id), { origin: String(link.origin_id), slot: Number(link.origin_slot) });
  }
  const byId = new Map(graph.nodes.map((node) => [String(node.id), node]));
  const unknown = [
    ...new Set(
      graph.nodes
        .filter((node) => !FRONTEND_ONLY.has(node.type) && !ownValue(objectInfo, node.type))
        .map((node) => node.type),
    ),
  ];
  if (unknown.length > 0) return err(`this workflow uses node types Inkgraph does not have: ${unknown.join(', ')}`);
  // As a key it would set the prompt's prototype; the prompt schema refuses it for the same reason.
  if (byId.has('__proto__'))
    return err(
      'this workflow has a node with the id "__proto__", which JavaScript objects reserve for their prototype',
    );

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
  for (const node of graph.nodes) {
    const info = FRONTEND_ONLY.has(node.type) ? undefined : ownValue(objectInfo, node.type);
    if (!info) continue;
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
        const own = named ? ownValue(named, name) : values.shift();
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
  const groups = (graph.groups ?? [])
    .filter((group) => Array.isArray(group.bounding) && group.bounding.length === 4)
    .map((group) => ({ title: group.title, bounding: group.bounding as [number, number, number, number] }));
  return ok({ format: WORKFLOW_FORMAT, version: WORKFLOW_VERSION, prompt, groups, reroutes: [] });
}
