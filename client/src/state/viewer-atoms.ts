import { atom } from 'jotai';
import type { HistoryEntry, UiImageRef } from '../../../shared/protocol.js';
import { api } from '../api/server-api.js';
import { galleryImages, historyImages, type GalleryFilter } from '../execution/gallery.js';
import { openAt, viewerSequence } from '../execution/viewer-runs.js';
import { galleryAtom } from './atoms.js';

/** The output viewer's state: the server's past runs (the gallery's and the viewer's source), and what is open. */

/** How many past runs the gallery and the viewer read back from the server's history. */
const HISTORY_RUNS = 200;

/** The server's history entries, oldest first (as GET /history lists them). */
export const runHistoryAtom = atom<readonly HistoryEntry[]>([]);

/** True while a read of the history is under way (the viewer says so rather than "not in the history"). */
export const runHistoryLoadingAtom = atom(false);

let historyRequest = 0;
/** Reads the history again; an answer that a later request overtook is dropped. */
export const refreshRunHistoryAtom = atom(null, async (_get, set) => {
  const request = ++historyRequest;
  set(runHistoryLoadingAtom, true);
  const result = await api.history(HISTORY_RUNS);
  if (request !== historyRequest) return;
  if (result.ok) set(runHistoryAtom, Object.values(result.value));
  set(runHistoryLoadingAtom, false);
});

export const galleryFilterAtom = atom<GalleryFilter>('saved');

/** The gallery as it shows: newest first, saved images only unless temp previews are asked for. */
export const galleryListAtom = atom((get) =>
  galleryImages(historyImages(get(runHistoryAtom)), get(galleryAtom), get(galleryFilterAtom)),
);

export type CompareMode = 'side' | 'slider';

export type ViewerState =
  | {
      readonly kind: 'lightbox';
      readonly images: readonly UiImageRef[];
      readonly index: number;
      /** "Compare with…": the next image chosen is compared with this one. */
      readonly picking: boolean;
    }
  | {
      readonly kind: 'compare';
      readonly left: UiImageRef;
      readonly right: UiImageRef;
      readonly mode: CompareMode;
    };

export const viewerAtom = atom<ViewerState | undefined>(undefined);

/**
 * Opens the lightbox on `image`. From a node, `batch` is that run's images: the arrow keys step through them first,
 * then on through the gallery; from the gallery, through the gallery in its order.
 */
export const openViewerAtom = atom(
  null,
  (get, set, { image, batch }: { readonly image: UiImageRef; readonly batch?: readonly UiImageRef[] }) => {
    const gallery = get(galleryListAtom);
    const { images, index } = openAt(batch ? viewerSequence(batch, gallery) : gallery, image);
    set(viewerAtom, { kind: 'lightbox', images, index, picking: false });
    void set(refreshRunHistoryAtom);
  },
);

export const openCompareAtom = atom(null, (_get, set, { left, right }: { left: UiImageRef; right: UiImageRef }) => {
  set(viewerAtom, { kind: 'compare', left, right, mode: 'slider' });
  void set(refreshRunHistoryAtom);
});
