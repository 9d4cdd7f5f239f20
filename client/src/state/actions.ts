import { useAtomValue, useSetAtom, useStore } from 'jotai';
import { useCallback } from 'react';
import type { NodeError } from '../../../shared/protocol.js';
import { compileWorkflow } from '../../../shared/workflow-compile.js';
import { toLitegraph } from '../../../shared/litegraph-export.js';
import { fromLitegraph, isLitegraphWorkflow } from '../../../shared/litegraph-import.js';
import { parseWorkflowDocument, toApiPrompt } from '../../../shared/workflow.js';
import { api } from '../api/server-api.js';
import { queued } from '../execution/execution-state.js';
import { nodesToRun } from '../execution/nodes-to-run.js';
import { errorTypePrefix, validationLines, withSubgraphErrors } from '../execution/run-errors.js';
import { autoLayout } from '../graph/layout.js';
import { describeMissingNodes, missingNodes } from '../graph/missing-nodes.js';
import { adoptSeeds, applySeedControls } from '../graph/node-factory.js';
import { graphToWorkflow, workflowToGraph } from '../graph/workflow-graph.js';
import type { EditorGraph } from '../graph/types.js';
import { createTab, markSaved } from '../graph/workflow-tabs.js';
import { useT } from '../i18n/use-t.js';
import {
  activeTabAtom,
  clientId,
  executionAtom,
  historyAtom,
  localeAtom,
  newTabId,
  nodeErrorsAtom,
  objectInfoAtom,
  openTabAtom,
  promptTabsAtom,
  showToastAtom,
  tabsAtom,
  updateGraphAtom,
  workflowNameAtom,
} from './atoms.js';
import { useConfirm } from './confirm.js';

const ESTIMATED_SIZE = { width: 300, height: 200 };

/** Server node_errors → messages by node and input name ('' for the node itself). */
export function errorsByNode(nodeErrors: Record<string, NodeError>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [id, entry] of Object.entries(nodeErrors)) {
    out[id] = {};
    for (const error of entry.errors) {
      const input = typeof error.extra_info.input_name === 'string' ? error.extra_info.input_name : '';
      out[id][input] = `${error.message}${error.details && error.details !== input ? `: ${error.details}` : ''}`;
    }
  }
  return out;
}

