import { NodeResizer, type NodeProps } from '@xyflow/react';
import { useSetAtom } from 'jotai';
import { memo } from 'react';
import type { GroupNode } from '../../graph/types.js';
import { updateGraphAtom } from '../../state/atoms.js';
import { groupKeys } from '../../graph/history.js';
import { setGroupTitle } from '../../graph/node-edits.js';

/** A titled frame behind nodes. */
export const GroupNodeView = memo(function GroupNodeView({ id, data, selected }: NodeProps<GroupNode>) {
  const updateGraph = useSetAtom(updateGraphAtom);
  return (
    <div className="group-node">
      <NodeResizer isVisible={selected ?? false} minWidth={160} minHeight={100} />
      <input
        className="group-title nodrag"
        value={data.title}
        aria-label="group title"
        onChange={(event) =>
          updateGraph({
            group: groupKeys.typing(id, 'title'),
            update: (graph) => setGroupTitle(graph, id, event.target.value),
          })
        }
      />
    </div>
  );
});
