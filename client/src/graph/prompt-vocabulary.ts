import type { ModelVocabularies, ModelVocabulary } from '../../../shared/model-vocabulary.js';
import type { ObjectInfo } from '../../../shared/node-spec.js';
import type { Locale } from '../i18n/messages.js';
import { nodeInputs } from './node-factory.js';
import { isInkNode, type EditorGraph, type EditorNode } from './types.js';
import { realSource } from './workflow-graph.js';

/**
 * The vocabulary of the model a text node encodes for: follows the node's CLIP input (through reroutes) to the
 * node that loads it, and looks its widget values up among the models that publish a vocabulary. Pure.
 */
export function vocabularyForNode(
  graph: EditorGraph,
  nodeId: string,
  objectInfo: ObjectInfo,
  vocabularies: ModelVocabularies,
): { model: string; vocabulary: ModelVocabulary } | undefined {
  const node = graph.nodes.find((candidate) => candidate.id === nodeId);
  if (!isInkNode(node)) return undefined;
  const info = objectInfo[node.data.classType];
  if (!info) return undefined;
  const clipInputs = new Set(
    nodeInputs(info)
      .sockets.filter((field) => field.type === 'CLIP')
      .map((field) => field.name),
  );
  if (clipInputs.size === 0) return undefined;
  const byId = new Map<string, EditorNode>(graph.nodes.map((candidate) => [candidate.id, candidate]));
  for (const edge of graph.edges) {
    if (edge.target !== nodeId || !clipInputs.has(edge.targetHandle ?? '')) continue;
    const source = realSource(edge, byId, graph.edges);
    const loader = source ? byId.get(source.source) : undefined;
    if (!isInkNode(loader)) continue;
    for (const value of Object.values(loader.data.widgets)) {
      if (typeof value === 'string' && Object.hasOwn(vocabularies, value))
        return { model: value, vocabulary: vocabularies[value]! };
    }
  }
  return undefined;
}

export interface VocabularyGroup {
  readonly key: 'objects' | 'colours' | 'sizes' | 'positions' | 'styles';
  readonly words: readonly { readonly label: string; readonly phrase: string }[];
}

/** The words as a prompt uses them, in the editor's language: "blue background" / "蓝色背景", "🍎 apple". */
export function vocabularyGroups(vocabulary: ModelVocabulary, locale: Locale): VocabularyGroup[] {
  const word = (entry: { en: string; zh: string }): string => (locale === 'zh-CN' ? entry.zh : entry.en);
  const groups: VocabularyGroup[] = [
    {
      key: 'objects',
      words: vocabulary.objects.map((entry) => ({
        label: `${entry.emoji ?? ''} ${word(entry)}`.trim(),
        phrase: word(entry),
      })),
    },
    {
      key: 'colours',
      words: vocabulary.colours.map((entry) => ({
        label: word(entry),
        phrase: locale === 'zh-CN' ? `${entry.zh}背景` : `${entry.en} background`,
      })),
    },
    { key: 'sizes', words: vocabulary.sizes.map((entry) => ({ label: word(entry), phrase: word(entry) })) },
    { key: 'positions', words: vocabulary.positions.map((entry) => ({ label: word(entry), phrase: word(entry) })) },
  ];
  const styles = vocabulary.styles ?? [];
  if (styles.length > 0)
    groups.push({
      key: 'styles',
      words: styles.map((entry) => ({ label: `${word(entry)} (${entry.lora})`, phrase: word(entry) })),
    });
  return groups;
}

/** Adds a phrase to a prompt with the separator its language uses (", " or "，"), unless one is there already. */
export function appendPhrase(text: string, phrase: string, locale: Locale): string {
  const trimmed = text.replace(/\s+$/u, '');
  if (trimmed === '') return phrase;
  if (/[,，、;；]$/u.test(trimmed)) return `${trimmed}${locale === 'zh-CN' ? '' : ' '}${phrase}`;
  return `${trimmed}${locale === 'zh-CN' ? '，' : ', '}${phrase}`;
}
