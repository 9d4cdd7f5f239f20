import { useAtomValue } from 'jotai';
import { selectAtom } from 'jotai/utils';
import { memo, useMemo } from 'react';
import { knownWordsFor, unknownWordsFor, type NodeVocabulary } from '../../../../shared/model-vocabulary-search.js';
import { vocabularyForNode } from '../../graph/prompt-vocabulary.js';
import { useT } from '../../i18n/use-t.js';
import { graphAtom, localeAtom, objectInfoAtom, vocabulariesAtom } from '../../state/atoms.js';

const sameVocabulary = (a: NodeVocabulary | undefined, b: NodeVocabulary | undefined): boolean =>
  a?.model === b?.model && a?.loras.join('\n') === b?.loras.join('\n');

/**
 * Under a prompt: the words of its text the model it is encoded for was not trained on, in the editor's language,
 * as the prompt is typed (a small model would drop them without a sign). Shown only when the model publishes its
 * words and some are unknown.
 */
export const UnknownWords = memo(function UnknownWords({ nodeId, text }: { nodeId: string; text: string }) {
  const t = useT();
  const locale = useAtomValue(localeAtom);
  const objectInfo = useAtomValue(objectInfoAtom);
  const vocabularies = useAtomValue(vocabulariesAtom);
  // Re-rendered when the model or the LoRAs feeding this node change, not on every edit of the graph.
  const found = useAtomValue(
    useMemo(
      () =>
        selectAtom(
          graphAtom,
          (graph) => (objectInfo ? vocabularyForNode(graph, nodeId, objectInfo, vocabularies) : undefined),
          sameVocabulary,
        ),
      [nodeId, objectInfo, vocabularies],
    ),
  );
  // The word set follows the model and its LoRAs; only the matching runs as the text is typed.
  const known = useMemo(() => (found ? knownWordsFor(found) : undefined), [found]);
  const unknown = useMemo(() => unknownWordsFor(text, known), [known, text]);
  if (!found || unknown.length === 0) return null;
  return (
    <div className="field-warning nodrag" data-testid={`unknown-words-${nodeId}`}>
      {t('unknownWords', { model: found.model, words: unknown.join(locale === 'zh-CN' ? '、' : ', ') })}
    </div>
  );
});
