import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useAtomValue, useSetAtom, useStore } from 'jotai';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { UiImageRef } from '../../../shared/protocol.js';
import { api } from '../api/server-api.js';
import { connectSocket } from '../api/socket.js';
import { reduceAll } from '../execution/execution-state.js';
import { copySelection, pasteWorkflowText } from '../graph/clipboard.js';
import { autoLayout } from '../graph/layout.js';
import { createNode, nextNodeId } from '../graph/node-factory.js';
import type { EditorGraph, EditorNode, NodeMode } from '../graph/types.js';
import { graphToWorkflow } from '../graph/workflow-graph.js';
import { useT } from '../i18n/use-t.js';
import { useEditorActions } from '../state/actions.js';
import {
  clientId,
  connectedAtom,
  executionAtom,
  galleryAtom,
  graphAtom,
  objectInfoAtom,
  vocabulariesAtom,
  previewsAtom,
  redoAtom,
  showToastAtom,
  themeAtom,
  toastsAtom,
  undoAtom,
  updateGraphAtom,
  workflowNameAtom,
} from '../state/atoms.js';
import { Canvas } from './canvas/Canvas.js';
import { SidePanel } from './panels/SidePanel.js';
import { Toolbar } from './panels/Toolbar.js';

const DOCUMENT_KEY = 'inkgraph.document';
const DEFAULT_EXAMPLE = 'text-to-image';

