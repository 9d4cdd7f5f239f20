import {
  isLink,
  WORKFLOW_FORMAT,
  WORKFLOW_VERSION,
  type ApiNode,
  type Definitions,
  type WorkflowEnvelope,
} from '../../../shared/workflow.js';
import { isMissingNodeRecord } from '../../../shared/litegraph-import.js';
import { SUBGRAPH_INPUT_ID, SUBGRAPH_OUTPUT_ID } from '../../../shared/subgraph.js';
import type { ObjectInfo } from '../../../shared/node-spec.js';
import { hasSeedControl, nodeInputs } from './node-factory.js';
import {
  outputHandle,
  outputIndex,
  type EditorEdge,
  type EditorGraph,
  type EditorNode,
  type GroupNode,
  type InkNode,
  type RerouteNode,
  type SeedControl,
} from './types.js';

/** Workflow file ⇄ editor graph. Layout lives in each node's `_meta`; a workflow without layout is flagged. Pure. */

const DEFAULT_SIZE: [number, number] = [280, 160];

export interface GraphFromWorkflow {
  readonly graph: EditorGraph;
  /** True when some node had no position (a bare API prompt): the editor auto-arranges it. */
  readonly needsLayout: boolean;
}

function edgeId(source: string, sourceHandle: string, target: string, targetHandle: string): string {
  return `${source}:${sourceHandle}->${target}:${targetHandle}`;
}

export function workflowToGraph(envelope: WorkflowEnvelope, objectInfo: ObjectInfo): GraphFromWorkflow {
  const nodes: EditorNode[] = [];
  const edges: EditorEdge[] = [];
  const edgeIds = new Set<string>();
  const addEdge = (edge: EditorEdge): void => {
    if (edgeIds.has(edge.id)) return;
    edgeIds.add(edge.id);
    edges.push(edge);
  };
  let needsLayout = false;
  for (const group of envelope.groups) {
    const [x, y, width, height] = group.bounding;
    const node: GroupNode = {
      id: group.id ?? `group-${nodes.length}`,
      type: 'group',
      position: { x, y },
      width,
      height,
      data: { title: group.title },
      zIndex: -1,
      style: { width, height },
    };
    nodes.push(node);
  }
  for (const reroute of envelope.reroutes) {
    const node: RerouteNode = {
      id: reroute.id,
      type: 'reroute',
      position: { x: reroute.pos[0], y: reroute.pos[1] },
      data: {},
    };
    nodes.push(node);
    if (reroute.from)
      addEdge({
        id: edgeId(reroute.from[0], outputHandle(reroute.from[1]), reroute.id, 'in'),
        source: reroute.from[0],
        sourceHandle: outputHandle(reroute.from[1]),
        target: reroute.id,
        targetHandle: 'in',
      });
  }
  for (const [id, apiNode] of Object.entries(envelope.prompt)) {
    const meta = (apiNode._meta ?? {}) as Record<string, unknown> & NonNullable<ApiNode['_meta']>;
    if (!meta.pos) needsLayout = true;
    const widgets: Record<string, unknown> = {};
    const via = (meta.via ?? {}) as Record<string, string>;
    for (const [name, value] of Object.entries(apiNode.inputs)) {
      if (!isLink(value)) {
        widgets[name] = value;
        continue;
      }
      const source = String(value[0]);
      const handle = outputHandle(value[1]);
      const reroute = via[name];
      if (reroute && nodes.some((node) => node.id === reroute && node.type === 'reroute')) {
        addEdge({
          id: edgeId(source, handle, reroute, 'in'),
          source,
          sourceHandle: handle,
          target: reroute,
          targetHandle: 'in',
        });
        addEdge({
          id: edgeId(reroute, 'out', id, name),
          source: reroute,
          sourceHandle: 'out',
          target: id,
          targetHandle: name,
        });
      } else
        addEdge({ id: edgeId(source, handle, id, name), source, sourceHandle: handle, target: id, targetHandle: name });
    }
    const info = objectInfo[apiNode.class_type];
    const size = meta.size ?? DEFAULT_SIZE;
    // Seed-like inputs always carry a control; ComfyUI's default is randomize.
    const controls: Record<string, SeedControl> = { ...((meta.controls ?? {}) as Record<string, SeedControl>) };
    if (info)
      for (const field of nodeInputs(info).widgets) if (hasSeedControl(field)) controls[field.name] ??= 'randomize';
    const node: InkNode = {
      id,
      type: 'ink',
      position: { x: meta.pos?.[0] ?? 0, y: meta.pos?.[1] ?? 0 },
      width: size[0],
      // A node resized by hand keeps its height too (as a floor: its content is never cut).
      ...(meta.resized === true ? { height: size[1] } : {}),
      ...(meta.pinned === true ? { draggable: false } : {}),
      data: {
        classType: apiNode.class_type,
        title: meta.title ?? info?.display_name ?? apiNode.class_type,
        widgets,
        mode: meta.mode ?? 0,
        collapsed: meta.collapsed ?? false,
        controls,
        ...(typeof meta.color === 'string' ? { color: meta.color } : {}),
        ...(typeof meta.bgcolor === 'string' ? { bgcolor: meta.bgcolor } : {}),
        ...(meta.pinned === true ? { pinned: true } : {}),
        ...(!info && isMissingNodeRecord(meta.missing) ? { missing: meta.missing } : {}),
      },
    };
    nodes.push(node);
  }
  return {
    graph: {
      nodes,
      edges,
      ...(envelope.viewport ? { viewport: envelope.viewport } : {}),
      ...(envelope.definitions && envelope.definitions.subgraphs.length > 0
        ? { definitions: withSeedControls(envelope.definitions, objectInfo) }
        : {}),
    },
    needsLayout,
  };
}

