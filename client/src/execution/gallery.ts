import type { HistoryEntry, UiImageRef } from '../../../shared/protocol.js';

/**
 * The gallery: every image the server's history holds (so it survives a reload) merged with the images this tab saw
 * arrive live, newest first, each once. Pure.
 */

/** 'saved': only images written to the output folder (ComfyUI's type 'output'); 'all' adds temp previews. */
export type GalleryFilter = 'saved' | 'all';

export function imageKey(image: UiImageRef): string {
  return `${image.type}/${image.subfolder}/${image.filename}`;
}

/** Images of history entries given oldest first (as GET /history lists them), in the order each run made them. */
export function historyImages(entries: readonly Pick<HistoryEntry, 'outputs'>[]): UiImageRef[] {
  return entries.flatMap((entry) => Object.values(entry.outputs).flatMap((output) => output.images ?? []));
}

/**
 * `past` and `live` are each oldest first; live images come after the history's (they are this tab's newest),
 * and an image in both counts once, at its newest place.
 */
export function galleryImages(
  past: readonly UiImageRef[],
  live: readonly UiImageRef[],
  filter: GalleryFilter,
): UiImageRef[] {
  const seen = new Set<string>();
  const out: UiImageRef[] = [];
  const all = [...past, ...live];
  for (let index = all.length - 1; index >= 0; index--) {
    const image = all[index]!;
    const key = imageKey(image);
    if (seen.has(key) || (filter === 'saved' && image.type !== 'output')) continue;
    seen.add(key);
    out.push(image);
  }
  return out;
}
