import { inputSpecType, type NodeInfo, type ObjectInfo } from './node-spec.js';
import { ownValue } from './own-property.js';
import {
  isLink,
  type ApiNode,
  type ApiPrompt,
  type Link,
  type SubgraphDefinition,
  type WorkflowEnvelope,
} from './workflow.js';

/**
 * Subgraphs as ComfyUI's frontend has them (litegraph's Subgraph, SubgraphNode, ExecutableNodeDTO): a definition holds
 * inner nodes and typed, named inputs and outputs; an instance is a node whose class_type is the definition's id, its
 * inputs keyed by the subgraph's input names and its outputs in the subgraph's output order. Pure.
 */

/** Litegraph's ids for the boundary: links from the subgraph's inputs start at -10, links to its outputs end at -20. */
export const SUBGRAPH_INPUT_ID = '-10';
export const SUBGRAPH_OUTPUT_ID = '-20';
/** The node library's category for subgraph blueprints. */
export const SUBGRAPH_CATEGORY = 'Subgraphs';

/** Instances nested deeper than this are left unexpanded (a definition that contains itself). */
const MAX_DEPTH = 32;

export function definitionsOf(envelope: Pick<WorkflowEnvelope, 'definitions'>): readonly SubgraphDefinition[] {
  return envelope.definitions?.subgraphs ?? [];
}

/** Litegraph's nextUniqueName: `name`, else `name_1`, `name_2`, … whichever is free. */
export function nextUniqueName(name: string, existing: readonly string[]): string {
  let candidate = name;
  for (let i = 1; existing.includes(candidate); i++) candidate = `${name}_${i}`;
  return candidate;
}

/** A definition as a node type: every input a socket (in order), its outputs typed and named, under "Subgraphs". */
export function subgraphNodeInfo(definition: SubgraphDefinition): NodeInfo {
  return {
    input: {
      required: Object.fromEntries(definition.inputs.map((input) => [input.name, [input.type, { forceInput: true }]])),
    },
    input_order: { required: definition.inputs.map((input) => input.name) },
    output: definition.outputs.map((output) => output.type),
    output_is_list: definition.outputs.map(() => false),
    output_name: definition.outputs.map((output) => output.name),
    name: definition.id,
    display_name: definition.name,
    description: definition.description ?? '',
    python_module: 'subgraph',
    category: definition.category ?? SUBGRAPH_CATEGORY,
    output_node: false,
  };
}

/** The server's node types with the document's subgraphs added as types of their own (the server's win a clash). */
export function withSubgraphTypes(objectInfo: ObjectInfo, definitions: readonly SubgraphDefinition[]): ObjectInfo {
  if (definitions.length === 0) return objectInfo;
  const out: ObjectInfo = { ...objectInfo };
  for (const definition of definitions)
    if (!Object.hasOwn(objectInfo, definition.id)) out[definition.id] = subgraphNodeInfo(definition);
  return out;
}

function definitionMap(definitions: readonly SubgraphDefinition[]): Map<string, SubgraphDefinition> {
  return new Map(definitions.map((definition) => [definition.id, definition]));
}

/** What a link to an instance's output resolves to once that instance is expanded; undefined leads nowhere. */
type Rewire = (link: Link) => unknown;

function mapLinks(node: ApiNode, rewire: Rewire): ApiNode {
  let changed = false;
  const inputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node.inputs)) {
    if (!isLink(value)) {
      inputs[name] = value;
      continue;
    }
    const next = rewire([String(value[0]), value[1]]);
    if (next !== value) changed = true;
    if (next !== undefined) inputs[name] = next;
  }
  return changed ? { ...node, inputs } : node;
}

/** The first input of the instance whose type matches output `slot` (ComfyUI's bypass of a subgraph node). */
function bypassInput(definition: SubgraphDefinition, slot: number): string | undefined {
  const type = definition.outputs[slot]?.type;
  if (type === undefined) return undefined;
  const same = definition.inputs[slot];
  if (same && (same.type === type || same.type === '*' || type === '*')) return same.name;
  return definition.inputs.find((input) => input.type === type)?.name;
}

