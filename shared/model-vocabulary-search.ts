import type { ModelVocabularies, ModelVocabulary } from './model-vocabulary.js';
import { inputSpecOf, inputSpecType, type ObjectInfo } from './node-spec.js';
import { knownWords, unknownPromptWords, type KnownWords } from './prompt-words.js';
import { isLink, type ApiPrompt } from './workflow.js';

/** The model a text node encodes for, its published vocabulary, and the LoRAs loaded on the way to it. */
export interface NodeVocabulary {
  readonly model: string;
  readonly vocabulary: ModelVocabulary;
  /** The string widget values (LoRA file names) of the nodes between the loader and the text node. */
  readonly loras: readonly string[];
}

/** A graph as the search reads it; the editor's graph and an API prompt each answer these. */
export interface ClipGraph {
  /** The nodes feeding a node's CLIP inputs (reroutes passed through), in input order. */
  clipSources(nodeId: string): readonly string[];
  /** A node's string widget values. */
  strings(nodeId: string): readonly string[];
}

/**
 * The vocabulary of the model a text node encodes for: follows the node's CLIP inputs, through nodes that take a
 * CLIP and pass it on (as LoRA loaders do), to the node one of whose widget values names a model that publishes a
 * vocabulary. Pure.
 */
export function vocabularyUpstream(
  graph: ClipGraph,
  nodeId: string,
  vocabularies: ModelVocabularies,
): NodeVocabulary | undefined {
  const seen = new Set<string>();
  const search = (targetId: string, loras: readonly string[]): NodeVocabulary | undefined => {
    if (seen.has(targetId)) return undefined;
    seen.add(targetId);
    for (const sourceId of graph.clipSources(targetId)) {
      const strings = graph.strings(sourceId);
      const model = strings.find((value) => Object.hasOwn(vocabularies, value));
      if (model !== undefined) return { model, vocabulary: vocabularies[model]!, loras };
      const upstream = search(sourceId, [...loras, ...strings]);
      if (upstream) return upstream;
    }
    return undefined;
  };
  return search(nodeId, []);
}

/**
 * The words a text encoded for this model may hold: its `vocabulary.json` words and the trigger words of the LoRAs
 * loaded for it; undefined when the model publishes no word list. Built once per model and LoRA set, not per text.
 */
export function knownWordsFor(found: NodeVocabulary): KnownWords | undefined {
  const words = found.vocabulary.words;
  if (!words) return undefined;
  const styles = (found.vocabulary.styles ?? []).filter((style) => found.loras.includes(style.lora));
  return knownWords([words, { en: styles.map((s) => s.en), zh: styles.map((s) => s.zh) }]);
}

/** The words of `text` the model was not trained on; none when it publishes no word list (`known` undefined). */
export function unknownWordsFor(text: string, known: KnownWords | undefined): string[] {
  return known ? unknownPromptWords(text, known) : [];
}

/** An API prompt as a ClipGraph: the CLIP inputs are those `/object_info` types CLIP; links name their source. */
export function apiPromptClipGraph(prompt: ApiPrompt, objectInfo: ObjectInfo): ClipGraph {
  return {
    clipSources: (nodeId) => {
      const node = prompt[nodeId];
      const info = node ? objectInfo[node.class_type] : undefined;
      if (!node || !info) return [];
      return Object.entries(node.inputs).flatMap(([name, value]) => {
        const spec = inputSpecOf(info, name);
        return spec && inputSpecType(spec) === 'CLIP' && isLink(value) && prompt[String(value[0])]
          ? [String(value[0])]
          : [];
      });
    },
    strings: (nodeId) => Object.values(prompt[nodeId]?.inputs ?? {}).filter((value) => typeof value === 'string'),
  };
}

/** A text input of a node whose words its model does not know. */
export interface UnknownPromptWords {
  readonly nodeId: string;
  readonly input: string;
  readonly model: string;
  readonly words: readonly string[];
}

/** Every multiline text input of the prompt's CLIP-taking nodes, checked against its model's words. Pure. */
export function promptUnknownWords(
  prompt: ApiPrompt,
  objectInfo: ObjectInfo,
  vocabularies: ModelVocabularies,
): UnknownPromptWords[] {
  const graph = apiPromptClipGraph(prompt, objectInfo);
  const found: UnknownPromptWords[] = [];
  for (const [nodeId, node] of Object.entries(prompt)) {
    const info = objectInfo[node.class_type];
    if (!info) continue;
    const texts = Object.entries(node.inputs).filter((entry): entry is [string, string] => {
      const spec = inputSpecOf(info, entry[0]);
      return typeof entry[1] === 'string' && spec?.[1]?.multiline === true && inputSpecType(spec) === 'STRING';
    });
    if (texts.length === 0) continue;
    const vocabulary = vocabularyUpstream(graph, nodeId, vocabularies);
    const known = vocabulary && knownWordsFor(vocabulary);
    if (!vocabulary || !known) continue;
    for (const [input, text] of texts) {
      const words = unknownPromptWords(text, known);
      if (words.length > 0) found.push({ nodeId, input, model: vocabulary.model, words });
    }
  }
  return found;
}
