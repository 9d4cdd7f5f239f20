import type { StepPreview } from './engine/engine-events.js';

/**
 * How long after its step a step preview may reach the main thread and still be drawn. When steps come faster than
 * their previews can be encoded (a tiny model, a large image), the main thread would fall ever further behind the
 * engine, and with it the answers to `/interrupt`, the run's end and every other request; past this lag it skips the
 * stale pictures and catches up. A real model's steps take far longer than a preview, so none is skipped.
 */
export const PREVIEW_MAX_LAG_MS = 250;

/**
 * Whether a step's preview is still worth encoding and sending: full-size images a node streams always are (they
 * are outputs), as is the last step's picture; other previews only while the main thread keeps up with the engine.
 */
export function shouldSendPreview(
  preview: StepPreview,
  step: { value: number; max: number; reportedAt: number },
  now: number,
  maxLagMs: number = PREVIEW_MAX_LAG_MS,
): boolean {
  // A relayed preview was paced where it was made (by the same rule, with that machine's clock).
  if (preview.kind === 'image' || preview.kind === 'encoded') return true;
  if (step.value >= step.max) return true;
  return now - step.reportedAt <= maxLagMs;
}
