import { memo } from 'react';
import { useShortcuts } from '../../keyboard/use-shortcuts.js';
import { useSubgraphActions } from '../../state/subgraph-actions.js';

/** The subgraph keys (Ctrl+Shift+E converts the selection, as in ComfyUI). */
export const SubgraphBar = memo(function SubgraphBar() {
  const { convert } = useSubgraphActions();
  useShortcuts('subgraph', { convertToSubgraph: () => (convert() ? undefined : false) });
  return null;
});
