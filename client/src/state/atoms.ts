import type { ModelSizes } from '../../../shared/model-sizes.js';
import { atom } from 'jotai';
import type { ObjectInfo } from '../../../shared/node-spec.js';
import type { ModelVocabularies } from '../../../shared/model-vocabulary.js';
import type { UiImageRef } from '../../../shared/protocol.js';
import type { Viewport } from '../../../shared/workflow.js';
import { initialExecutionState, type ExecutionState } from '../execution/execution-state.js';
import { imagesShown, type Previews } from '../execution/previews.js';
import { runsOfTab } from '../execution/tab-runs.js';
import { documentShape, sameShape, type DocumentShape } from '../graph/document-equal.js';
import { commit, createHistory, redo, undo, type History } from '../graph/history.js';
import type { EditorGraph } from '../graph/types.js';
import { graphToWorkflow } from '../graph/workflow-graph.js';
import {
  activeTab,
  createTab,
  openWorkflow,
  singleTab,
  updateActive,
  type TabsState,
  type WorkflowTab,
} from '../graph/workflow-tabs.js';
import { browserLocale, type Locale } from '../i18n/messages.js';
import { LEFT_DRAG_MODES, type LeftDrag } from '../keyboard/left-drag.js';
import { blueprintsAtom } from './blueprints.js';
import { editorNodeTypes } from './node-types.js';

/**
 * The editor's state, in two tiers as InvokeAI keeps it: the document (the graph, with undo history) and
 * run-time state (progress, previews, outputs) that is never saved or undone.
 */

const serverObjectInfoAtom = atom<ObjectInfo | undefined>(undefined);
/** The server's node types, and the shown document's subgraphs as types of their own; set with the server's. */
export const objectInfoAtom = atom(
  (get) => editorNodeTypes(get(serverObjectInfoAtom), get(graphAtom), get(blueprintsAtom)),
  (_get, set, info: ObjectInfo | undefined) => set(serverObjectInfoAtom, info),
);
/** The prompt words each diffusion model publishes (`vocabulary.json`), by model name. */
export const vocabulariesAtom = atom<ModelVocabularies>({});
/** The size each diffusion model was trained at, by model name (`GET /api/model-sizes`). */
export const modelSizesAtom = atom<ModelSizes>({});

/**
 * The open workflows, one per tab; the active tab's undo history is what `historyAtom` reads and writes, so the rest
 * of the editor edits whichever workflow is shown.
 */
export const tabsAtom = atom<TabsState>(singleTab(createTab(newTabId(), { nodes: [], edges: [] }, '')));
export const activeTabAtom = atom((get) => activeTab(get(tabsAtom)));

export function newTabId(): string {
  return `tab-${crypto.randomUUID().slice(0, 8)}`;
}

export const historyAtom = atom(
  (get): History<EditorGraph> => get(activeTabAtom).history,
  (get, set, history: History<EditorGraph>) =>
    set(
      tabsAtom,
      updateActive(get(tabsAtom), (tab) => (tab.history === history ? tab : { ...tab, history })),
    ),
);

export const graphAtom = atom((get) => get(historyAtom).present);

// Document shapes by object, so the marker reads each graph and saved document once, not on every render.
const shapes = new WeakMap<object, DocumentShape>();
function cachedShape(value: unknown, make: () => unknown): DocumentShape {
  if (value === null || typeof value !== 'object') return documentShape(make());
  const known = shapes.get(value);
  if (known !== undefined) return known;
  const shape = documentShape(make());
  shapes.set(value, shape);
  return shape;
}
/** The tab's graph differs, as a document, from what it was last saved or opened as (costly on big graphs). */
export function tabModified(tab: WorkflowTab): boolean {
  return !sameShape(
    cachedShape(tab.history.present, () => graphToWorkflow(tab.history.present)),
    cachedShape(tab.savedDocument, () => tab.savedDocument),
  );
}
/**
 * Ids of the tabs with unsaved changes, for the marker. Kept by useUnsavedTracking a moment after edits settle, not
 * on every frame of a drag: comparing documents of a 500-node graph takes tens of milliseconds.
 */
export const modifiedTabsAtom = atom<readonly string[]>([]);
export const activeModifiedAtom = atom((get) => get(modifiedTabsAtom).includes(get(tabsAtom).activeId));

export interface GraphUpdate {
  readonly update: (graph: EditorGraph) => EditorGraph;
  /** false: change the document without an undo step (selection, measured sizes). */
  readonly record?: boolean;
  readonly group?: string;
}

export const updateGraphAtom = atom(null, (get, set, change: GraphUpdate) => {
  const history = get(historyAtom);
  const next = change.update(history.present);
  if (next === history.present) return;
  if (change.record === false) set(historyAtom, { ...history, present: next });
  else
    set(
      historyAtom,
      commit(history, next, { now: Date.now(), ...(change.group !== undefined ? { group: change.group } : {}) }),
    );
});

