import { useReactFlow } from '@xyflow/react';
import { useAtomValue, useStore } from 'jotai';
import { selectAtom } from 'jotai/utils';
import { memo, useCallback, useEffect } from 'react';
import { activate, activeTab, addTab, closeTab, createTab, type WorkflowTab } from '../../graph/workflow-tabs.js';
import { useT } from '../../i18n/use-t.js';
import { useEditorActions } from '../../state/actions.js';
import { useChoice, useConfirm } from '../../state/confirm.js';
import {
  canvasViewAtom,
  keepViewAtom,
  modifiedTabsAtom,
  newTabId,
  nodeErrorsAtom,
  tabModified,
  tabsAtom,
  viewRequestAtom,
} from '../../state/atoms.js';
import { unsavedChecksAtom, useUnsavedTracking } from '../../state/unsaved-tracking.js';
import './workflow-tabs.css';

const EMPTY = { nodes: [], edges: [] };
const HOME = { x: 0, y: 0, zoom: 1 };

/** What the bar draws: it redraws when a tab opens, closes, is renamed or shown, not on every edit of a graph. */
interface TabLabel {
  readonly id: string;
  readonly name: string;
}
interface TabBar {
  readonly activeId: string;
  readonly tabs: readonly TabLabel[];
}
const tabBarAtom = selectAtom(
  tabsAtom,
  (state): TabBar => ({ activeId: state.activeId, tabs: state.tabs.map(({ id, name }) => ({ id, name })) }),
  (a, b) =>
    a.activeId === b.activeId &&
    a.tabs.length === b.tabs.length &&
    a.tabs.every((tab, index) => tab.id === b.tabs[index]!.id && tab.name === b.tabs[index]!.name),
);

/**
 * The open workflows as tabs above the canvas (ComfyUI's topbar tabs): a name, "•" while it has unsaved changes, a
 * close button (a middle click closes too; a tab with changes asks first: save, close without saving, or cancel) and
 * "+" for a new, empty workflow.
 */
export const WorkflowTabs = memo(function WorkflowTabs() {
  const t = useT();
  const store = useStore();
  const state = useAtomValue(tabBarAtom);
  const modified = useAtomValue(modifiedTabsAtom);
  const checks = useAtomValue(unsavedChecksAtom);
  const confirm = useConfirm();
  const choose = useChoice();
  const { save } = useEditorActions();
  useUnsavedTracking();
  const { getViewport, setViewport } = useReactFlow();
  const label = useCallback((tab: TabLabel) => tab.name || t('unsavedWorkflow'), [t]);

  // Each tab keeps its view: read from the canvas when another tab is shown.
  useEffect(() => {
    store.set(canvasViewAtom, { read: getViewport });
    return () => store.set(canvasViewAtom, undefined);
  }, [getViewport, store]);

  const shown = state.tabs.find((tab) => tab.id === state.activeId) ?? state.tabs[0]!;
  const shownModified = modified.includes(shown.id);
  const title = `${shownModified ? '*' : ''}${label(shown)} - ${t('appTitle')}`;
  useEffect(() => {
    document.title = title;
  }, [title]);

  /** The newly shown tab gets its own view back, or a readable first view. */
  const showView = useCallback(() => {
    store.set(nodeErrorsAtom, {});
    const viewport = activeTab(store.get(tabsAtom)).viewport;
    if (viewport) void setViewport(viewport);
    else store.set(viewRequestAtom, store.get(viewRequestAtom) + 1);
  }, [setViewport, store]);

  const show = (id: string): void => {
    if (id === store.get(tabsAtom).activeId) return;
    store.set(keepViewAtom);
    store.set(tabsAtom, (current) => activate(current, id));
    showView();
  };

  const add = (): void => {
    store.set(keepViewAtom);
    store.set(tabsAtom, (current) => addTab(current, createTab(newTabId(), EMPTY, '')));
    store.set(nodeErrorsAtom, {});
    void setViewport(HOME);
  };

  /** A tab with changes asks first: a named one offers to save them (ComfyUI's "save changes?"), any can discard. */
  const mayClose = async (tab: WorkflowTab): Promise<boolean> => {
    if (!tabModified(tab)) return true;
    const name = label(tab);
    if (!tab.name)
      return confirm({
        title: t('closeUnsavedTitle', { name }),
        message: t('closeUnsavedQuestion', { name }),
        confirmLabel: t('closeWithoutSaving'),
        danger: true,
      });
    const choice = await choose({
      title: t('closeUnsavedTitle', { name }),
      message: t('closeSaveQuestion', { name }),
      confirmLabel: t('save'),
      alternative: t('closeWithoutSaving'),
    });
    if (choice === 'cancel') return false;
    return choice === 'alternative' || (await save(tab.name, tab.id));
  };

  const close = async (id: string): Promise<void> => {
    const tab = store.get(tabsAtom).tabs.find((candidate) => candidate.id === id);
    if (!tab || !(await mayClose(tab))) return;
    const wasShown = tab.id === store.get(tabsAtom).activeId;
    store.set(tabsAtom, (current) => closeTab(current, tab.id, () => createTab(newTabId(), EMPTY, '')));
    if (wasShown) showView();
  };

  return (
    <div
      className="workflow-tabs"
      role="tablist"
      aria-label={t('workflowTabs')}
      data-testid="workflow-tabs"
      data-unsaved-checks={checks}
    >
      {state.tabs.map((tab) => {
        const isShown = tab.id === state.activeId;
        const isModified = modified.includes(tab.id);
        return (
          <div
            key={tab.id}
            className={`workflow-tab${isShown ? ' active' : ''}${isModified ? ' modified' : ''}`}
            data-testid="workflow-tab"
            data-tab-id={tab.id}
            onAuxClick={(event) => {
              if (event.button === 1) void close(tab.id);
            }}
          >
            <button
              role="tab"
              aria-selected={isShown}
              className="workflow-tab-name"
              onClick={() => show(tab.id)}
              title={label(tab)}
            >
              {label(tab)}
              {isModified && (
                <span className="unsaved-marker" title={t('unsavedChanges')} data-testid="tab-unsaved-marker">
                  •
                </span>
              )}
            </button>
            <button
              className="workflow-tab-close"
              onClick={() => void close(tab.id)}
              aria-label={`${t('closeTab')}: ${label(tab)}`}
              title={t('closeTab')}
              data-testid="close-tab"
            >
              ×
            </button>
          </div>
        );
      })}
      <button
        className="workflow-tab-new"
        onClick={add}
        aria-label={t('newTab')}
        title={t('newTab')}
        data-testid="new-tab"
      >
        +
      </button>
    </div>
  );
});
