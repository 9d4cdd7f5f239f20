import { useAtomValue } from 'jotai';
import { Fragment, memo, useEffect } from 'react';
import { subgraphPath } from '../../graph/subgraph-edits.js';
import { useT } from '../../i18n/use-t.js';
import { useShortcuts } from '../../keyboard/use-shortcuts.js';
import { graphAtom } from '../../state/atoms.js';
import { useSubgraphActions } from '../../state/subgraph-actions.js';
import { SubgraphSlots } from './SubgraphSlots.js';
import './subgraph-bar.css';

/**
 * The subgraph keys (Ctrl+Shift+E converts the selection, as in ComfyUI), double-click on a subgraph node to open
 * it, and while one is open the breadcrumb back out: "Workflow › New Subgraph".
 */
export const SubgraphBar = memo(function SubgraphBar() {
  const t = useT();
  const graph = useAtomValue(graphAtom);
  const { convert, open, leave, adoptBlueprints } = useSubgraphActions();
  // A blueprint placed from the node library brings its subgraph into the document.
  useEffect(() => adoptBlueprints(), [adoptBlueprints, graph.nodes]);
  useShortcuts('subgraph', { convertToSubgraph: () => (convert() ? undefined : false) });

  useEffect(() => {
    const onDoubleClick = (event: MouseEvent): void => {
      if (!(event.target instanceof Element) || event.target.closest('input, textarea, select, button')) return;
      const node = event.target.closest<HTMLElement>('.react-flow__node');
      const id = node?.dataset.id;
      if (id !== undefined && open(id)) event.preventDefault();
    };
    window.addEventListener('dblclick', onDoubleClick);
    return () => window.removeEventListener('dblclick', onDoubleClick);
  }, [open]);

  const path = subgraphPath(graph);
  if (path.length === 0) return null;
  return (
    <>
      <nav className="subgraph-breadcrumb" aria-label={t('subgraph.breadcrumb')} data-testid="subgraph-breadcrumb">
        <button onClick={() => leave()} data-testid="subgraph-breadcrumb-root">
          {t('subgraph.root')}
        </button>
        {path.map((step) => (
          <Fragment key={step.depth}>
            <span className="separator" aria-hidden="true">
              ›
            </span>
            {step.depth === 0 ? (
              <span className="current" aria-current="page" data-testid="subgraph-breadcrumb-current">
                {step.name}
              </span>
            ) : (
              <button onClick={() => leave(step.depth)}>{step.name}</button>
            )}
          </Fragment>
        ))}
      </nav>
      <SubgraphSlots />
    </>
  );
});
