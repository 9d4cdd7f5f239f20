import type { PreviewMethod, ProgressUpdate } from '../../nodes/contract/node-context.js';
import type { StepPreview } from '../engine/engine-events.js';

/**
 * The preview a node's progress update carries, as the engine sends it to the main thread: a full-size image
 * always (it is an output, as ComfyUI's SaveImageWebsocket streams it); a step preview, pixels before a latent,
 * unless the job's preview method is "none".
 */
export function stepPreviewOf(update: ProgressUpdate, method: PreviewMethod): StepPreview | undefined {
  if (update.image) return { kind: 'image', image: update.image };
  if (method === 'none') return undefined;
  if (update.preview) return { kind: 'preview', image: update.preview };
  if (update.latentPreview) return { kind: 'latent', latent: update.latentPreview };
  return undefined;
}
