/**
 * A history entry's outputs as `/api/jobs` summarises them, after ComfyUI's comfy_execution/jobs.py
 * (`get_outputs_summary`, `count_previewable_outputs`, `normalize_outputs`): how many items, how many a client can
 * preview, and the one item a job list shows as its preview.
 */

type JsonObject = Record<string, unknown>;

/** Media types the frontend previews (ComfyUI's PREVIEWABLE_MEDIA_TYPES). */
const PREVIEWABLE_MEDIA_TYPES = new Set(['images', 'video', 'audio', '3d', 'text']);
const THREE_D_EXTENSIONS = ['.obj', '.fbx', '.gltf', '.glb', '.usdz'];
/** What SaveText writes: previewable, but ranked below visual media. */
const TEXT_EXTENSIONS = ['.txt', '.md', '.json'];
/** Raw text previews are cut to this many characters (code points, as Python counts). */
export const TEXT_PREVIEW_MAX_LENGTH = 1024;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Array.isArray` typed as a list of unknowns, not of `any`. */
export function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function endsWithAny(name: string, extensions: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return extensions.some((extension) => lower.endsWith(extension));
}

function filenameOf(item: JsonObject): string {
  return typeof item.filename === 'string' ? item.filename : '';
}

/** A bare 3D filename (a string item) becomes a file item; other non-object items are not file items. */
function normalizeOutputItem(item: unknown): JsonObject | undefined {
  if (typeof item === 'string')
    return endsWithAny(item, THREE_D_EXTENSIONS)
      ? { filename: item, type: 'output', subfolder: '', mediaType: '3d' }
      : undefined;
  return isJsonObject(item) ? item : undefined;
}

function isPreviewable(mediaType: string, item: JsonObject): boolean {
  if (PREVIEWABLE_MEDIA_TYPES.has(mediaType)) return true;
  const format = item.format;
  if (typeof format === 'string' && (format.startsWith('video/') || format.startsWith('audio/'))) return true;
  const filename = filenameOf(item);
  return endsWithAny(filename, THREE_D_EXTENSIONS) || endsWithAny(filename, TEXT_EXTENSIONS);
}

function isTextPreview(mediaType: string, item: JsonObject): boolean {
  return mediaType === 'text' || endsWithAny(filenameOf(item), TEXT_EXTENSIONS);
}

/** Python's `str()` of a JSON scalar, for a text item that is not a string. */
function pythonText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function textPreview(value: string): { content: string; truncated?: true } {
  // UTF-16 length bounds the code-point count from above: only a long text is split into code points.
  if (value.length <= TEXT_PREVIEW_MAX_LENGTH) return { content: value };
  const points = [...value];
  if (points.length <= TEXT_PREVIEW_MAX_LENGTH) return { content: value };
  return { content: points.slice(0, TEXT_PREVIEW_MAX_LENGTH).join(''), truncated: true };
}

/** Each output list of each node: `[nodeId, mediaType, items]`, skipping `animated` (a flag) and non-lists. */
function* outputLists(outputs: JsonObject): Generator<[string, string, unknown[]]> {
  for (const [nodeId, nodeOutputs] of Object.entries(outputs)) {
    if (!isJsonObject(nodeOutputs)) continue;
    for (const [mediaType, items] of Object.entries(nodeOutputs)) {
      if (mediaType === 'animated' || !isList(items)) continue;
      yield [nodeId, mediaType, items];
    }
  }
}

/**
 * How many output items there are (text strings are preview metadata, not counted), and the preview: the first
 * saved (`type: "output"`) visual item, else the first other visual item, else the first text file, else the first
 * raw text.
 */
export function outputsSummary(outputs: JsonObject): { count: number; preview: JsonObject | undefined } {
  let count = 0;
  let preview: JsonObject | undefined;
  let fallback: JsonObject | undefined;
  let textFileFallback: JsonObject | undefined;
  let textFallback: JsonObject | undefined;
  for (const [nodeId, mediaType, items] of outputLists(outputs)) {
    for (const raw of items) {
      const item = normalizeOutputItem(raw);
      if (!item) {
        if (mediaType === 'text' && preview === undefined && textFallback === undefined) {
          // ComfyUI's in-memory tuples reach here as JSON arrays: their first element is the text.
          const value = isList(raw) ? (raw.length > 0 ? pythonText(raw[0]) : '') : pythonText(raw);
          textFallback = { ...textPreview(value), nodeId, mediaType };
        }
        continue;
      }
      count += 1;
      if (preview !== undefined || !isPreviewable(mediaType, item)) continue;
      const enriched: JsonObject = { ...item, nodeId };
      if (!('mediaType' in item)) enriched.mediaType = mediaType;
      if (isTextPreview(mediaType, item)) textFileFallback ??= enriched;
      else if (item.type === 'output') preview = enriched;
      else fallback ??= enriched;
    }
  }
  return { count, preview: preview ?? fallback ?? textFileFallback ?? textFallback };
}

/** The items that render in the frontend's expanded asset view (ComfyUI's `count_previewable_outputs`). */
export function countPreviewableOutputs(outputs: JsonObject): number {
  let count = 0;
  for (const [, mediaType, items] of outputLists(outputs)) {
    for (const raw of items) {
      const item = normalizeOutputItem(raw);
      if (item && isPreviewable(mediaType, item)) count += 1;
    }
  }
  return count;
}

/** Outputs as the single-job answer carries them: null items dropped, bare 3D filenames made file items. */
export function normalizeOutputs(outputs: JsonObject): JsonObject {
  const normalized: JsonObject = {};
  for (const [nodeId, nodeOutputs] of Object.entries(outputs)) {
    if (!isJsonObject(nodeOutputs)) {
      normalized[nodeId] = nodeOutputs;
      continue;
    }
    const node: JsonObject = {};
    for (const [mediaType, items] of Object.entries(nodeOutputs)) {
      node[mediaType] =
        mediaType === 'animated' || !isList(items)
          ? items
          : items.filter((item) => item !== null).map((item) => normalizeOutputItem(item) ?? item);
    }
    normalized[nodeId] = node;
  }
  return normalized;
}
