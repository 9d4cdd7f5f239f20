import { useAtomValue, useStore } from 'jotai';
import { useCallback, useEffect, useRef } from 'react';
import { parseWorkflowDocument } from '../../../shared/workflow.js';
import { workflowToGraph } from '../graph/workflow-graph.js';
import { fromStoredTabs, storedTabsSchema, toStoredTabs, type StoredTabs } from '../graph/workflow-tabs.js';
import { objectInfoAtom, tabsAtom, viewRequestAtom } from './atoms.js';

/**
 * The open tabs survive a reload (`inkgraph.tabs`: each tab's document, saved document and view). The shown tab's
 * document is also the one App.tsx keeps under `inkgraph.document`, as before tabs: a document stored there alone
 * (by an older Inkgraph) still opens, and when both are stored, that one is the shown tab's latest.
 *
 * No beforeunload warning on unsaved changes (ComfyUI asks only when its drafts are off): nothing is lost on leaving,
 * since every tab with its changes comes back with the page.
 */

const TABS_KEY = 'inkgraph.tabs';
/** Written by App.tsx: `{ document, name }` of the shown workflow. */
const SHOWN_DOCUMENT_KEY = 'inkgraph.document';

function readJson(key: string): unknown {
  const raw = localStorage.getItem(key);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** The stored tabs, with the shown one's document and name from `inkgraph.document` when that has them. */
function storedTabs(): StoredTabs | undefined {
  const parsed = storedTabsSchema.safeParse(readJson(TABS_KEY));
  if (!parsed.success) return undefined;
  const shown = readJson(SHOWN_DOCUMENT_KEY);
  if (typeof shown !== 'object' || shown === null || !('document' in shown)) return parsed.data;
  const name = 'name' in shown && typeof shown.name === 'string' ? shown.name : undefined;
  return {
    ...parsed.data,
    tabs: parsed.data.tabs.map((tab) =>
      tab.id === parsed.data.activeId
        ? { ...tab, document: shown.document, ...(name !== undefined ? { name } : {}) }
        : tab,
    ),
  };
}

/**
 * `restore()` brings the stored tabs back (true when it did); from then on the tabs are written as they change.
 * Called once the node specs are known, before any other document opens.
 */
export function useTabsStorage(): { readonly restore: () => boolean } {
  const store = useStore();
  const tabs = useAtomValue(tabsAtom);
  const ready = useRef(false);

  const restore = useCallback((): boolean => {
    ready.current = true;
    const objectInfo = store.get(objectInfoAtom);
    const stored = storedTabs();
    if (!objectInfo || !stored) return false;
    const state = fromStoredTabs(stored, (document) => {
      const parsed = parseWorkflowDocument(document);
      return parsed.ok ? workflowToGraph(parsed.value.envelope, objectInfo).graph : undefined;
    });
    if (!state) return false;
    store.set(tabsAtom, state);
    store.set(viewRequestAtom, store.get(viewRequestAtom) + 1);
    return true;
  }, [store]);

  useEffect(() => {
    if (!ready.current) return;
    const persist = (): void => localStorage.setItem(TABS_KEY, JSON.stringify(toStoredTabs(store.get(tabsAtom))));
    const timer = setTimeout(persist, 300);
    // A reload within the debounce still keeps the last change.
    window.addEventListener('pagehide', persist);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pagehide', persist);
    };
  }, [store, tabs]);

  return { restore };
}
