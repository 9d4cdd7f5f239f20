import { useAtom, useAtomValue, useSetAtom } from 'jotai';
import { useCallback, useEffect } from 'react';
import { useEditorActions } from '../../state/actions.js';
import { executionAtom } from '../../state/atoms.js';
import { openCompareAtom, refreshRunHistoryAtom, runHistoryLoadingAtom, viewerAtom } from '../../state/viewer-atoms.js';
import { CompareView } from './CompareView.js';
import { Lightbox } from './Lightbox.js';
import './viewer.css';

/**
 * Where the output viewer opens, over the whole editor: the lightbox or a compare. It also keeps the server's history
 * (the gallery's and the viewer's source) fresh as runs finish.
 */
export function ViewerHost() {
  const [viewer, setViewer] = useAtom(viewerAtom);
  const openCompare = useSetAtom(openCompareAtom);
  const refreshHistory = useSetAtom(refreshRunHistoryAtom);
  const loading = useAtomValue(runHistoryLoadingAtom);
  const queueRemaining = useAtomValue(executionAtom).queueRemaining;
  const { loadDocument } = useEditorActions();

  useEffect(() => {
    void refreshHistory();
  }, [queueRemaining, refreshHistory]);

  const close = useCallback(() => setViewer(undefined), [setViewer]);
  const loadWorkflow = useCallback(
    (document: unknown) => {
      if (loadDocument(document)) close();
    },
    [close, loadDocument],
  );

  if (!viewer) return null;
  if (viewer.kind === 'compare')
    return (
      <CompareView
        left={viewer.left}
        right={viewer.right}
        mode={viewer.mode}
        onMode={(mode) => setViewer({ ...viewer, mode })}
        onClose={close}
      />
    );
  const current = viewer.images[viewer.index];
  return (
    <Lightbox
      images={viewer.images}
      index={viewer.index}
      picking={viewer.picking}
      historyLoaded={!loading}
      onIndex={(index) => setViewer({ ...viewer, index })}
      onPicking={(picking) => setViewer({ ...viewer, picking })}
      onCompare={(other) => current && openCompare({ left: current, right: other })}
      onLoadWorkflow={loadWorkflow}
      onClose={close}
    />
  );
}