/**
 * Seed-like inputs inside subgraphs carry a control as the shown nodes' do (ComfyUI's default, randomize), so that
 * opening a subgraph, which shows them, changes nothing. Unchanged definitions stay the same objects.
 */
function withSeedControls(definitions: Definitions, objectInfo: ObjectInfo): Definitions {
  let changed = false;
  const subgraphs = definitions.subgraphs.map((definition) => {
    let touched = false;
    const nodes = Object.fromEntries(
      Object.entries(definition.nodes).map(([id, node]) => {
        const info = objectInfo[node.class_type];
        const controls = { ...((node._meta?.controls ?? {}) as Record<string, SeedControl>) };
        let added = false;
        if (info)
          for (const field of nodeInputs(info).widgets)
            if (hasSeedControl(field) && controls[field.name] === undefined) {
              controls[field.name] = 'randomize';
              added = true;
            }
        if (!added) return [id, node];
        touched = true;
        return [id, { ...node, _meta: { ...node._meta, controls } }];
      }),
    );
    if (!touched) return definition;
    changed = true;
    return { ...definition, nodes };
  });
  return changed ? { subgraphs } : definitions;
}

/** Follows reroutes back to the real source of a wire. */
export function realSource(
  edge: EditorEdge,
  nodes: ReadonlyMap<string, EditorNode>,
  edges: readonly EditorEdge[],
  seen = new Set<string>(),
): { source: string; handle: string; via?: string } | undefined {
  const node = nodes.get(edge.source);
  if (node?.type !== 'reroute') return { source: edge.source, handle: edge.sourceHandle ?? '' };
  if (seen.has(node.id)) return undefined;
  seen.add(node.id);
  const feed = edges.find((candidate) => candidate.target === node.id);
  const upstream = feed ? realSource(feed, nodes, edges, seen) : undefined;
  return upstream ? { ...upstream, via: node.id } : undefined;
}

/**
 * The graph an open subgraph was opened from, with the subgraph as edited inside: its inner nodes, and which inner
 * outputs feed its outputs (the links into node -20). Boundary positions are kept.
 */
export function closeScope(graph: EditorGraph): EditorGraph {
  const scope = graph.scope;
  if (!scope) return graph;
  const inside = documentOf(graph);
  const subgraphs = graph.definitions?.subgraphs ?? [];
  const definition = subgraphs.find((candidate) => candidate.id === scope.definitionId);
  if (!definition) return scope.parent;
  // Positions the editor only rounded (a ComfyUI file's are fractional) stay as they were: opening is no edit.
  const nodes = Object.fromEntries(
    Object.entries(inside.prompt)
      .filter(([id]) => id !== SUBGRAPH_INPUT_ID && id !== SUBGRAPH_OUTPUT_ID)
      .map(([id, node]) => {
        const now = node._meta?.pos;
        const pos = now ? keptPosition(definition.nodes[id]?._meta?.pos, now) : now;
        return [id, pos !== now ? { ...node, _meta: { ...node._meta, pos } } : node];
      }),
  );
  const inputNode = inside.prompt[SUBGRAPH_INPUT_ID];
  const outputNode = inside.prompt[SUBGRAPH_OUTPUT_ID];
  const outputs = definition.outputs.map(({ link: _old, ...output }) => {
    const link = outputNode?.inputs[output.name];
    return isLink(link) ? { ...output, link: [String(link[0]), link[1]] as [string, number] } : output;
  });
  // What was drawn inside stays with the definition; a definition that never had any keeps having none.
  const { groups: _groups, reroutes: _reroutes, ...kept } = definition;
  const edited = {
    ...kept,
    ...(inside.groups.length > 0 ? { groups: inside.groups } : {}),
    ...(inside.reroutes.length > 0 ? { reroutes: inside.reroutes } : {}),
    nodes,
    outputs,
    ...(inputNode?._meta?.pos ? { inputPos: keptPosition(definition.inputPos, inputNode._meta.pos) } : {}),
    ...(outputNode?._meta?.pos ? { outputPos: keptPosition(definition.outputPos, outputNode._meta.pos) } : {}),
  };
  return {
    ...scope.parent,
    definitions: {
      subgraphs: subgraphs.map((candidate) => (candidate.id === edited.id ? edited : candidate)),
    },
  };
}

