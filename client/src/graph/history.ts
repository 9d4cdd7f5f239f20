/**
 * Undo/redo for the document, grouped as people expect: one step per drag, per typing burst in one field, per
 * command. A change with the same group key as the last one, within `windowMs`, amends that step. Pure.
 */

export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  readonly lastGroup: string | undefined;
  readonly lastAt: number;
}

export const HISTORY_LIMIT = 64;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [], lastGroup: undefined, lastAt: 0 };
}

export function commit<T>(
  history: History<T>,
  next: T,
  options: { group?: string; now: number; windowMs?: number },
): History<T> {
  if (next === history.present) return history;
  const windowMs = options.windowMs ?? 1000;
  const amend =
    options.group !== undefined && options.group === history.lastGroup && options.now - history.lastAt <= windowMs;
  if (amend) return { ...history, present: next, future: [], lastAt: options.now };
  const past = [...history.past, history.present].slice(-HISTORY_LIMIT);
  return { past, present: next, future: [], lastGroup: options.group, lastAt: options.now };
}

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past[history.past.length - 1];
  if (previous === undefined) return history;
  return {
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
    lastGroup: undefined,
    lastAt: 0,
  };
}

export function redo<T>(history: History<T>): History<T> {
  const next = history.future[0];
  if (next === undefined) return history;
  return {
    past: [...history.past, history.present],
    present: next,
    future: history.future.slice(1),
    lastGroup: undefined,
    lastAt: 0,
  };
}

/** Group keys for the usual edits. */
export const groupKeys = {
  typing: (nodeId: string, field: string): string => `type:${nodeId}:${field}`,
  drag: (nodeIds: readonly string[]): string => `drag:${[...nodeIds].sort().join(',')}`,
  resize: (nodeIds: readonly string[]): string => `resize:${[...nodeIds].sort().join(',')}`,
};
