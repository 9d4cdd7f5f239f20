import type { UiImageRef, WsMessage } from '../../../shared/protocol.js';

/**
 * Step previews per node, kept as ComfyUI's nodeOutputStore keeps them: a node's latest preview stays on it after
 * its step (and after the run) until that node's own `executed` images have loaded in its place, so the node never
 * shows neither. Pure: object URLs that stop being shown are handed back for the caller to revoke.
 */

export interface NodePreview {
  /** Object URL of the latest step preview. */
  readonly url: string;
  /** The prompt whose step it shows: the node shows it while its run state is of that prompt (not another tab's). */
  readonly promptId?: string;
  /** Set once the node's `executed` images are announced: their imagesKey; the preview goes when they have loaded. */
  readonly replacedBy?: string;
}

export type Previews = Readonly<Record<string, NodePreview>>;

export interface PreviewUpdate {
  readonly previews: Previews;
  /** Object URLs no longer shown. */
  readonly revoked: readonly string[];
}

/** Names a node's output images (the same images give the same key). */
export function imagesKey(images: readonly UiImageRef[]): string {
  return images.map((image) => `${image.type}/${image.subfolder}/${image.filename}`).join('|');
}

/** A new step preview for a node: it replaces the node's previous one (and waits for images of its own run). */
export function previewArrived(previews: Previews, nodeId: string, url: string, promptId?: string): PreviewUpdate {
  const old = previews[nodeId];
  const preview: NodePreview = promptId !== undefined ? { url, promptId } : { url };
  return { previews: { ...previews, [nodeId]: preview }, revoked: old && old.url !== url ? [old.url] : [] };
}

/** The preview a node shows: one of the prompt its (visible) run state is of. */
export function shownPreview(
  preview: NodePreview | undefined,
  runPromptId: string | undefined,
): NodePreview | undefined {
  return preview && (preview.promptId === undefined || preview.promptId === runPromptId) ? preview : undefined;
}

/** `executed` messages with images: each such node's preview now waits for those images to load. */
export function imagesAnnounced(previews: Previews, messages: readonly WsMessage[]): Previews {
  let next = previews;
  for (const message of messages) {
    if (message.type !== 'executed') continue;
    const images = message.data.output?.images ?? [];
    const preview = next[message.data.node];
    if (!preview || images.length === 0) continue;
    next = { ...next, [message.data.node]: { ...preview, replacedBy: imagesKey(images) } };
  }
  return next;
}

/** The node's images with this key have loaded: the preview they replace goes (a newer preview stays). */
export function imagesShown(previews: Previews, nodeId: string, key: string): PreviewUpdate {
  const preview = previews[nodeId];
  if (!preview || preview.replacedBy !== key) return { previews, revoked: [] };
  const { [nodeId]: _gone, ...rest } = previews;
  return { previews: rest, revoked: [preview.url] };
}
