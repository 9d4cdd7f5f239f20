import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useAtomValue, useSetAtom, useStore } from 'jotai';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { UiImageRef } from '../../../shared/protocol.js';
import { api } from '../api/server-api.js';
import { connectSocket } from '../api/socket.js';
import { reduceAll } from '../execution/execution-state.js';
import { runtimeErrorToast } from '../execution/run-errors.js';
import { copySelection } from '../graph/clipboard.js';
import { duplicateSelection } from '../graph/duplicate.js';
import { autoLayout } from '../graph/layout.js';
import { createNode, defaultTitle, nextNodeId } from '../graph/node-factory.js';
import {
  groupSelection,
  nodeSize,
  selectAll,
  selectedIds,
  toggleCollapsedOfSelected,
  toggleModeOfSelected,
} from '../graph/node-edits.js';
import { graphToWorkflow } from '../graph/workflow-graph.js';
import { useT } from '../i18n/use-t.js';
import { usePasteAtPointer } from '../keyboard/use-paste.js';
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { useEditorActions } from '../state/actions.js';
import { previewFeed } from '../state/preview-feed.js';
import {
  clientId,
  connectedAtom,
  executionAtom,
  galleryAtom,
  graphAtom,
  localeAtom,
  objectInfoAtom,
  vocabulariesAtom,
  modelSizesAtom,
  redoAtom,
  showToastAtom,
  themeAtom,
  undoAtom,
  updateGraphAtom,
  workflowNameAtom,
} from '../state/atoms.js';
import { useTabsStorage } from '../state/tabs-storage.js';
import { Canvas } from './canvas/Canvas.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ShortcutsDialog } from './panels/ShortcutsDialog.js';
import { SidePanel } from './panels/SidePanel.js';
import { Toasts } from './Toasts.js';
import { Toolbar } from './panels/Toolbar.js';
import { ViewerHost } from './viewer/ViewerHost.js';
import { WorkflowTabs } from './panels/WorkflowTabs.js';

const DOCUMENT_KEY = 'inkgraph.document';
const DEFAULT_EXAMPLE = 'text-to-image';
// Below this width the side panel starts closed and opens over the canvas, which keeps the width.
const NARROW = '(max-width: 700px)';

