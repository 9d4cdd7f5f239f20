import { isLink, type ApiPrompt } from './workflow.js';

/**
 * `%Node.widget%` and `%date:…%` in output filenames, as ComfyUI's frontend expands them when it queues
 * (`applyTextReplacements` in its utils/searchAndReplace.ts and the date formatter in utils/formatUtil.ts). Pure: the
 * clock is a parameter.
 */

/** The node types whose `filename_prefix` the frontend expands (its saveImageExtraOutput extension's list). */
export const FILENAME_REPLACEMENT_TYPES: ReadonlySet<string> = new Set([
  'SaveImage',
  'SaveImageAdvanced',
  'SaveSVGNode',
  'SaveVideo',
  'SaveAnimatedWEBP',
  'SaveWEBM',
  'SaveAudio',
  'SaveAudioMP3',
  'SaveAudioOpus',
  'SaveAudioAdvanced',
  'SaveGLB',
  'SaveAnimatedPNG',
  'CLIPSave',
  'VAESave',
  'ModelSave',
  'LoraSave',
  'SaveLatent',
]);

/** A node a pattern may name: by its type (the frontend's "Node name for S&R", which defaults to it) or its title. */
export interface ReplacementNode {
  readonly classType: string;
  readonly title: string | undefined;
  /** Its widget values by widget name. */
  readonly widgets: Readonly<Record<string, unknown>>;
}

const DATE_PARTS: Readonly<Record<string, (date: Date) => number>> = {
  d: (date) => date.getDate(),
  M: (date) => date.getMonth() + 1,
  h: (date) => date.getHours(),
  m: (date) => date.getMinutes(),
  s: (date) => date.getSeconds(),
};

/**
 * The frontend's date tokens in local time: d/dd day, M/MM month, h/hh hour (0–23), m/mm minute, s/ss second (the
 * doubled form zero-padded), yy and yyyy the year; anything else (`yyy` too) stays as written.
 */
export function formatDate(pattern: string, date: Date): string {
  return pattern.replace(/dd?|MM?|hh?|mm?|ss?|yyy?y?/g, (token) => {
    if (token === 'yy') return String(date.getFullYear()).substring(2);
    if (token === 'yyyy') return String(date.getFullYear());
    const part = DATE_PARTS[token[0]!];
    return part ? String(part(date)).padStart(token.length, '0') : token;
  });
}

/** A widget value as text: scalars as JavaScript writes them, null and undefined as '', anything else as JSON. */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * `value` with each `%Name.widget%` replaced by that widget's value on the first node whose type is Name (else
 * whose title is), characters a file name cannot hold turned into `_`; `%date:pattern%` by the formatted date.
 * A pattern that names no node or widget (and `%width%`, `%height%`, which the server fills) stays as written.
 */
export function applyTextReplacements(value: string, nodes: readonly ReplacementNode[], now: Date): string {
  return value.replace(/%([^%]+)%/g, (match, text: string) => {
    const split = text.split('.');
    if (split.length !== 2) return split[0]!.startsWith('date:') ? formatDate(split[0]!.substring(5), now) : match;
    const [name, widget] = split as [string, string];
    const byType = nodes.filter((node) => node.classType === name);
    const node = (byType.length > 0 ? byType : nodes.filter((candidate) => candidate.title === name))[0];
    if (!node || !Object.hasOwn(node.widgets, widget)) return match;
    return scalarText(node.widgets[widget]).replaceAll(/[/?<>\\:*|"\x00-\x1F\x7F]/g, '_');
  });
}

/** The nodes of a prompt as patterns see them: widget values are the inputs that are not links. */
export function replacementNodes(
  prompt: ApiPrompt,
  titleOf: (classType: string) => string | undefined,
): ReplacementNode[] {
  return Object.values(prompt).map((node) => ({
    classType: node.class_type,
    title: node._meta?.title ?? titleOf(node.class_type),
    widgets: Object.fromEntries(Object.entries(node.inputs).filter(([, value]) => !isLink(value))),
  }));
}

/** `prompt` with the `filename_prefix` of each save node expanded against `nodes`; other inputs untouched. */
export function applyFilenameReplacements(prompt: ApiPrompt, nodes: readonly ReplacementNode[], now: Date): ApiPrompt {
  const out: ApiPrompt = {};
  for (const [id, node] of Object.entries(prompt)) {
    const prefix = node.inputs.filename_prefix;
    out[id] =
      FILENAME_REPLACEMENT_TYPES.has(node.class_type) && typeof prefix === 'string' && prefix.includes('%')
        ? { ...node, inputs: { ...node.inputs, filename_prefix: applyTextReplacements(prefix, nodes, now) } }
        : node;
  }
  return out;
}
