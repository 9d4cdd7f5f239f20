import { useReactFlow } from '@xyflow/react';
import { useAtomValue, useSetAtom } from 'jotai';
import { memo, useCallback } from 'react';
import { useT } from '../i18n/use-t.js';
import { toastsAtom, updateGraphAtom } from '../state/atoms.js';
import { selectOnly } from '../graph/select-only.js';

/** The toasts, bottom right; an error naming a node offers to bring it into view. */
export const Toasts = memo(function Toasts() {
  const t = useT();
  const toasts = useAtomValue(toastsAtom);
  const updateGraph = useSetAtom(updateGraphAtom);
  const { fitView } = useReactFlow();
  const showNode = useCallback(
    (id: string) => {
      updateGraph({ record: false, update: (graph) => selectOnly(graph, id) });
      void fitView({ nodes: [{ id }], duration: 200, maxZoom: 1 });
    },
    [fitView, updateGraph],
  );
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map(({ focusNode, ...toast }) => (
        <div key={toast.id} className={`toast ${toast.kind}`} data-testid="toast">
          {toast.text}
          {toast.lines && toast.lines.length > 0 && (
            <ul className="toast-lines">
              {toast.lines.map((line, index) => (
                <li key={index}>{line}</li>
              ))}
            </ul>
          )}
          {focusNode !== undefined && (
            <button className="link toast-action" onClick={() => showNode(focusNode)} data-testid="toast-show-node">
              {t('showNode')}
            </button>
          )}
        </div>
      ))}
    </div>
  );
});
