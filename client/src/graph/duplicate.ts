import type { ObjectInfo } from '../../../shared/node-spec.js';
import { copySelection, pasteWorkflowText } from './clipboard.js';
import type { EditorGraph } from './types.js';

/** The selected nodes pasted again, offset and selected, as Ctrl+D does, without the system clipboard. Pure. */
export function duplicateSelection(
  graph: EditorGraph,
  selected: ReadonlySet<string>,
  objectInfo: ObjectInfo,
): EditorGraph {
  const pasted = pasteWorkflowText(graph, copySelection(graph, selected), objectInfo);
  return pasted.ok ? pasted.value.graph : graph;
}
