import { NodeResizer, type NodeProps } from '@xyflow/react';
import { useSetAtom } from 'jotai';
import { memo, useRef, useState } from 'react';
import type { GroupNode } from '../../graph/types.js';
import { useT } from '../../i18n/use-t.js';
import { updateGraphAtom } from '../../state/atoms.js';
import { setGroupTitle } from '../../graph/node-edits.js';

/** A titled frame behind nodes; dragging it carries the nodes inside, double-clicking its title renames it. */
export const GroupNodeView = memo(function GroupNodeView({ id, data, selected }: NodeProps<GroupNode>) {
  const t = useT();
  const updateGraph = useSetAtom(updateGraphAtom);
  // The title being typed; undefined when not renaming. The document changes once, on commit: one undo step.
  const [draft, setDraft] = useState<string | undefined>();
  // Ends the edit once: the input may also blur as it goes, after Enter or Escape.
  const editing = useRef(false);
  const begin = (): void => {
    editing.current = true;
    setDraft(data.title);
  };
  const finish = (keep: boolean): void => {
    if (!editing.current) return;
    editing.current = false;
    if (keep && draft !== undefined && draft !== data.title)
      updateGraph({ update: (graph) => setGroupTitle(graph, id, draft) });
    setDraft(undefined);
  };
  return (
    <div className="group-node">
      <NodeResizer isVisible={selected ?? false} minWidth={160} minHeight={100} />
      {draft === undefined ? (
        <div className="group-title" onDoubleClick={begin} data-testid={`group-title-${id}`}>
          {data.title}
        </div>
      ) : (
        <input
          className="group-title nodrag"
          value={draft}
          aria-label={t('groupTitle')}
          autoFocus
          onFocus={(event) => event.target.select()}
          onChange={(event) => setDraft(event.target.value)}
          onBlur={() => finish(true)}
          onKeyDown={(event) => {
            // Keys typed here are the title's, not the canvas shortcuts'.
            event.stopPropagation();
            if (event.key === 'Enter') finish(true);
            else if (event.key === 'Escape') finish(false);
          }}
          data-testid={`group-title-input-${id}`}
        />
      )}
    </div>
  );
});
