import { useOnViewportChange, useReactFlow } from '@xyflow/react';
import { useAtomValue, useStore } from 'jotai';
import { memo, useCallback, useEffect } from 'react';
import {
  activate,
  activeTab,
  addTab,
  closeTab,
  createTab,
  updateActive,
  type WorkflowTab,
} from '../../graph/workflow-tabs.js';
import { useT } from '../../i18n/use-t.js';
import { useConfirm } from '../../state/confirm.js';
import { modifiedTabsAtom, newTabId, nodeErrorsAtom, tabsAtom, viewRequestAtom } from '../../state/atoms.js';
import './workflow-tabs.css';

const EMPTY = { nodes: [], edges: [] };
const HOME = { x: 0, y: 0, zoom: 1 };

/**
 * The open workflows as tabs above the canvas (ComfyUI's topbar tabs): a name, "•" while it has unsaved changes, a
 * close button (a middle click closes too; a tab with changes asks first) and "+" for a new, empty workflow.
 */
export const WorkflowTabs = memo(function WorkflowTabs() {
  const t = useT();
  const store = useStore();
  const state = useAtomValue(tabsAtom);
  const modified = useAtomValue(modifiedTabsAtom);
  const confirm = useConfirm();
  const { setViewport } = useReactFlow();
  const label = useCallback((tab: WorkflowTab) => tab.name || t('unsavedWorkflow'), [t]);

  // Each tab keeps its view: where the canvas was left is stored on the shown tab.
  useOnViewportChange({
    onEnd: (viewport) => store.set(tabsAtom, (current) => updateActive(current, (tab) => ({ ...tab, viewport }))),
  });

  const shown = activeTab(state);
  const shownModified = modified.includes(shown.id);
  useEffect(() => {
    document.title = `${shownModified ? '*' : ''}${label(shown)} - ${t('appTitle')}`;
  }, [label, shown, shownModified, t]);

  /** The newly shown tab gets its own view back, or a readable first view. */
  const showView = useCallback(() => {
    store.set(nodeErrorsAtom, {});
    const viewport = activeTab(store.get(tabsAtom)).viewport;
    if (viewport) void setViewport(viewport);
    else store.set(viewRequestAtom, store.get(viewRequestAtom) + 1);
  }, [setViewport, store]);

  const show = (id: string): void => {
    if (id === store.get(tabsAtom).activeId) return;
    store.set(tabsAtom, (current) => activate(current, id));
    showView();
  };

  const add = (): void => {
    store.set(tabsAtom, (current) => addTab(current, createTab(newTabId(), EMPTY, '')));
    store.set(nodeErrorsAtom, {});
    void setViewport(HOME);
  };

  const close = async (tab: WorkflowTab): Promise<void> => {
    if (
      store.get(modifiedTabsAtom).includes(tab.id) &&
      !(await confirm({
        title: t('closeUnsavedTitle', { name: label(tab) }),
        message: t('closeUnsavedQuestion', { name: label(tab) }),
        confirmLabel: t('closeWithoutSaving'),
        danger: true,
      }))
    )
      return;
    const wasShown = tab.id === store.get(tabsAtom).activeId;
    store.set(tabsAtom, (current) => closeTab(current, tab.id, () => createTab(newTabId(), EMPTY, '')));
    if (wasShown) showView();
  };

  return (
    <div className="workflow-tabs" role="tablist" aria-label={t('workflowTabs')} data-testid="workflow-tabs">
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
              if (event.button === 1) void close(tab);
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
              onClick={() => void close(tab)}
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