/**
 * The prompt with every subgraph instance replaced by its inner nodes, as the frontend's graphToPrompt sends them:
 * inner node `n` of instance `i` becomes `i:n` (nested: `a:b:c`), links run straight across the boundary, an input
 * the instance leaves unlinked drops the inner inputs it fed (or passes its constant value). A muted instance mutes
 * its inner nodes; a bypassed one passes each output's matching input through. An instance of an unknown or
 * self-containing definition stays as it is (the server names it).
 */
export function flattenSubgraphs(prompt: ApiPrompt, definitions: readonly SubgraphDefinition[]): ApiPrompt {
  if (definitions.length === 0) return prompt;
  const byId = definitionMap(definitions);
  let nodes: [string, ApiNode][] = Object.entries(prompt);
  const depth = (id: string): number => id.split(':').length;
  for (;;) {
    const at = nodes.findIndex(([id, node]) => byId.has(node.class_type) && depth(id) <= MAX_DEPTH);
    if (at === -1) break;
    const [instanceId, instance] = nodes[at]!;
    const definition = byId.get(instance.class_type)!;
    const mode = instance._meta?.mode ?? 0;
    const inputValue = (slot: number): unknown => {
      const input = definition.inputs[slot];
      return input ? ownValue(instance.inputs, input.name) : undefined;
    };
    const inner = (link: Link): unknown => {
      if (link[0] === SUBGRAPH_INPUT_ID) return inputValue(link[1]);
      return [`${instanceId}:${link[0]}`, link[1]];
    };
    const outer = (link: Link): unknown => {
      if (link[0] !== instanceId) return link;
      if (mode === 4) {
        const name = bypassInput(definition, link[1]);
        return name === undefined ? undefined : ownValue(instance.inputs, name);
      }
      const source = definition.outputs[link[1]]?.link;
      return source ? inner(source) : undefined;
    };
    const expanded: [string, ApiNode][] =
      mode === 4
        ? []
        : Object.entries(definition.nodes).map(([id, node]) => {
            const next = mapLinks(node, inner);
            return [`${instanceId}:${id}`, mode === 2 ? { ...next, _meta: { ...next._meta, mode: 2 as const } } : next];
          });
    const rest = nodes
      .filter((_, index) => index !== at)
      .map(([id, node]): [string, ApiNode] => [id, mapLinks(node, outer)]);
    // Expanded inner nodes may link to the instance itself only through its boundary, so `outer` is not applied to them.
    nodes = [...rest.slice(0, at), ...expanded, ...rest.slice(at)];
  }
  return Object.fromEntries(nodes);
}

/**
 * The node of the graph shown at `path` (the instance ids entered, outermost first) that a flattened node id belongs
 * to: the id itself at the top, else the instance it is inside; undefined when it is elsewhere.
 */
export function displayNodeId(executionId: string, path: readonly string[] = []): string | undefined {
  const parts = executionId.split(':');
  if (parts.length <= path.length) return undefined;
  for (let i = 0; i < path.length; i++) if (parts[i] !== path[i]) return undefined;
  return parts[path.length];
}

function boundsOf(nodes: readonly ApiNode[]): [number, number, number, number] {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const node of nodes) {
    const [x, y] = node._meta?.pos ?? [0, 0];
    const [w, h] = node._meta?.size ?? [280, 160];
    left = Math.min(left, x);
    top = Math.min(top, y);
    right = Math.max(right, x + w);
    bottom = Math.max(bottom, y + h);
  }
  return Number.isFinite(left) ? [left, top, right, bottom] : [0, 0, 0, 0];
}

function withoutVia(node: ApiNode, names: readonly string[]): ApiNode {
  const via: unknown = node._meta?.via;
  if (typeof via !== 'object' || via === null || names.length === 0) return node;
  const kept = Object.fromEntries(Object.entries(via).filter(([name]) => !names.includes(name)));
  const { via: _dropped, ...meta } = node._meta ?? {};
  return { ...node, _meta: { ...meta, ...(Object.keys(kept).length > 0 ? { via: kept } : {}) } };
}

