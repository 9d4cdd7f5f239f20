import { z } from 'zod';
import { viewportSchema, type Viewport } from '../../../shared/workflow.js';
import { sameDocument } from './document-equal.js';
import { createHistory, type History } from './history.js';
import type { EditorGraph } from './types.js';
import { graphToWorkflow } from './workflow-graph.js';

/**
 * Open workflows, one per tab, as ComfyUI's frontend keeps them (its `workflowStore`): each tab has its own graph
 * with its own undo history, the document it was last saved or opened as (for the unsaved marker), and its view.
 * Pure.
 */

export interface WorkflowTab {
  readonly id: string;
  /** '' for a workflow not yet named (shown as "Unsaved workflow"). */
  readonly name: string;
  readonly history: History<EditorGraph>;
  /** The document as last saved to the library or opened; the tab is modified while its graph says otherwise. */
  readonly savedDocument: unknown;
  /** The library entry the tab was opened from or last saved to: saving there again overwrites without asking. */
  readonly libraryName?: string;
  /** Where the canvas looked when the tab was last shown. */
  readonly viewport?: Viewport;
}

export interface TabsState {
  readonly tabs: readonly WorkflowTab[];
  readonly activeId: string;
}

export function createTab(
  id: string,
  graph: EditorGraph,
  name: string,
  options: { readonly libraryName?: string; readonly savedDocument?: unknown; readonly viewport?: Viewport } = {},
): WorkflowTab {
  return {
    id,
    name,
    history: createHistory(graph),
    savedDocument: options.savedDocument ?? graphToWorkflow(graph),
    ...(options.libraryName !== undefined ? { libraryName: options.libraryName } : {}),
    ...(options.viewport ? { viewport: options.viewport } : {}),
  };
}

export function singleTab(tab: WorkflowTab): TabsState {
  return { tabs: [tab], activeId: tab.id };
}

export function activeTab(state: TabsState): WorkflowTab {
  return state.tabs.find((tab) => tab.id === state.activeId) ?? state.tabs[0]!;
}

/** The graph differs, as a document, from what was last saved or opened (selection and view do not count). */
export function isModified(tab: WorkflowTab, same: (a: unknown, b: unknown) => boolean = sameDocument): boolean {
  return !same(graphToWorkflow(tab.history.present), tab.savedDocument);
}

export function updateTab(state: TabsState, id: string, update: (tab: WorkflowTab) => WorkflowTab): TabsState {
  let changed = false;
  const tabs = state.tabs.map((tab) => {
    if (tab.id !== id) return tab;
    const next = update(tab);
    changed ||= next !== tab;
    return next;
  });
  return changed ? { ...state, tabs } : state;
}

export function updateActive(state: TabsState, update: (tab: WorkflowTab) => WorkflowTab): TabsState {
  return updateTab(state, activeTab(state).id, update);
}

export function activate(state: TabsState, id: string): TabsState {
  if (id === state.activeId || !state.tabs.some((tab) => tab.id === id)) return state;
  return { ...state, activeId: id };
}

/** A new tab at the end, shown. */
export function addTab(state: TabsState, tab: WorkflowTab): TabsState {
  return { tabs: [...state.tabs, tab], activeId: tab.id };
}

/**
 * Opens a workflow as ComfyUI does: a library workflow already open is shown in its tab; otherwise it takes the place
 * of the current tab when that is unmodified (nothing is lost), and gets a new tab when the current one has changes.
 */
export function openWorkflow(state: TabsState, tab: WorkflowTab, currentModified: boolean): TabsState {
  if (tab.libraryName !== undefined) {
    const open = state.tabs.find((candidate) => candidate.libraryName === tab.libraryName);
    if (open) return activate(state, open.id);
  }
  if (currentModified) return addTab(state, tab);
  const current = activeTab(state);
  return { tabs: state.tabs.map((candidate) => (candidate.id === current.id ? tab : candidate)), activeId: tab.id };
}

/**
 * Closes a tab. The one shown next is its right neighbour (else the left one); closing the last tab leaves a fresh
 * one in its place, as ComfyUI opens a new workflow then.
 */
export function closeTab(state: TabsState, id: string, fresh: () => WorkflowTab): TabsState {
  const index = state.tabs.findIndex((tab) => tab.id === id);
  if (index < 0) return state;
  const tabs = state.tabs.filter((tab) => tab.id !== id);
  if (tabs.length === 0) return singleTab(fresh());
  if (state.activeId !== id) return { ...state, tabs };
  return { tabs, activeId: (tabs[index] ?? tabs[index - 1]!).id };
}

/** A tab was saved to the library as `name`: that document is now its unmodified state. */
export function markSaved(state: TabsState, id: string, name: string, document: unknown): TabsState {
  return updateTab(state, id, (tab) => ({ ...tab, name, libraryName: name, savedDocument: document }));
}

/** A library entry was deleted: tabs opened from it no longer have it to overwrite. */
export function forgetLibraryEntry(state: TabsState, name: string): TabsState {
  let next = state;
  for (const tab of state.tabs)
    if (tab.libraryName === name) next = updateTab(next, tab.id, ({ libraryName: _gone, ...rest }) => rest);
  return next;
}

// ---- what survives a reload ------------------------------------------------------------------------------------

const storedTabSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  document: z.unknown(),
  savedDocument: z.unknown(),
  libraryName: z.string().optional(),
  viewport: viewportSchema.optional(),
});
export const storedTabsSchema = z.object({ activeId: z.string(), tabs: z.array(storedTabSchema).min(1) });
export type StoredTabs = z.infer<typeof storedTabsSchema>;
export type StoredTab = StoredTabs['tabs'][number];

/** The tabs as stored: each one's current document (undo history is not kept), saved document and view. */
export function toStoredTabs(state: TabsState): StoredTabs {
  return {
    activeId: state.activeId,
    tabs: state.tabs.map((tab) => ({
      id: tab.id,
      name: tab.name,
      document: graphToWorkflow(tab.history.present),
      savedDocument: tab.savedDocument,
      ...(tab.libraryName !== undefined ? { libraryName: tab.libraryName } : {}),
      ...(tab.viewport ? { viewport: tab.viewport } : {}),
    })),
  };
}

/**
 * Tabs back from storage; `toGraph` reads each stored document (a tab whose document cannot be read is left out).
 * Undefined when nothing usable is stored.
 */
export function fromStoredTabs(
  stored: StoredTabs,
  toGraph: (document: unknown) => EditorGraph | undefined,
): TabsState | undefined {
  const tabs: WorkflowTab[] = [];
  for (const entry of stored.tabs) {
    const graph = toGraph(entry.document);
    if (!graph) continue;
    tabs.push(
      createTab(entry.id, graph, entry.name, {
        savedDocument: entry.savedDocument,
        ...(entry.libraryName !== undefined ? { libraryName: entry.libraryName } : {}),
        ...(entry.viewport ? { viewport: entry.viewport } : {}),
      }),
    );
  }
  if (tabs.length === 0) return undefined;
  return { tabs, activeId: tabs.some((tab) => tab.id === stored.activeId) ? stored.activeId : tabs[0]!.id };
}
