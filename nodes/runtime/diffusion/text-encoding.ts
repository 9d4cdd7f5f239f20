import type { SharedCaches } from '../../contract/node-context.js';
import { parsePromptWeights } from '../text/prompt-weights.js';
import { runSession } from '../onnx/session.js';
import type { ClipModel, ConditioningEntry } from './types.js';

/**
 * ComfyUI's prompt encoding: emphasis weights, per-word tokens, 75-token chunks each wrapped in BOS/EOS and
 * padded to 77 (words shorter than 8 tokens are not split across chunks), one encoder call for all chunks,
 * weights applied against the empty prompt's embedding, chunks concatenated along the sequence.
 */

export interface WeightedToken {
  readonly id: number;
  readonly weight: number;
}

const MAX_WORD_LENGTH = 8;

/** Splits a prompt into 77-token chunks of (id, weight), as ComfyUI's `tokenize_with_weights`. Pure. */
export function chunkPrompt(
  text: string,
  clip: Pick<ClipModel, 'tokenizer' | 'bosId' | 'eosId' | 'padId' | 'maxLength'>,
): WeightedToken[][] {
  const words: WeightedToken[][] = [];
  for (const segment of parsePromptWeights(text)) {
    for (const word of segment.text.replaceAll('\n', ' ').split(' ')) {
      if (word === '') continue;
      const ids = clip.tokenizer.encode(word);
      if (ids.length > 0) words.push(ids.map((id) => ({ id, weight: segment.weight })));
    }
  }
  const bos = { id: clip.bosId, weight: 1 };
  const eos = { id: clip.eosId, weight: 1 };
  const pad = { id: clip.padId, weight: 1 };
  const chunks: WeightedToken[][] = [];
  let chunk: WeightedToken[] = [bos];
  chunks.push(chunk);
  for (const group of words) {
    let rest = group;
    const isLarge = rest.length >= MAX_WORD_LENGTH;
    while (rest.length > 0) {
      if (rest.length + chunk.length > clip.maxLength - 1) {
        const remaining = clip.maxLength - chunk.length - 1;
        if (isLarge) {
          chunk.push(...rest.slice(0, remaining), eos);
          rest = rest.slice(remaining);
        } else {
          chunk.push(eos, ...Array.from({ length: remaining }, () => pad));
        }
        chunk = [bos];
        chunks.push(chunk);
      } else {
        chunk.push(...rest);
        rest = [];
      }
    }
  }
  chunk.push(eos);
  while (chunk.length < clip.maxLength) chunk.push(pad);
  return chunks;
}

/** Encodes a prompt into one conditioning entry. */
export async function encodePrompt(clip: ClipModel, text: string, caches: SharedCaches): Promise<ConditioningEntry> {
  const { textEncoder } = await clip.pipeline.sessions(caches);
  const chunks = chunkPrompt(text, clip);
  const weighted = chunks.some((chunk) => chunk.some((token) => token.weight !== 1));
  const rows = chunks.map((chunk) => chunk.map((token) => token.id));
  if (weighted) rows.push([clip.bosId, clip.eosId, ...Array.from({ length: clip.maxLength - 2 }, () => clip.padId)]);
  const length = clip.maxLength;
  const outputs = await runSession(textEncoder, { input_ids: { data: rows.flat(), dims: [rows.length, length] } });
  const hidden = outputs.last_hidden_state;
  if (!hidden || hidden.dims.length !== 3)
    throw new Error('the text encoder did not return last_hidden_state [batch, tokens, dim]');
  const dim = Number(hidden.dims[2]);
  const embeddings = new Float32Array(chunks.length * length * dim);
  const empty = weighted ? hidden.data.subarray(chunks.length * length * dim) : undefined;
  chunks.forEach((chunk, c) => {
    chunk.forEach((token, j) => {
      const from = (c * length + j) * dim;
      for (let k = 0; k < dim; k++) {
        const value = hidden.data[from + k]!;
        embeddings[from + k] =
          empty && token.weight !== 1 ? (value - empty[j * dim + k]!) * token.weight + empty[j * dim + k]! : value;
      }
    });
  });
  const pooledOutput = outputs.pooler_output ?? outputs.text_embeds;
  const pooled = pooledOutput
    ? pooledOutput.data.slice(0, Number(pooledOutput.dims[1] ?? pooledOutput.data.length))
    : undefined;
  return { embeddings, tokens: chunks.length * length, dim, pooled };
}