/** The type of input `name` on a node, from the (subgraph-aware) node types; '*' when unknown. */
function inputType(node: ApiNode, name: string, objectInfo: ObjectInfo): string {
  const info = ownValue(objectInfo, node.class_type);
  const spec = info ? (ownValue(info.input.required, name) ?? ownValue(info.input.optional ?? {}, name)) : undefined;
  return spec ? inputSpecType(spec) : '*';
}

export interface ConvertOptions {
  /** The new definition's id (ComfyUI uses a v4 UUID) and the instance node's id. */
  readonly definitionId: string;
  readonly instanceId: string;
  readonly name: string;
  /** Node types, subgraph-aware (`withSubgraphTypes`), for the boundary sockets' types and names. */
  readonly objectInfo: ObjectInfo;
  /** Stable ids for the new inputs and outputs. */
  readonly slotId: () => string;
}

export interface Converted {
  readonly envelope: WorkflowEnvelope;
  readonly definition: SubgraphDefinition;
}

/**
 * The selected nodes made into a subgraph, as litegraph's convertToSubgraph does: links from one outside output
 * become one input (named after the first inner input it feeds, deduplicated `name_1`…), each inner output used
 * outside becomes one output (named after that output), in node order; the instance sits at the selection's centre,
 * the inner nodes keep their positions. Undefined when nothing selected is a node.
 */
export function convertToSubgraph(
  envelope: WorkflowEnvelope,
  selected: readonly string[],
  options: ConvertOptions,
): Converted | undefined {
  const chosen = new Set(selected.filter((id) => Object.hasOwn(envelope.prompt, id)));
  if (chosen.size === 0 || Object.hasOwn(envelope.prompt, options.instanceId)) return undefined;
  const entries = Object.entries(envelope.prompt);
  const insideEntries = entries.filter(([id]) => chosen.has(id));

  // Inputs: one per outside source, in the order the inner nodes' inputs meet them.
  const inputs: SubgraphDefinition['inputs'] = [];
  const instanceInputs: Record<string, unknown> = {};
  const inputBySource = new Map<string, number>();
  const innerNodes: ApiPrompt = {};
  for (const [id, node] of insideEntries) {
    const crossing: string[] = [];
    const innerInputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(node.inputs)) {
      if (!isLink(value) || chosen.has(String(value[0]))) {
        innerInputs[name] = value;
        continue;
      }
      crossing.push(name);
      const key = `${value[0]}:${value[1]}`;
      let index = inputBySource.get(key);
      if (index === undefined) {
        index = inputs.length;
        inputBySource.set(key, index);
        const unique = nextUniqueName(
          name,
          inputs.map((input) => input.name),
        );
        inputs.push({ id: options.slotId(), name: unique, type: inputType(node, name, options.objectInfo) });
        instanceInputs[unique] = [String(value[0]), value[1]];
      }
      innerInputs[name] = [SUBGRAPH_INPUT_ID, index];
    }
    innerNodes[id] = withoutVia({ ...node, inputs: innerInputs }, crossing);
  }

  // Outputs: one per inner output used outside (by a node or a reroute), in inner node and slot order.
  const order = new Map(insideEntries.map(([id], index) => [id, index]));
  const used = new Map<string, Link>();
  const note = (value: unknown): void => {
    if (isLink(value) && chosen.has(String(value[0])))
      used.set(`${value[0]}:${value[1]}`, [String(value[0]), value[1]]);
  };
  for (const [id, node] of entries) if (!chosen.has(id)) Object.values(node.inputs).forEach(note);
  for (const reroute of envelope.reroutes) note(reroute.from);
  const sources = [...used.values()].sort((a, b) => order.get(a[0])! - order.get(b[0])! || a[1] - b[1]);
  const outputs: SubgraphDefinition['outputs'] = [];
  const outputBySource = new Map<string, number>();
  for (const source of sources) {
    const info = ownValue(options.objectInfo, envelope.prompt[source[0]]!.class_type);
    const type = info?.output[source[1]] ?? '*';
    const name = nextUniqueName(
      info?.output_name[source[1]] ?? type,
      outputs.map((output) => output.name),
    );
    outputBySource.set(`${source[0]}:${source[1]}`, outputs.length);
    outputs.push({ id: options.slotId(), name, type, link: source });
  }
  const toInstance = (link: Link): Link => {
    const index = outputBySource.get(`${link[0]}:${link[1]}`);
    return index === undefined ? link : [options.instanceId, index];
  };

  const [left, top, right, bottom] = boundsOf(insideEntries.map(([, node]) => node));
  const definition: SubgraphDefinition = {
    id: options.definitionId,
    name: options.name,
    nodes: innerNodes,
    inputs,
    outputs,
    inputPos: [left - 360, Math.round((top + bottom) / 2 - 30)],
    outputPos: [right + 80, Math.round((top + bottom) / 2 - 30)],
  };
  const instance: ApiNode = {
    class_type: options.definitionId,
    inputs: instanceInputs,
    _meta: { title: options.name, pos: [Math.round((left + right) / 2 - 140), Math.round((top + bottom) / 2 - 40)] },
  };
  const prompt: ApiPrompt = {};
  let placed = false;
  for (const [id, node] of entries) {
    if (chosen.has(id)) {
      if (!placed) prompt[options.instanceId] = instance;
      placed = true;
      continue;
    }
    prompt[id] = mapLinks(node, toInstance);
  }
  const reroutes = envelope.reroutes.map((reroute) =>
    reroute.from && chosen.has(reroute.from[0]) ? { ...reroute, from: toInstance(reroute.from) } : reroute,
  );
  return {
    envelope: {
      ...envelope,
      prompt,
      reroutes,
      definitions: { subgraphs: [...definitionsOf(envelope), definition] },
    },
    definition,
  };
}

