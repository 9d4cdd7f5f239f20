import type { ModelVocabularies, ModelVocabulary } from '../../../shared/model-vocabulary.js';
import { vocabularyUpstream, type ClipGraph, type NodeVocabulary } from '../../../shared/model-vocabulary-search.js';
import type { ObjectInfo } from '../../../shared/node-spec.js';
import type { Locale } from '../i18n/messages.js';
import { nodeInputs } from './node-factory.js';
import { isInkNode, type EditorGraph, type EditorNode } from './types.js';
import { realSource } from './workflow-graph.js';

/**
 * The vocabulary of the model a text node encodes for (shared/model-vocabulary-search.ts), read from the editor's
 * graph: a node's CLIP inputs are its sockets of type CLIP, followed through reroutes. Pure.
 */
export function vocabularyForNode(
  graph: EditorGraph,
  nodeId: string,
  objectInfo: ObjectInfo,
  vocabularies: ModelVocabularies,
): NodeVocabulary | undefined {
  const byId = new Map<string, EditorNode>(graph.nodes.map((candidate) => [candidate.id, candidate]));
  const clipInputsOf = (node: EditorNode | undefined): ReadonlySet<string> => {
    const info = isInkNode(node) ? objectInfo[node.data.classType] : undefined;
    if (!info) return new Set();
    return new Set(
      nodeInputs(info)
        .sockets.filter((field) => field.type === 'CLIP')
        .map((field) => field.name),
    );
  };
  const clipGraph: ClipGraph = {
    clipSources: (targetId) => {
      const clipInputs = clipInputsOf(byId.get(targetId));
      return graph.edges.flatMap((edge) => {
        if (edge.target !== targetId || !clipInputs.has(edge.targetHandle ?? '')) return [];
        const source = realSource(edge, byId, graph.edges);
        return source && isInkNode(byId.get(source.source)) ? [source.source] : [];
      });
    },
    strings: (id) => {
      const node = byId.get(id);
      return isInkNode(node) ? Object.values(node.data.widgets).filter((value) => typeof value === 'string') : [];
    },
  };
  return vocabularyUpstream(clipGraph, nodeId, vocabularies);
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
