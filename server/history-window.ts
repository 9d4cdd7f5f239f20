/**
 * Which history entries a request names, by index in finish order, as ComfyUI reads `max_items` and `offset`:
 * neither gives all, `max_items` alone the last N, `offset` the N (or all) from that index.
 */
export function historyWindow(total: number, maxItems?: number, offset?: number): { from: number; count: number } {
  if (offset !== undefined) {
    const from = Math.max(0, offset);
    const available = Math.max(0, total - from);
    return { from, count: maxItems !== undefined ? Math.min(Math.max(0, maxItems), available) : available };
  }
  if (maxItems !== undefined) {
    const count = Math.max(0, Math.min(maxItems, total));
    return { from: total - count, count };
  }
  return { from: 0, count: total };
}

/** What one entry adds to a `{"id": entry, …}` answer: its key, the colon, its text and a comma or the brace. */
export function entryAnswerBytes(promptId: string, entryBytes: number): number {
  return Buffer.byteLength(JSON.stringify(promptId)) + 1 + entryBytes + 1;
}

/**
 * How many of the oldest entries an answer of at most `capBytes` must leave out, keeping the newest (the ones
 * `max_items` keeps): as many whole entries as fit, and always at least one.
 */
export function leftOutForBytes(
  entries: readonly { readonly promptId: string; readonly bytes: number }[],
  capBytes: number,
): number {
  let used = 1; // the opening brace
  let kept = 0;
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    used += entryAnswerBytes(entry.promptId, entry.bytes);
    if (used > capBytes && kept > 0) break;
    kept += 1;
  }
  return entries.length - kept;
}