function Editor() {
  const t = useT();
  const store = useStore();
  const objectInfo = useAtomValue(objectInfoAtom);
  const theme = useAtomValue(themeAtom);
  const toasts = useAtomValue(toastsAtom);
  const graph = useAtomValue(graphAtom);
  const updateGraph = useSetAtom(updateGraphAtom);
  const showToast = useSetAtom(showToastAtom);
  const { loadDocument, run, save } = useEditorActions();
  const { fitView, screenToFlowPosition } = useReactFlow();
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const loaded = useRef(false);

  // The document survives a reload; the first visit opens the default workflow.
  useEffect(() => {
    if (!objectInfo || loaded.current) return;
    loaded.current = true;
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
  }, [loadDocument, objectInfo]);

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
      updateGraph({
        update: (current) => ({
          ...current,
          nodes: [...current.nodes, createNode(info, nextNodeId(current), position, info.display_name)],
        }),
      });
    },
    [objectInfo, screenToFlowPosition, updateGraph],
  );

  const arrange = useCallback(() => {
    updateGraph({
      update: (current) =>
        autoLayout(current, (id) => ({
          width: current.nodes.find((node) => node.id === id)?.measured?.width ?? 300,
          height: current.nodes.find((node) => node.id === id)?.measured?.height ?? 200,
        })),
    });
    setTimeout(() => void fitView({ duration: 200 }), 50);
  }, [fitView, updateGraph]);

  useEffect(() => {
    const selected = (current: EditorGraph): Set<string> =>
      new Set(current.nodes.filter((node) => node.selected).map((node) => node.id));
    const setMode = (mode: NodeMode) =>
      updateGraph({
        update: (current) => ({
          ...current,
          nodes: current.nodes.map((node) =>
            node.selected && node.type === 'ink'
              ? { ...node, data: { ...node.data, mode: node.data.mode === mode ? 0 : mode } }
              : node,
          ),
        }),
      });
    const onKey = (event: KeyboardEvent): void => {
      const typing =
        event.target instanceof HTMLElement &&
        (event.target.matches('input, textarea, select') || event.target.isContentEditable);
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key === 'Enter') void run(1);
      else if (typing) return;
      else if (mod && event.key.toLowerCase() === 's') void save(store.get(workflowNameAtom) || 'untitled');
      else if (mod && event.key.toLowerCase() === 'a')
        updateGraph({
          record: false,
          update: (current) => ({
            ...current,
            nodes: current.nodes.map((node) => ({ ...node, selected: true })),
          }),
        });
      else if (mod && event.key.toLowerCase() === 'z' && !event.shiftKey) store.set(undoAtom);
      else if (mod && (event.key.toLowerCase() === 'y' || (event.key.toLowerCase() === 'z' && event.shiftKey)))
        store.set(redoAtom);
      else if (mod && event.key.toLowerCase() === 'c')
        void navigator.clipboard?.writeText(copySelection(store.get(graphAtom), selected(store.get(graphAtom))));
      else if (mod && event.key.toLowerCase() === 'd') {
        const text = copySelection(store.get(graphAtom), selected(store.get(graphAtom)));
        updateGraph({
          update: (current) => {
            const pasted = pasteWorkflowText(current, text, objectInfo ?? {});
            return 'graph' in pasted ? pasted.graph : current;
          },
        });
      } else if (mod && event.key.toLowerCase() === 'b') setMode(4);
      else if (mod && event.key.toLowerCase() === 'm') setMode(2);
      else if (mod && event.key.toLowerCase() === 'g') {
        const nodes = store.get(graphAtom).nodes.filter((node) => node.selected);
        if (nodes.length === 0) return;
        const xs = nodes.map((node) => node.position.x);
        const ys = nodes.map((node) => node.position.y);
        const x = Math.min(...xs) - 30;
        const y = Math.min(...ys) - 50;
        const width = Math.max(...nodes.map((node) => node.position.x + (node.measured?.width ?? 300))) - x + 30;
        const height = Math.max(...nodes.map((node) => node.position.y + (node.measured?.height ?? 200))) - y + 30;
        updateGraph({
          update: (current) => ({
            ...current,
            nodes: [
              {
                id: `group-${Date.now().toString(36)}`,
                type: 'group',
                position: { x, y },
                width,
                height,
                style: { width, height },
                zIndex: -1,
                data: { title: t('groupTitle') },
              },
              ...current.nodes,
            ],
          }),
        });
      } else if (event.altKey && event.key.toLowerCase() === 'c')
        updateGraph({
          update: (current) => ({
            ...current,
            nodes: current.nodes.map((node) =>
              node.selected && node.type === 'ink'
                ? { ...node, data: { ...node.data, collapsed: !node.data.collapsed } }
                : node,
            ),
          }),
        });
      else if (event.shiftKey && event.key.toLowerCase() === 'l') arrange();
      else if (event.key === 'f' && !mod) void fitView({ duration: 200 });
      else if (event.key === '?') setShortcutsOpen((open) => !open);
      else return;
      event.preventDefault();
    };
    const onPaste = (event: ClipboardEvent): void => {
      if (event.target instanceof HTMLElement && event.target.matches('input, textarea')) return;
      const text = event.clipboardData?.getData('text/plain');
      if (!text || !objectInfo) return;
      const result = pasteWorkflowText(store.get(graphAtom), text, objectInfo);
      if ('reason' in result) showToast({ kind: 'error', text: result.reason });
      else updateGraph({ update: () => result.graph });
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('paste', onPaste);
    };
  }, [arrange, fitView, objectInfo, run, save, showToast, store, t, updateGraph]);

  return (
    <div className={`app theme-${theme}`} data-theme={theme}>
      <Toolbar onAutoLayout={arrange} onShortcuts={() => setShortcutsOpen(true)} />
      <main>
        <SidePanel onAddNode={addNodeAtCentre} />
        <Canvas />
      </main>
      {shortcutsOpen && (
        <div className="dialog" role="dialog" aria-label={t('shortcuts')} onClick={() => setShortcutsOpen(false)}>
          <div className="dialog-body">
            <h3>{t('shortcuts')}</h3>
            <ul>
              {t('shortcutList')
                .split(' · ')
                .map((line) => (
                  <li key={line}>{line}</li>
                ))}
            </ul>
            <button onClick={() => setShortcutsOpen(false)}>{t('close')}</button>
          </div>
        </div>
      )}
      <div className="toasts" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast ${toast.kind}`} data-testid="toast">
            {toast.text}
          </div>
        ))}
      </div>
    </div>
  );
}

/** Loads the node specs, keeps the WebSocket, and feeds run-time state. */
export function App() {
  const setObjectInfo = useSetAtom(objectInfoAtom);
  const setVocabularies = useSetAtom(vocabulariesAtom);
  const setExecution = useSetAtom(executionAtom);
  const setPreviews = useSetAtom(previewsAtom);
  const setGallery = useSetAtom(galleryAtom);
  const setConnected = useSetAtom(connectedAtom);
  const showToast = useSetAtom(showToastAtom);
  useEffect(() => {
    void api
      .objectInfo()
      .then((result) => (result.ok ? setObjectInfo(result.value) : showToast({ kind: 'error', text: result.reason })));
    void api.vocabularies().then((result) => result.ok && setVocabularies(result.value));
    return connectSocket(clientId, {
      onConnection: setConnected,
      onMessages: (messages) => {
        setExecution((state) => reduceAll(state, messages, performance.now()));
        const images: UiImageRef[] = messages.flatMap((message) =>
          message.type === 'executed' ? (message.data.output?.images ?? []) : [],
        );
        if (images.length > 0) setGallery((current) => [...current, ...images].slice(-200));
      },
      onPreview: (preview) => {
        if (!preview.nodeId) return;
        const url = URL.createObjectURL(preview.blob);
        setPreviews((current) => {
          const old = current[preview.nodeId!];
          if (old) URL.revokeObjectURL(old);
          return { ...current, [preview.nodeId!]: url };
        });
      },
    });
  }, [setConnected, setExecution, setGallery, setObjectInfo, setPreviews, showToast]);
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}