/** `before` when `now` is only `before` rounded, else `now`. */
function keptPosition(before: [number, number] | undefined, now: [number, number]): [number, number] {
  return before && Math.round(before[0]) === now[0] && Math.round(before[1]) === now[1] ? before : now;
}

/** The document, whichever subgraph is open: open ones are closed into their parents first. */
export function graphToWorkflow(graph: EditorGraph): WorkflowEnvelope {
  let root = graph;
  while (root.scope) root = closeScope(root);
  return documentOf(root);
}

/** The document of the graph shown, open subgraph or not: inside one, its inner nodes and boundary nodes. */
export function documentOf(graph: EditorGraph): WorkflowEnvelope {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  const prompt: WorkflowEnvelope['prompt'] = {};
  for (const node of graph.nodes) {
    if (node.type !== 'ink') continue;
    const inputs: Record<string, unknown> = { ...node.data.widgets };
    const via: Record<string, string> = {};
    for (const edge of graph.edges) {
      if (edge.target !== node.id || !edge.targetHandle) continue;
      const source = realSource(edge, nodes, graph.edges);
      const index = source ? outputIndex(source.handle) : undefined;
      if (!source || index === undefined) continue;
      inputs[edge.targetHandle] = [source.source, index];
      if (source.via) via[edge.targetHandle] = source.via;
    }
    const width = node.measured?.width ?? node.width;
    const height = node.measured?.height ?? node.height;
    prompt[node.id] = {
      class_type: node.data.classType,
      inputs,
      _meta: {
        title: node.data.title,
        pos: [Math.round(node.position.x), Math.round(node.position.y)],
        ...(width !== undefined && height !== undefined
          ? { size: [Math.round(width), Math.round(height)] as [number, number] }
          : {}),
        ...(node.data.collapsed ? { collapsed: true } : {}),
        ...(node.data.mode !== 0 ? { mode: node.data.mode } : {}),
        ...(node.data.color !== undefined ? { color: node.data.color } : {}),
        ...(node.data.bgcolor !== undefined ? { bgcolor: node.data.bgcolor } : {}),
        ...(node.data.pinned ? { pinned: true } : {}),
        ...(node.height !== undefined ? { resized: true } : {}),
        ...(Object.keys(node.data.controls).length > 0 ? { controls: node.data.controls } : {}),
        ...(Object.keys(via).length > 0 ? { via } : {}),
        ...(node.data.missing ? { missing: node.data.missing } : {}),
      },
    };
  }
  const reroutes = graph.nodes
    .filter((node): node is RerouteNode => node.type === 'reroute')
    .map((node) => {
      const feed = graph.edges.find((edge) => edge.target === node.id);
      const source = feed ? realSource(feed, nodes, graph.edges) : undefined;
      const index = source ? outputIndex(source.handle) : undefined;
      return {
        id: node.id,
        pos: [Math.round(node.position.x), Math.round(node.position.y)] as [number, number],
        ...(source && index !== undefined ? { from: [source.source, index] as [string, number] } : {}),
      };
    });
  const groups = graph.nodes
    .filter((node): node is GroupNode => node.type === 'group')
    .map((node) => ({
      id: node.id,
      title: node.data.title,
      bounding: [
        node.position.x,
        node.position.y,
        node.measured?.width ?? node.width ?? 300,
        node.measured?.height ?? node.height ?? 200,
      ] as [number, number, number, number],
    }));
  return {
    format: WORKFLOW_FORMAT,
    version: WORKFLOW_VERSION,
    prompt,
    groups,
    reroutes,
    ...(graph.viewport ? { viewport: graph.viewport } : {}),
    ...(graph.definitions && graph.definitions.subgraphs.length > 0 ? { definitions: graph.definitions } : {}),
  };
}
