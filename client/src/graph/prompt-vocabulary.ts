import type { ModelVocabularies, ModelVocabulary } from '../../../shared/model-vocabulary.js';
import { knownWords, unknownPromptWords } from '../../../shared/prompt-words.js';
import type { ObjectInfo } from '../../../shared/node-spec.js';
import type { Locale } from '../i18n/messages.js';
import { nodeInputs } from './node-factory.js';
import { isInkNode, type EditorGraph, type EditorNode } from './types.js';
import { realSource } from './workflow-graph.js';

/** The model a text node encodes for, its published vocabulary, and the LoRAs loaded on the way to it. */
export interface NodeVocabulary {
  readonly model: string;
  readonly vocabulary: ModelVocabulary;
  /** The string widget values (LoRA file names) of the nodes between the loader and the text node. */
  readonly loras: readonly string[];
}

/**
 * The vocabulary of the model a text node encodes for: follows the node's CLIP input (through reroutes, and through
 * nodes that take a CLIP and pass it on, as LoRA loaders do) to the node that loads it, and looks its widget values up
 * among the models that publish a vocabulary. Pure.
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
  const seen = new Set<string>();
  const search = (targetId: string, loras: readonly string[]): NodeVocabulary | undefined => {
    if (seen.has(targetId)) return undefined;
    seen.add(targetId);
    const clipInputs = clipInputsOf(byId.get(targetId));
    for (const edge of graph.edges) {
      if (edge.target !== targetId || !clipInputs.has(edge.targetHandle ?? '')) continue;
      const source = realSource(edge, byId, graph.edges);
      const loader = source ? byId.get(source.source) : undefined;
      if (!isInkNode(loader)) continue;
      const strings = Object.values(loader.data.widgets).filter((value) => typeof value === 'string');
      const model = strings.find((value) => Object.hasOwn(vocabularies, value));
      if (model !== undefined) return { model, vocabulary: vocabularies[model]!, loras };
      const upstream = search(loader.id, [...loras, ...strings]);
      if (upstream) return upstream;
    }
    return undefined;
  };
  if (clipInputsOf(byId.get(nodeId)).size === 0) return undefined;
  return search(nodeId, []);
}

/**
 * The words of `text` the model was not trained on (its `vocabulary.json` words, and the trigger words of the
 * LoRAs loaded for it); none when the model publishes no word list.
 */
export function unknownWordsForNode(text: string, found: NodeVocabulary): string[] {
  const words = found.vocabulary.words;
  if (!words) return [];
  const styles = (found.vocabulary.styles ?? []).filter((style) => found.loras.includes(style.lora));
  return unknownPromptWords(text, knownWords([words, { en: styles.map((s) => s.en), zh: styles.map((s) => s.zh) }]));
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
