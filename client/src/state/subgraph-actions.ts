import { useSetAtom, useStore } from 'jotai';
import { useCallback } from 'react';
import { selectedIds } from '../graph/node-edits.js';
import { renameSubgraphSlot, reorderSubgraphSlot } from '../../../shared/subgraph.js';
import type { WorkflowEnvelope } from '../../../shared/workflow.js';
import {
  changeDocument,
  convertNodesToSubgraph,
  leaveSubgraphs,
  openSubgraph,
  unpackSubgraphNode,
} from '../graph/subgraph-edits.js';
import { useT } from '../i18n/use-t.js';
import { graphAtom, objectInfoAtom, showToastAtom, updateGraphAtom, viewRequestAtom } from './atoms.js';
import { blueprintsAtom, missingBlueprints, publish as publishIn, withDependencies } from './blueprints.js';

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

  /** Saves a subgraph node's subgraph (and those it uses) as a blueprint, listed in every workflow's library. */
  const publish = useCallback(
    (nodeId: string): void => {
      const graph = store.get(graphAtom);
      const node = graph.nodes.find((candidate) => candidate.id === nodeId);
      const type = node?.type === 'ink' ? node.data.classType : undefined;
      const definitions = withDependencies(type ?? '', graph.definitions?.subgraphs ?? []);
      if (definitions.length === 0) return;
      store.set(blueprintsAtom, publishIn(store.get(blueprintsAtom), definitions));
      store.set(showToastAtom, { kind: 'info', text: `${t('subgraph.published')}: ${definitions[0]!.name}` });
    },
    [store, t],
  );

  /**
   * A blueprint placed from the library brings its definition into the document (not an undo step of its own: undoing
   * the placement removes the node, and an unused definition is harmless).
   */
  const adoptBlueprints = useCallback((): void => {
    const graph = store.get(graphAtom);
    const have = graph.definitions?.subgraphs ?? [];
    const types = graph.nodes.flatMap((node) => (node.type === 'ink' ? [node.data.classType] : []));
    const missing = missingBlueprints(types, have, store.get(blueprintsAtom));
    if (missing.length === 0) return;
    updateGraph({
      record: false,
      update: (current) => ({
        ...current,
        definitions: { subgraphs: [...(current.definitions?.subgraphs ?? []), ...missing] },
      }),
    });
  }, [store, updateGraph]);

  /** Applies an edit to the document of the open subgraph's definition (one undo step). */
  const editOpenSubgraph = useCallback(
    (edit: (document: WorkflowEnvelope, definitionId: string) => WorkflowEnvelope): void => {
      const objectInfo = store.get(objectInfoAtom);
      const definitionId = store.get(graphAtom).scope?.definitionId;
      if (!objectInfo || definitionId === undefined) return;
      const titles = { inputs: t('subgraph.inputs'), outputs: t('subgraph.outputs') };
      updateGraph({
        update: (graph) => changeDocument(graph, objectInfo, titles, (document) => edit(document, definitionId)),
      });
    },
    [store, t, updateGraph],
  );

  /** Moves an input or output of the open subgraph from one place to another. */
  const reorder = useCallback(
    (kind: 'inputs' | 'outputs', from: number, to: number): void =>
      editOpenSubgraph((document, definitionId) => reorderSubgraphSlot(document, definitionId, kind, from, to)),
    [editOpenSubgraph],
  );

  /** Renames an input or output of the open subgraph (made unique among its kind). */
  const rename = useCallback(
    (kind: 'inputs' | 'outputs', index: number, name: string): void =>
      editOpenSubgraph((document, definitionId) =>
        renameSubgraphSlot(document, definitionId, kind, index, name.trim()),
      ),
    [editOpenSubgraph],
  );

  return { convert, unpack, open, leave, publish, adoptBlueprints, reorder, rename };
}