/** Counts whole-document replacements: each one asks the canvas for a fresh, readable first view. */
export const viewRequestAtom = atom(0);
export const replaceGraphAtom = atom(null, (get, set, graph: EditorGraph) => {
  set(historyAtom, createHistory(graph));
  set(viewRequestAtom, get(viewRequestAtom) + 1);
});
export const undoAtom = atom(null, (get, set) => set(historyAtom, undo(get(historyAtom))));
export const redoAtom = atom(null, (get, set) => set(historyAtom, redo(get(historyAtom))));

export const workflowNameAtom = atom(
  (get) => get(activeTabAtom).name,
  (get, set, name: string) =>
    set(
      tabsAtom,
      updateActive(get(tabsAtom), (tab) => ({ ...tab, name })),
    ),
);

/** Shows a workflow: in the current tab when that has no changes, else in a new one (see `openWorkflow`). */
/** Reads where the canvas looks now (set by the tab bar, which sits inside React Flow's provider). */
export const canvasViewAtom = atom<{ readonly read: () => Viewport } | undefined>(undefined);
/** The shown tab, with the canvas's current view kept on it: done before another tab is shown. */
export const keepViewAtom = atom(null, (get, set) => {
  const view = get(canvasViewAtom);
  if (view)
    set(
      tabsAtom,
      updateActive(get(tabsAtom), (tab) => ({ ...tab, viewport: view.read() })),
    );
});

export const openTabAtom = atom(null, (get, set, tab: WorkflowTab) => {
  set(keepViewAtom);
  const state = get(tabsAtom);
  set(tabsAtom, openWorkflow(state, tab, tabModified(activeTab(state))));
  set(viewRequestAtom, get(viewRequestAtom) + 1);
});

// ---- run-time state ------------------------------------------------------------------------------------------

export const executionAtom = atom<ExecutionState>(initialExecutionState);
/** Which tab queued each prompt, so a tab shows only its own runs on its nodes. */
export const promptTabsAtom = atom<Readonly<Record<string, string>>>({});
/** The run state of the shown tab's nodes. */
export const visibleRunsAtom = atom((get) =>
  runsOfTab(get(executionAtom).nodes, get(promptTabsAtom), get(tabsAtom).activeId),
);
/** Latest step preview per node (object URLs), kept until the node's own images have loaded (previews.ts). */
export const previewsAtom = atom<Previews>({});
/** A node's images (by imagesKey) have loaded: the preview they replace goes. */
export const imagesShownAtom = atom(null, (get, set, shown: { readonly nodeId: string; readonly key: string }) => {
  const { previews, revoked } = imagesShown(get(previewsAtom), shown.nodeId, shown.key);
  for (const url of revoked) URL.revokeObjectURL(url);
  set(previewsAtom, previews);
});
export const galleryAtom = atom<readonly UiImageRef[]>([]);
export const connectedAtom = atom(false);
/** Validation errors from the server, by node id: messages per input ('' for the node itself). */
export const nodeErrorsAtom = atom<Readonly<Record<string, Readonly<Record<string, string>>>>>({});

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly kind: 'info' | 'error';
  /** Each on its own line under the text: every error of a refused prompt. */
  readonly lines?: readonly string[];
  /** A node the toast offers to show (a run-time error may be off screen). */
  readonly focusNode?: string;
}
export const toastsAtom = atom<readonly Toast[]>([]);
let toastCounter = 0;
export const showToastAtom = atom(null, (get, set, toast: Omit<Toast, 'id'>) => {
  const id = ++toastCounter;
  set(toastsAtom, [...get(toastsAtom), { ...toast, id }].slice(-4));
  setTimeout(
    () => set(toastsAtom, (current) => current.filter((item) => item.id !== id)),
    toast.kind === 'error' ? 8000 : 3000,
  );
});

// ---- preferences ---------------------------------------------------------------------------------------------

function stored<T extends string>(key: string, fallback: T, allowed: readonly T[]) {
  const initial = (localStorage.getItem(key) as T | null) ?? fallback;
  const base = atom<T>(allowed.includes(initial) ? initial : fallback);
  return atom(
    (get) => get(base),
    (_get, set, value: T) => {
      localStorage.setItem(key, value);
      set(base, value);
    },
  );
}

export const localeAtom = stored<Locale>(
  'inkgraph.locale',
  browserLocale(navigator.languages ?? [navigator.language]),
  ['en', 'zh-CN'],
);
export const themeAtom = stored<'dark' | 'light'>(
  'inkgraph.theme',
  matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark',
  ['dark', 'light'],
);
/** What a left-drag on empty canvas does (keyboard/left-drag.ts). */
export const leftDragAtom = stored<LeftDrag>('inkgraph.leftDrag', 'select', LEFT_DRAG_MODES);

export const clientId: string = (() => {
  const existing = sessionStorage.getItem('inkgraph.clientId');
  if (existing) return existing;
  const id = crypto.randomUUID().replaceAll('-', '');
  sessionStorage.setItem('inkgraph.clientId', id);
  return id;
})();