export function useEditorActions() {
  const t = useT();
  const store = useStore();
  const objectInfo = useAtomValue(objectInfoAtom);
  const openTab = useSetAtom(openTabAtom);
  const confirm = useConfirm();
  const updateGraph = useSetAtom(updateGraphAtom);
  const showToast = useSetAtom(showToastAtom);
  const setNodeErrors = useSetAtom(nodeErrorsAtom);
  const setExecution = useSetAtom(executionAtom);

  const loadDocument = useCallback(
    (json: unknown, name?: string, options: { readonly libraryName?: string } = {}): boolean => {
      if (!objectInfo) return false;
      // ComfyUI's UI format (what ComfyUI saves and most shared workflows are) is converted first; nodes of types
      // the server lacks are kept (shown as missing) rather than refusing the file, as ComfyUI's frontend does.
      // Subgraphs stay subgraphs (ComfyUI's definitions.subgraphs), to be opened and edited.
      const converted = isLitegraphWorkflow(json)
        ? fromLitegraph(json, objectInfo, { keepMissing: true, keepSubgraphs: true })
        : undefined;
      if (converted && !converted.ok) {
        showToast({ kind: 'error', text: `${t('loadFailed')}: ${converted.reason}` });
        return false;
      }
      const document = parseWorkflowDocument(converted?.ok ? converted.value : json);
      if (!document.ok) {
        showToast({ kind: 'error', text: `${t('loadFailed')}: ${document.reason}` });
        return false;
      }
      const { graph, needsLayout } = workflowToGraph(document.value.envelope, objectInfo);
      // In the current tab when it has no changes, else in a new tab (ComfyUI's rule): opening loses nothing.
      openTab(
        createTab(newTabId(), needsLayout ? autoLayout(graph, () => ESTIMATED_SIZE) : graph, name ?? '', options),
      );
      setNodeErrors({});
      return true;
    },
    [objectInfo, openTab, setNodeErrors, showToast, t],
  );

  const currentDocument = useCallback(() => graphToWorkflow(store.get(historyAtom).present), [store]);

  const run = useCallback(
    async (batchCount: number): Promise<void> => {
      if (!objectInfo) return;
      // Refused before seeds move: nothing about the graph changes when it cannot run.
      const missing = missingNodes(currentDocument(), objectInfo);
      if (missing.length > 0) {
        showToast({
          kind: 'error',
          text: `${t('runFailed')}: ${t('missingNodesRefused', { nodes: describeMissingNodes(missing) })}`,
        });
        return;
      }
      const queuedFrom = store.get(tabsAtom).activeId;
      for (let batch = 0; batch < batchCount; batch++) {
        // The prompt carries the moved seeds, so the seed on the node is the seed of the image; the node shows them
        // only once the server takes the prompt (a refused run leaves them), and never as an undo step (ComfyUI's
        // control_after_generate is not one either).
        const seeded = applySeedControls(store.get(historyAtom).present, objectInfo, Math.random);
        const document = graphToWorkflow(seeded);
        const prompt = compileWorkflow(document, objectInfo);
        // ComfyUI opens the `workflow` chunk (its UI format); Inkgraph opens its own `inkgraph` chunk first.
        const result = await api.queuePrompt(prompt, clientId, {
          inkgraph: document,
          workflow: toLitegraph(document, objectInfo),
        });
        if (!result.ok) {
          const { message, nodeErrors, error } = result.reason;
          const locale = store.get(localeAtom);
          setNodeErrors(nodeErrors ? withSubgraphErrors(errorsByNode(nodeErrors)) : {});
          showToast({
            kind: 'error',
            // Every node error, not only the first (the details name only one): the canvas may not show their nodes.
            ...(nodeErrors && Object.keys(nodeErrors).length > 0
              ? {
                  text: `${t('runFailed')}: ${errorTypePrefix(locale, error?.type)}${message}`,
                  lines: validationLines(store.get(historyAtom).present, nodeErrors, locale),
                }
              : {
                  text: `${t('runFailed')}: ${errorTypePrefix(locale, error?.type)}${message}${error?.details ? ` — ${error.details.split('\n')[0]}` : ''}`,
                }),
          });
          return;
        }
        updateGraph({ record: false, update: (graph: EditorGraph) => adoptSeeds(graph, seeded) });
        setNodeErrors({});
        const { prompt_id: promptId } = result.value;
        setExecution((state) => queued(state, nodesToRun(prompt, objectInfo), promptId));
        // Its progress shows on this tab's nodes only.
        store.set(promptTabsAtom, (owners) => ({ ...owners, [promptId]: queuedFrom }));
      }
    },
    [currentDocument, objectInfo, setExecution, setNodeErrors, showToast, store, t, updateGraph],
  );

  const save = useCallback(
    async (name: string, tabId?: string): Promise<boolean> => {
      // Saving over another library entry asks first, as ComfyUI does; saving the tab's own entry again does not.
      // The shown tab, unless another is named (closing a tab saves it).
      const shown = store.get(activeTabAtom);
      const tab = store.get(tabsAtom).tabs.find((candidate) => candidate.id === tabId) ?? shown;
      const document = graphToWorkflow(tab.history.present);
      if (tab.libraryName !== name) {
        const library = await api.workflows();
        const taken = library.ok && library.value.some((entry) => entry.name === name);
        if (
          taken &&
          !(await confirm({
            title: t('overwriteTitle', { name }),
            message: t('overwriteQuestion', { name }),
            confirmLabel: t('overwrite'),
            danger: true,
          }))
        )
          return false;
      }
      const result = await api.saveWorkflow(name, document);
      if (!result.ok) {
        showToast({ kind: 'error', text: result.reason.message });
        return false;
      }
      store.set(tabsAtom, (state) => markSaved(state, tab.id, name, document));
      showToast({ kind: 'info', text: `${t('saved')}: ${name}` });
      return true;
    },
    [confirm, showToast, store, t],
  );

  const download = useCallback(
    (api: boolean): void => {
      const document = currentDocument();
      const body = JSON.stringify(
        api ? toApiPrompt({ ...document, prompt: compileWorkflow(document, objectInfo ?? {}) }) : document,
        null,
        2,
      );
      const link = Object.assign(window.document.createElement('a'), {
        href: URL.createObjectURL(new Blob([body], { type: 'application/json' })),
        download: `${store.get(workflowNameAtom) || 'workflow'}${api ? '.api' : ''}.json`,
      });
      link.click();
      URL.revokeObjectURL(link.href);
    },
    [currentDocument, objectInfo, store],
  );

  return { loadDocument, currentDocument, run, save, download };
}