function nextFreeId(taken: Set<string>): () => string {
  let next = 1;
  for (const id of taken) {
    const number = Number(id);
    if (Number.isInteger(number) && number >= next) next = number + 1;
  }
  return () => {
    while (taken.has(String(next))) next++;
    const id = String(next++);
    taken.add(id);
    return id;
  };
}

export interface Unpacked {
  readonly envelope: WorkflowEnvelope;
  /** The ids the inner nodes have in the graph now. */
  readonly nodeIds: readonly string[];
}

/**
 * An instance replaced by its inner nodes, as litegraph's unpackSubgraph: each keeps its id where the graph has it
 * free (else the next free number), they move so their centre is where the instance is, links from the instance's
 * inputs and to its outputs join up again. The definition stays (it is a blueprint). Undefined for a non-instance.
 */
export function unpackSubgraph(envelope: WorkflowEnvelope, instanceId: string): Unpacked | undefined {
  const instance = ownValue(envelope.prompt, instanceId);
  const definition = instance
    ? definitionsOf(envelope).find((candidate) => candidate.id === instance.class_type)
    : undefined;
  if (!instance || !definition) return undefined;
  const taken = new Set(Object.keys(envelope.prompt).filter((id) => id !== instanceId));
  const fresh = nextFreeId(new Set([...taken, instanceId]));
  const ids = new Map<string, string>();
  for (const id of Object.keys(definition.nodes)) {
    const free = !taken.has(id);
    const next = free ? id : fresh();
    taken.add(next);
    ids.set(id, next);
  }
  const inner = (link: Link): unknown => {
    if (link[0] === SUBGRAPH_INPUT_ID) {
      const input = definition.inputs[link[1]];
      return input ? ownValue(instance.inputs, input.name) : undefined;
    }
    const id = ids.get(link[0]);
    return id === undefined ? undefined : [id, link[1]];
  };
  const outer = (link: Link): unknown => {
    if (link[0] !== instanceId) return link;
    const source = definition.outputs[link[1]]?.link;
    return source ? inner(source) : undefined;
  };
  const [left, top, right, bottom] = boundsOf(Object.values(definition.nodes));
  const [x, y] = instance._meta?.pos ?? [0, 0];
  const dx = Math.trunc(x + 140 - (left + right) / 2);
  const dy = Math.trunc(y + 40 - (top + bottom) / 2);
  // The reroutes drawn inside come out too, renamed where the outside already has the id.
  const rerouteIds = new Map<string, string>();
  const outsideReroutes = new Set(envelope.reroutes.map((reroute) => reroute.id));
  for (const reroute of definition.reroutes ?? []) {
    let id = reroute.id;
    for (let n = 1; outsideReroutes.has(id); n++) id = `${reroute.id}-${instanceId}-${n}`;
    outsideReroutes.add(id);
    rerouteIds.set(reroute.id, id);
  }
  const prompt: ApiPrompt = {};
  for (const [id, node] of Object.entries(envelope.prompt)) {
    if (id !== instanceId) {
      prompt[id] = mapLinks(node, outer);
      continue;
    }
    for (const [innerId, innerNode] of Object.entries(definition.nodes)) {
      const moved = mapLinks(innerNode, inner);
      const pos = moved._meta?.pos;
      const via: unknown = moved._meta?.via;
      const meta = {
        ...moved._meta,
        ...(pos ? { pos: [pos[0] + dx, pos[1] + dy] as [number, number] } : {}),
        ...(typeof via === 'object' && via !== null
          ? {
              via: Object.fromEntries(
                Object.entries(via).map(([input, reroute]) => [input, rerouteIds.get(String(reroute)) ?? reroute]),
              ),
            }
          : {}),
      };
      prompt[ids.get(innerId)!] = moved._meta ? { ...moved, _meta: meta } : moved;
    }
  }
  const reroutes = envelope.reroutes.flatMap((reroute) => {
    if (!reroute.from || reroute.from[0] !== instanceId) return [reroute];
    const from = outer(reroute.from);
    const { from: _old, ...rest } = reroute;
    return [isLink(from) ? { ...rest, from: [String(from[0]), from[1]] as Link } : rest];
  });
  for (const reroute of definition.reroutes ?? []) {
    const { from: innerFrom, ...rest } = reroute;
    const from = innerFrom ? inner(innerFrom) : undefined;
    reroutes.push({
      ...rest,
      id: rerouteIds.get(reroute.id) ?? reroute.id,
      pos: [reroute.pos[0] + dx, reroute.pos[1] + dy],
      ...(isLink(from) ? { from: [String(from[0]), from[1]] as Link } : {}),
    });
  }
  const groups = [
    ...envelope.groups,
    ...(definition.groups ?? []).map((group) => {
      const [gx, gy, width, height] = group.bounding;
      return { ...group, bounding: [gx + dx, gy + dy, width, height] as [number, number, number, number] };
    }),
  ];
  return { envelope: { ...envelope, prompt, reroutes, groups }, nodeIds: [...ids.values()] };
}

