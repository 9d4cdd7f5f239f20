import type { PromptQueue } from '../../server/prompt-queue.js';
import { historyEntrySchema, type HistoryEntry } from '../../shared/protocol.js';

/** History as `GET /history` would answer it with no byte cap, parsed and checked against ComfyUI's shape. */
export function historyOf(queue: PromptQueue, maxItems?: number, offset?: number): Record<string, HistoryEntry> {
  const plan = queue.historyAnswer(maxItems, offset, Number.MAX_SAFE_INTEGER);
  return Object.fromEntries(
    queue.historyTexts(plan.refs).map(({ promptId, text }) => [promptId, historyEntrySchema.parse(JSON.parse(text))]),
  );
}

export function historyEntryOf(queue: PromptQueue, promptId: string): HistoryEntry | undefined {
  const text = queue.historyText(promptId);
  return text === undefined ? undefined : historyEntrySchema.parse(JSON.parse(text));
}
