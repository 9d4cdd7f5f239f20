import { useAtomValue } from 'jotai';
import { selectAtom } from 'jotai/utils';
import { memo, useMemo } from 'react';
import { vocabularyForNode, vocabularyGroups } from '../../graph/prompt-vocabulary.js';
import { useT } from '../../i18n/use-t.js';
import { graphAtom, localeAtom, objectInfoAtom, vocabulariesAtom } from '../../state/atoms.js';

/**
 * Under a prompt: the words the model this text is encoded for was trained on (from its `vocabulary.json`), in
 * the editor's language; a click adds the word to the prompt. Shown only when the model publishes a vocabulary.
 */
export const VocabularyPicker = memo(function VocabularyPicker({
  nodeId,
  onPick,
}: {
  nodeId: string;
  onPick: (phrase: string) => void;
}) {
  const t = useT();
  const locale = useAtomValue(localeAtom);
  const objectInfo = useAtomValue(objectInfoAtom);
  const vocabularies = useAtomValue(vocabulariesAtom);
  // Re-rendered only when the model feeding this node changes, not on every edit of the graph.
  const modelAtom = useMemo(
    () =>
      selectAtom(graphAtom, (graph) =>
        objectInfo ? vocabularyForNode(graph, nodeId, objectInfo, vocabularies)?.model : undefined,
      ),
    [nodeId, objectInfo, vocabularies],
  );
  const model = useAtomValue(modelAtom);
  const vocabulary = model !== undefined ? vocabularies[model] : undefined;
  const groups = useMemo(() => (vocabulary ? vocabularyGroups(vocabulary, locale) : []), [vocabulary, locale]);
  if (model === undefined) return null;
  return (
    <details className="vocabulary nodrag nowheel" data-testid={`vocabulary-${nodeId}`}>
      <summary>{t('vocabularyOf', { model })}</summary>
      {groups.map((group) => (
        <div className="vocabulary-group" key={group.key}>
          <span className="vocabulary-heading">{t(`vocabulary_${group.key}`)}</span>
          {group.words.map((word) => (
            <button type="button" key={word.phrase} className="vocabulary-word" onClick={() => onPick(word.phrase)}>
              {word.label}
            </button>
          ))}
        </div>
      ))}
    </details>
  );
});
