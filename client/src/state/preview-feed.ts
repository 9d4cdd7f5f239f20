import type { useStore } from 'jotai';
import type { WsMessage } from '../../../shared/protocol.js';
import { imagesAnnounced, previewArrived } from '../execution/previews.js';
import { previewsAtom } from './atoms.js';

type Store = ReturnType<typeof useStore>;

export interface PreviewFeed {
  readonly preview: (nodeId: string, blob: Blob, promptId?: string) => void;
  readonly messages: (messages: readonly WsMessage[]) => void;
}

/**
 * Feeds step previews into previewsAtom. Each preview is decoded before the node is given it, so its <img> swaps
 * from one decoded picture to the next and never draws an empty frame; the `executed` images that replace a
 * preview are applied in arrival order, after the previews that came before them.
 */
export function previewFeed(store: Store): PreviewFeed {
  let chain: Promise<void> = Promise.resolve();
  const then = (step: () => Promise<void> | void): void => {
    chain = chain.then(step).catch(() => undefined);
  };
  return {
    preview: (nodeId, blob, promptId) => {
      const url = URL.createObjectURL(blob);
      const image = new Image();
      image.src = url;
      const decoded = image.decode().catch(() => undefined);
      then(async () => {
        await decoded;
        const update = previewArrived(store.get(previewsAtom), nodeId, url, promptId);
        for (const old of update.revoked) URL.revokeObjectURL(old);
        store.set(previewsAtom, update.previews);
      });
    },
    messages: (messages) => {
      if (!messages.some((message) => message.type === 'executed')) return;
      then(() => store.set(previewsAtom, imagesAnnounced(store.get(previewsAtom), messages)));
    },
  };
}