function Editor() {
  const t = useT();
  const store = useStore();
  const objectInfo = useAtomValue(objectInfoAtom);
  const theme = useAtomValue(themeAtom);
  const graph = useAtomValue(graphAtom);
  const updateGraph = useSetAtom(updateGraphAtom);
  const { loadDocument, run, save } = useEditorActions();
  const { fitView, screenToFlowPosition } = useReactFlow();
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [panelOpen, setPanelOpen] = useState(() => !window.matchMedia(NARROW).matches);
  const loaded = useRef(false);
  const { restore: restoreTabs } = useTabsStorage();

  // The document survives a reload; the first visit opens the default workflow.
  useEffect(() => {
    if (!objectInfo || loaded.current) return;
    loaded.current = true;
    // The open tabs come back first; a document stored without tabs (older Inkgraph) opens as the one tab.
    if (restoreTabs()) return;
    const saved = localStorage.getItem(DOCUMENT_KEY);
    if (saved) {
      try {
        const { document, name } = JSON.parse(saved) as { document: unknown; name: string };
        if (loadDocument(document, name)) return;
      } catch {
        // fall through to the default workflow
      }
    }
    void api.loadExample(DEFAULT_EXAMPLE).then((result) => result.ok && loadDocument(result.value, DEFAULT_EXAMPLE));
  }, [loadDocument, objectInfo, restoreTabs]);

  useEffect(() => {
    if (!loaded.current) return;
    const persist = (): void =>
      localStorage.setItem(
        DOCUMENT_KEY,
        JSON.stringify({ document: graphToWorkflow(graph), name: store.get(workflowNameAtom) }),
      );
    const timer = setTimeout(persist, 300);
    // A reload within the debounce still keeps the last edit.
    window.addEventListener('pagehide', persist);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pagehide', persist);
    };
  }, [graph, store]);

  const addNodeAtCentre = useCallback(
    (classType: string) => {
      const info = objectInfo?.[classType];
      if (!info) return;
      const position = screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
      const locale = store.get(localeAtom);
      updateGraph({
        update: (current) => ({
          ...current,
          nodes: [
            ...current.nodes,
            createNode(info, nextNodeId(current), position, defaultTitle(info, locale), locale),
          ],
        }),
      });
    },
    [objectInfo, screenToFlowPosition, store, updateGraph],
  );

  const arrange = useCallback(() => {
    updateGraph({
      update: (current) => autoLayout(current, (id) => nodeSize(current.nodes.find((node) => node.id === id))),
    });
    setTimeout(() => void fitView({ duration: 200 }), 50);
  }, [fitView, updateGraph]);

  useShortcuts('editor', {
    run: () => void run(1),
    save: () => void save(store.get(workflowNameAtom) || 'untitled'),
    undo: () => store.set(undoAtom),
    redo: () => store.set(redoAtom),
    copy: () => {
      const current = store.get(graphAtom);
      void navigator.clipboard?.writeText(copySelection(current, selectedIds(current)));
    },
    duplicate: () => {
      const selected = selectedIds(store.get(graphAtom));
      updateGraph({ update: (current) => duplicateSelection(current, selected, objectInfo ?? {}) });
    },
    selectAll: () => updateGraph({ record: false, update: selectAll }),
    bypass: () => updateGraph({ update: (current) => toggleModeOfSelected(current, 4) }),
    mute: () => updateGraph({ update: (current) => toggleModeOfSelected(current, 2) }),
    collapse: () => updateGraph({ update: toggleCollapsedOfSelected }),
    group: () => {
      if (selectedIds(store.get(graphAtom)).size === 0) return false;
      const id = `group-${Date.now().toString(36)}`;
      updateGraph({ update: (current) => groupSelection(current, id, t('groupTitle')) ?? current });
    },
    autoLayout: arrange,
    fitView: () => void fitView({ duration: 200 }),
    shortcuts: () => setShortcutsOpen((open) => !open),
  });

  usePasteAtPointer();
  const closeShortcuts = useCallback(() => setShortcutsOpen(false), []);

  return (
    <div className={`app theme-${theme}`} data-theme={theme}>
      <Toolbar
        onAutoLayout={arrange}
        onShortcuts={() => setShortcutsOpen(true)}
        panelOpen={panelOpen}
        onTogglePanel={() => setPanelOpen((open) => !open)}
      />
      <WorkflowTabs />
      <main className={panelOpen ? 'panel-open' : 'panel-closed'}>
        <SidePanel onAddNode={addNodeAtCentre} />
        <Canvas />
      </main>
      {shortcutsOpen && <ShortcutsDialog onClose={closeShortcuts} />}
      <ConfirmDialog />
      <Toasts />
      <ViewerHost />
    </div>
  );
}

/** Loads the node specs, keeps the WebSocket, and feeds run-time state. */
export function App() {
  const setObjectInfo = useSetAtom(objectInfoAtom);
  const setVocabularies = useSetAtom(vocabulariesAtom);
  const setModelSizes = useSetAtom(modelSizesAtom);
  const setExecution = useSetAtom(executionAtom);
  const setGallery = useSetAtom(galleryAtom);
  const setConnected = useSetAtom(connectedAtom);
  const showToast = useSetAtom(showToastAtom);
  const store = useStore();
  useEffect(() => {
    void api
      .objectInfo()
      .then((result) =>
        result.ok ? setObjectInfo(result.value) : showToast({ kind: 'error', text: result.reason.message }),
      );
    void api.vocabularies().then((result) => result.ok && setVocabularies(result.value));
    void api.modelSizes().then((result) => result.ok && setModelSizes(result.value));
    const previews = previewFeed(store);
    return connectSocket(clientId, {
      onConnection: setConnected,
      onMessages: (messages) => {
        setExecution((state) => reduceAll(state, messages, performance.now()));
        previews.messages(messages);
        // A node that fails off screen would otherwise fail silently.
        for (const message of messages)
          if (message.type === 'execution_error')
            showToast(runtimeErrorToast(store.get(graphAtom), message.data, store.get(localeAtom)));
        const images: UiImageRef[] = messages.flatMap((message) =>
          message.type === 'executed' ? (message.data.output?.images ?? []) : [],
        );
        if (images.length > 0) setGallery((current) => [...current, ...images].slice(-200));
      },
      onPreview: (preview) => {
        if (preview.nodeId) previews.preview(preview.nodeId, preview.blob, preview.promptId);
      },
    });
  }, [setConnected, setExecution, setGallery, setObjectInfo, setVocabularies, setModelSizes, showToast, store]);
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}