function moved<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  const [item] = out.splice(from, 1);
  if (item !== undefined) out.splice(to, 0, item);
  return out;
}

/** The new index of each old index after moving `from` to `to`. */
function movedIndex(from: number, to: number, index: number): number {
  if (index === from) return to;
  if (from < to && index > from && index <= to) return index - 1;
  if (to < from && index >= to && index < from) return index + 1;
  return index;
}

/** Every graph of the document (the top one and each definition's), changed by `change`. */
function eachGraph(envelope: WorkflowEnvelope, change: (prompt: ApiPrompt) => ApiPrompt): WorkflowEnvelope {
  return {
    ...envelope,
    prompt: change(envelope.prompt),
    definitions: {
      subgraphs: definitionsOf(envelope).map((definition) => ({ ...definition, nodes: change(definition.nodes) })),
    },
  };
}

function eachNode(prompt: ApiPrompt, change: (id: string, node: ApiNode) => ApiNode): ApiPrompt {
  return Object.fromEntries(Object.entries(prompt).map(([id, node]) => [id, change(id, node)]));
}

/**
 * A subgraph's input or output moved from one place to another (ComfyUI reorders them by dragging on the boundary
 * node): inner links from inputs and every instance's links from outputs follow, so nothing is rewired.
 */
export function reorderSubgraphSlot(
  envelope: WorkflowEnvelope,
  definitionId: string,
  kind: 'inputs' | 'outputs',
  from: number,
  to: number,
): WorkflowEnvelope {
  const definition = definitionsOf(envelope).find((candidate) => candidate.id === definitionId);
  if (!definition || from === to || !definition[kind][from] || !definition[kind][to]) return envelope;
  const remap = (link: Link): Link => [link[0], movedIndex(from, to, link[1])];
  if (kind === 'inputs') {
    const inner = (link: Link): unknown => (link[0] === SUBGRAPH_INPUT_ID ? remap(link) : link);
    const next: SubgraphDefinition = {
      ...definition,
      inputs: moved(definition.inputs, from, to),
      nodes: eachNode(definition.nodes, (_, node) => mapLinks(node, inner)),
      outputs: definition.outputs.map((output) =>
        output.link?.[0] === SUBGRAPH_INPUT_ID ? { ...output, link: remap(output.link) } : output,
      ),
    };
    return replaceDefinition(envelope, next);
  }
  const instancesIn = (prompt: ApiPrompt): Set<string> =>
    new Set(
      Object.entries(prompt)
        .filter(([, node]) => node.class_type === definitionId)
        .map(([id]) => id),
    );
  const withOutputs = replaceDefinition(envelope, { ...definition, outputs: moved(definition.outputs, from, to) });
  const rewired = eachGraph(withOutputs, (prompt) => {
    const instances = instancesIn(prompt);
    return eachNode(prompt, (_, node) => mapLinks(node, (link) => (instances.has(link[0]) ? remap(link) : link)));
  });
  const topInstances = instancesIn(envelope.prompt);
  return {
    ...rewired,
    reroutes: envelope.reroutes.map((reroute) =>
      reroute.from && topInstances.has(reroute.from[0]) ? { ...reroute, from: remap(reroute.from) } : reroute,
    ),
  };
}

