import type { HistoryEntry, UiImageRef } from '../../../shared/protocol.js';
import type { ApiPrompt } from '../../../shared/workflow.js';
import { imageKey } from './gallery.js';

/**
 * The output viewer's pure rules: which run made an image, the order the arrow keys step in, the document "Load this
 * workflow" opens, and the pair of images a compare shows.
 */

export interface ImageRun {
  readonly promptId: string;
  /** The output node whose images include it. */
  readonly nodeId: string;
  readonly prompt: ApiPrompt;
  /** The run's batch: every image that node made in that run, in order. */
  readonly batch: readonly UiImageRef[];
  readonly document: unknown;
}

/** The run (history entries oldest first, as GET /history lists them) that made `image`; the newest if several. */
export function runOfImage(entries: readonly HistoryEntry[], image: UiImageRef): ImageRun | undefined {
  const key = imageKey(image);
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    for (const [nodeId, output] of Object.entries(entry.outputs)) {
      const batch = output.images ?? [];
      if (!batch.some((candidate) => imageKey(candidate) === key)) continue;
      return { promptId: entry.prompt[1], nodeId, prompt: entry.prompt[2], batch, document: runDocument(entry) };
    }
  }
  return undefined;
}

/**
 * The document a run was queued from, as "Load this workflow" opens it: Inkgraph's own chunk first, else ComfyUI's
 * UI-format workflow, else the API prompt itself.
 */
export function runDocument(entry: Pick<HistoryEntry, 'prompt'>): unknown {
  const info = entry.prompt[3].extra_pnginfo ?? {};
  for (const chunk of ['inkgraph', 'workflow'])
    if (typeof info[chunk] === 'object' && info[chunk] !== null) return info[chunk];
  return entry.prompt[2];
}

/** The images the arrow keys step through: the run's batch in order, then the gallery as it shows them, each once. */
export function viewerSequence(batch: readonly UiImageRef[], gallery: readonly UiImageRef[]): UiImageRef[] {
  const seen = new Set<string>();
  const out: UiImageRef[] = [];
  for (const image of [...batch, ...gallery]) {
    const key = imageKey(image);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(image);
  }
  return out;
}

/** The image `image` opens at within `sequence`; an image missing from it is put first. */
export function openAt(
  sequence: readonly UiImageRef[],
  image: UiImageRef,
): { readonly images: UiImageRef[]; readonly index: number } {
  const index = sequence.findIndex((candidate) => imageKey(candidate) === imageKey(image));
  return index >= 0 ? { images: [...sequence], index } : { images: [image, ...sequence], index: 0 };
}

/** One step of ←/→: stops at either end rather than wrapping, so the counter never jumps. */
export function step(index: number, delta: number, length: number): number {
  if (length === 0) return 0;
  return Math.min(length - 1, Math.max(0, index + delta));
}

/**
 * Ctrl+click in the gallery picks images to compare: a picked one is unpicked, and a third pick drops the oldest,
 * so at most two are picked.
 */
export function togglePick(picked: readonly string[], key: string): string[] {
  if (picked.includes(key)) return picked.filter((candidate) => candidate !== key);
  return [...picked, key].slice(-2);
}
