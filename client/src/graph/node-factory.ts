import {
  inputSpecOf,
  inputSpecType,
  isWidgetType,
  type InputSpec,
  type NodeInfo,
  type ObjectInfo,
} from '../../../shared/node-spec.js';
import type { Locale } from '../i18n/messages.js';
import { adoptSubgraphSeeds, seedSubgraphs, stepSeed } from './subgraph-seeds.js';
import type { EditorGraph, InkNode, SeedControl } from './types.js';

/** Nodes from specs, and the seed controls applied before queueing. Pure. */

export interface WidgetField {
  readonly name: string;
  readonly type: string;
  readonly spec: InputSpec;
  readonly optional: boolean;
}

/** The node's inputs in order: widgets (INT, FLOAT, STRING, BOOLEAN, COMBO) and sockets. */
export function nodeInputs(info: NodeInfo): { widgets: WidgetField[]; sockets: WidgetField[] } {
  const widgets: WidgetField[] = [];
  const sockets: WidgetField[] = [];
  const add = (name: string, spec: InputSpec, optional: boolean): void => {
    const type = inputSpecType(spec);
    const field = { name, type, spec, optional };
    if (isWidgetType(type) && !spec[1]?.forceInput) widgets.push(field);
    else sockets.push(field);
  };
  for (const name of info.input_order.required) add(name, info.input.required[name]!, false);
  for (const name of info.input_order.optional ?? []) add(name, info.input.optional![name]!, true);
  return { widgets, sockets };
}

export function defaultValue(field: WidgetField): unknown {
  const options = field.spec[1] ?? {};
  if (options.default !== undefined) return options.default;
  if (Array.isArray(field.spec[0])) return field.spec[0][0];
  switch (field.type) {
    case 'INT':
    case 'FLOAT':
      return options.min ?? 0;
    case 'BOOLEAN':
      return false;
    default:
      return '';
  }
}

export function hasSeedControl(field: WidgetField): boolean {
  return (
    field.type === 'INT' &&
    (field.spec[1]?.control_after_generate === true || field.name === 'seed' || field.name === 'noise_seed')
  );
}

/** The code a `language` combo uses for each UI language (DescribeImage offers en and zh). */
const LANGUAGE_CODES: Readonly<Record<Locale, string>> = { en: 'en', 'zh-CN': 'zh' };

/** A `language` combo that offers the UI's language starts there, so a Chinese UI describes in Chinese. */
export function uiLanguageValue(field: WidgetField, locale: Locale): string | undefined {
  const code = LANGUAGE_CODES[locale];
  return field.name === 'language' && Array.isArray(field.spec[0]) && field.spec[0].includes(code) ? code : undefined;
}

/** A new node's title: its display name in the UI's language, as ComfyUI's frontend titles the nodes it adds. */
export function defaultTitle(info: NodeInfo, locale: Locale): string {
  return (locale === 'zh-CN' ? info.translations?.['zh-CN']?.display_name : undefined) ?? info.display_name;
}

export function createNode(
  info: NodeInfo,
  id: string,
  position: { x: number; y: number },
  title: string,
  /** The UI's language, where a new node's language widget should follow it. */
  locale?: Locale,
): InkNode {
  const { widgets } = nodeInputs(info);
  const values: Record<string, unknown> = {};
  const controls: Record<string, SeedControl> = {};
  for (const field of widgets) {
    values[field.name] = (locale && uiLanguageValue(field, locale)) ?? defaultValue(field);
    if (hasSeedControl(field)) controls[field.name] = 'randomize';
  }
  return {
    id,
    type: 'ink',
    position,
    data: { classType: info.name, title, widgets: values, mode: 0, collapsed: false, controls },
  };
}

/** The next free numeric node id, as ComfyUI numbers nodes. */
export function nextNodeId(graph: EditorGraph): string {
  let highest = 0;
  for (const node of graph.nodes) {
    const number = Number(node.id);
    if (Number.isInteger(number)) highest = Math.max(highest, number);
  }
  return String(highest + 1);
}

/**
 * Applies each seed's control_after_generate before a run is queued, so the seed shown is the seed used
 * (ComfyUI applies it after, a common complaint). `random` gives uniform numbers in [0, 1).
 */
export function applySeedControls(
  graph: EditorGraph,
  objectInfo: ObjectInfo,
  random: () => number,
  /** Also inside subgraphs: the shown graph's definitions are the document's (an open one's parents' are older). */
  inside = true,
): EditorGraph {
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    if (node.type !== 'ink' || node.data.mode !== 0) return node;
    const info = objectInfo[node.data.classType];
    if (!info) return node;
    const widgets = { ...node.data.widgets };
    let touched = false;
    for (const [name, control] of Object.entries(node.data.controls)) {
      if (control === 'fixed') continue;
      const spec = inputSpecOf(info, name);
      const min = spec?.[1]?.min ?? 0;
      const max = Math.min(spec?.[1]?.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const current = typeof widgets[name] === 'number' ? widgets[name] : min;
      widgets[name] = stepSeed(current, control, min, max, random);
      touched = true;
    }
    if (!touched) return node;
    changed = true;
    return { ...node, data: { ...node.data, widgets } };
  });
  // With a subgraph open, the graph it was opened from runs too.
  const parent = graph.scope ? applySeedControls(graph.scope.parent, objectInfo, random, false) : undefined;
  const scope = graph.scope && parent && parent !== graph.scope.parent ? { ...graph.scope, parent } : graph.scope;
  const definitions = inside ? seedSubgraphs(graph.definitions, objectInfo, random) : graph.definitions;
  return changed || scope !== graph.scope || definitions !== graph.definitions
    ? { ...graph, nodes, ...(scope ? { scope } : {}), ...(definitions ? { definitions } : {}) }
    : graph;
}

/**
 * `graph` with the seed values `seeded` (from `applySeedControls`) chose, for the seeds whose control moves them:
 * a run that the server took shows the seeds it was queued with, even if the graph changed while it was sent.
 */
export function adoptSeeds(graph: EditorGraph, seeded: EditorGraph): EditorGraph {
  const sent = new Map(seeded.nodes.map((node) => [node.id, node]));
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    const source = sent.get(node.id);
    if (node.type !== 'ink' || source?.type !== 'ink') return node;
    const widgets = { ...node.data.widgets };
    let touched = false;
    for (const [name, control] of Object.entries(source.data.controls)) {
      if (control === 'fixed' || !(name in widgets) || widgets[name] === source.data.widgets[name]) continue;
      widgets[name] = source.data.widgets[name];
      touched = true;
    }
    if (!touched) return node;
    changed = true;
    return { ...node, data: { ...node.data, widgets } };
  });
  const definitions = adoptSubgraphSeeds(graph.definitions, seeded.definitions);
  const parent =
    graph.scope && seeded.scope ? adoptSeeds(graph.scope.parent, seeded.scope.parent) : graph.scope?.parent;
  const scope = graph.scope && parent !== graph.scope.parent ? { ...graph.scope, parent: parent! } : graph.scope;
  return changed || scope !== graph.scope || definitions !== graph.definitions
    ? { ...graph, nodes, ...(scope ? { scope } : {}), ...(definitions ? { definitions } : {}) }
    : graph;
}