/** A subgraph's input or output renamed (unique among its kind); every instance's inputs follow the new name. */
export function renameSubgraphSlot(
  envelope: WorkflowEnvelope,
  definitionId: string,
  kind: 'inputs' | 'outputs',
  index: number,
  name: string,
): WorkflowEnvelope {
  const definition = definitionsOf(envelope).find((candidate) => candidate.id === definitionId);
  const slot = definition?.[kind][index];
  if (!definition || !slot || name.length === 0 || slot.name === name) return envelope;
  const unique = nextUniqueName(
    name,
    definition[kind].filter((_, at) => at !== index).map((other) => other.name),
  );
  const list = definition[kind].map((other, at) => (at === index ? { ...other, name: unique } : other));
  const next = replaceDefinition(envelope, { ...definition, [kind]: list });
  if (kind === 'outputs') return next;
  return eachGraph(next, (prompt) =>
    eachNode(prompt, (_, node) => {
      if (node.class_type !== definitionId || !Object.hasOwn(node.inputs, slot.name)) return node;
      const inputs = Object.fromEntries(
        Object.entries(node.inputs).map(([key, value]) => [key === slot.name ? unique : key, value]),
      );
      return { ...node, inputs };
    }),
  );
}

export function replaceDefinition(envelope: WorkflowEnvelope, definition: SubgraphDefinition): WorkflowEnvelope {
  const list = definitionsOf(envelope);
  const exists = list.some((candidate) => candidate.id === definition.id);
  return {
    ...envelope,
    definitions: {
      subgraphs: exists
        ? list.map((candidate) => (candidate.id === definition.id ? definition : candidate))
        : [...list, definition],
    },
  };
}
