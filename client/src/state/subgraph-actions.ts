import { useSetAtom, useStore } from 'jotai';
import { useCallback } from 'react';
import { selectedIds } from '../graph/node-edits.js';
import { convertNodesToSubgraph, unpackSubgraphNode } from '../graph/subgraph-edits.js';
import { useT } from '../i18n/use-t.js';
import { graphAtom, objectInfoAtom, updateGraphAtom } from './atoms.js';

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

  return { convert, unpack };
}
