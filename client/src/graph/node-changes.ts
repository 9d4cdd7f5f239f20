import type { NodeChange } from '@xyflow/react';
import { groupKeys } from './history.js';

/** How a batch of React Flow node changes enters the undo history. */
export interface ChangeRecording {
  /** false: the document changes without an undo step (selection, measured sizes). */
  readonly record: boolean;
  readonly group?: string;
}

/**
 * Adding, removing or replacing nodes is a step of its own; a drag is one step per dragged set, a resize one per
 * resized node (its corner's moves amend that step); selection and sizes React Flow measured are no steps. Pure.
 */
export function changeRecording<N extends NodeChange>(changes: readonly N[]): ChangeRecording {
  const structural = changes.some(
    (change) => change.type === 'remove' || change.type === 'add' || change.type === 'replace',
  );
  const moved = changes.flatMap((change) => (change.type === 'position' ? [change.id] : []));
  // A resize control's changes carry `resizing`; the sizes React Flow measures do not.
  const resized = changes.flatMap((change) =>
    change.type === 'dimensions' && change.resizing !== undefined ? [change.id] : [],
  );
  if (structural) return { record: true };
  if (resized.length > 0) return { record: true, group: groupKeys.resize(resized) };
  if (moved.length > 0) return { record: true, group: groupKeys.drag(moved) };
  return { record: false };
}
