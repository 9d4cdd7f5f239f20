import { useSetAtom, useStore } from 'jotai';
import { useCallback } from 'react';
import { selectedIds } from '../graph/node-edits.js';
import { convertNodesToSubgraph, leaveSubgraphs, openSubgraph, unpackSubgraphNode } from '../graph/subgraph-edits.js';
import { useT } from '../i18n/use-t.js';
import { graphAtom, objectInfoAtom, updateGraphAtom, viewRequestAtom } from './atoms.js';

/** The subgraph commands as the menu and the keys run them: each one undo step, doing nothing where it cannot. */
export function useSubgraphActions() {
  const t = useT();
  const store = useStore();
  const updateGraph = useSetAtom(updateGraphAtom);

  /** Converts `targets` (default: the selection); false when there is nothing to convert. */
  const convert = useCallback(
    (targets?: ReadonlySet<string>): boolean => {
      const objectInfo = store.get(objectInfoAtom);
      const graph = store.get(graphAtom);
      const chosen = targets ?? selectedIds(graph);
      if (!objectInfo || chosen.size === 0) return false;
      const ids = { definitionId: crypto.randomUUID(), slotId: () => crypto.randomUUID() };
      const next = convertNodesToSubgraph(graph, chosen, objectInfo, ids, t('subgraph.newName'));
      if (!next) return false;
      updateGraph({ update: () => next });
      return true;
    },
    [store, t, updateGraph],
  );

  const unpack = useCallback(
    (nodeId: string): void => {
      const objectInfo = store.get(objectInfoAtom);
      if (!objectInfo) return;
      updateGraph({ update: (graph) => unpackSubgraphNode(graph, nodeId, objectInfo) ?? graph });
    },
    [store, updateGraph],
  );

  /**
   * Shows the inside of a subgraph node; false when it is none. Going in and out is no undo step (undo takes back
   * edits, and shows where they were made).
   */
  const open = useCallback(
    (nodeId: string): boolean => {
      const objectInfo = store.get(objectInfoAtom);
      const graph = store.get(graphAtom);
      const inside = objectInfo
        ? openSubgraph(graph, nodeId, objectInfo, { inputs: t('subgraph.inputs'), outputs: t('subgraph.outputs') })
        : undefined;
      if (!inside) return false;
      updateGraph({ record: false, update: () => inside });
      store.set(viewRequestAtom, (request) => request + 1);
      return true;
    },
    [store, t, updateGraph],
  );

  /** Back out of `levels` open subgraphs (default: to the workflow itself). */
  const leave = useCallback(
    (levels?: number): void => {
      updateGraph({ record: false, update: (graph) => leaveSubgraphs(graph, levels) });
      store.set(viewRequestAtom, (request) => request + 1);
    },
    [store, updateGraph],
  );

  return { convert, unpack, open, leave };
}
