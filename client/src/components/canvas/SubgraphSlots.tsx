import { useAtomValue } from 'jotai';
import { memo } from 'react';
import { useT } from '../../i18n/use-t.js';
import { graphAtom } from '../../state/atoms.js';
import { useSubgraphActions } from '../../state/subgraph-actions.js';

/**
 * The open subgraph's inputs and outputs, each typed and named: rename one (Enter or leaving the field) or move it up
 * or down, which changes the sockets of every node of this subgraph without rewiring them.
 */
export const SubgraphSlots = memo(function SubgraphSlots() {
  const t = useT();
  const graph = useAtomValue(graphAtom);
  const { reorder, rename } = useSubgraphActions();
  const id = graph.scope?.definitionId;
  const definition = graph.definitions?.subgraphs.find((candidate) => candidate.id === id);
  if (!definition) return null;
  const list = (kind: 'inputs' | 'outputs') => (
    <section data-testid={`subgraph-${kind}`}>
      <h4>{t(kind === 'inputs' ? 'subgraph.inputs' : 'subgraph.outputs')}</h4>
      <ol>
        {definition[kind].map((slot, index, all) => (
          <li key={slot.id}>
            <input
              className="nokey"
              defaultValue={slot.name}
              key={slot.name}
              aria-label={t('subgraph.slotName')}
              onKeyDown={(event) => {
                if (event.key === 'Enter') event.currentTarget.blur();
              }}
              onBlur={(event) => rename(kind, index, event.currentTarget.value)}
            />
            <small>{slot.type}</small>
            <button
              disabled={index === 0}
              title={t('subgraph.moveUp')}
              aria-label={t('subgraph.moveUp')}
              onClick={() => reorder(kind, index, index - 1)}
            >
              ↑
            </button>
            <button
              disabled={index === all.length - 1}
              title={t('subgraph.moveDown')}
              aria-label={t('subgraph.moveDown')}
              onClick={() => reorder(kind, index, index + 1)}
            >
              ↓
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
  return (
    <div className="subgraph-slots" data-testid="subgraph-slots">
      {list('inputs')}
      {list('outputs')}
    </div>
  );
});
