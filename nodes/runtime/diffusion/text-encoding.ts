import type { SharedCaches } from '../../contract/node-context.js';
import { parsePromptWeights } from '../text/prompt-weights.js';
import { runSession, type LoadedSession } from '../onnx/session.js';
import type { ClipEncoder, ClipModel, ConditioningEntry, SdxlEncoders } from './types.js';
import { applyFinalLayerNorm, chooseSdLayer, sdxlLayerOutput, type TextEncoderLayers } from './clip-layers.js';

const NO_LAYER_INFO: TextEncoderLayers = { count: undefined, hiddenStates: false, lastDropped: false };

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

/** Token embeddings of some chunks from one encoder output, with the weights applied against the empty prompt's. */
interface EncodedChunks {
  readonly embeddings: Float32Array;
  readonly dim: number;
  /** The first chunk's pooled embedding, as ComfyUI's `first_pooled`. */
  readonly pooled: Float32Array | undefined;
}

/**
 * ComfyUI's `encode_token_weights`: one encoder call for every chunk (plus the empty prompt when any weight is not
 * 1), then each weighted token is moved from the empty prompt's embedding at its position by its weight.
 */
async function encodeChunks(
  session: LoadedSession,
  clip: Pick<ClipEncoder, 'bosId' | 'eosId' | 'padId' | 'maxLength'>,
  chunks: readonly (readonly WeightedToken[])[],
  hiddenOutput: string | undefined,
  pooledOutputs: readonly string[],
  /** Put the hidden state through the final layer norm recovered from this last hidden state (SD1/SD2 clip skip). */
  finalNormFrom?: string,
): Promise<EncodedChunks> {
  const weighted = chunks.some((chunk) => chunk.some((token) => token.weight !== 1));
  const rows = chunks.map((chunk) => chunk.map((token) => token.id));
  if (weighted) rows.push([clip.bosId, clip.eosId, ...Array.from({ length: clip.maxLength - 2 }, () => clip.padId)]);
  const length = clip.maxLength;
  const wanted = hiddenOutput
    ? [
        hiddenOutput,
        ...(finalNormFrom ? [finalNormFrom, 'last_hidden_state'] : []),
        ...pooledOutputs.filter((name) => session.outputNames.includes(name)),
      ]
    : undefined;
  const outputs = await runSession(session, { input_ids: { data: rows.flat(), dims: [rows.length, length] } }, wanted);
  const raw = outputs[hiddenOutput ?? 'last_hidden_state'];
  if (!raw || raw.dims.length !== 3)
    throw new Error(`the text encoder did not return ${hiddenOutput ?? 'last_hidden_state'} [batch, tokens, dim]`);
  const dim = Number(raw.dims[2]);
  const hidden = { dims: raw.dims, data: raw.data };
  if (finalNormFrom) {
    const before = outputs[finalNormFrom];
    const after = outputs.last_hidden_state;
    if (!before || !after) throw new Error(`the text encoder did not return ${finalNormFrom} and last_hidden_state`);
    hidden.data = applyFinalLayerNorm(raw.data, before.data, after.data, dim);
  }
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
  const pooledName = pooledOutputs.find((name) => outputs[name] !== undefined);
  const pooledOutput = pooledName ? outputs[pooledName] : undefined;
  const pooled = pooledOutput
    ? pooledOutput.data.slice(0, Number(pooledOutput.dims[1] ?? pooledOutput.data.length))
    : undefined;
  return { embeddings, dim, pooled };
}

/** Encodes a prompt into one conditioning entry (an SDXL CLIP encodes it with both of its encoders). */
export async function encodePrompt(clip: ClipModel, text: string, caches: SharedCaches): Promise<ConditioningEntry> {
  if (clip.sdxl) return encodeSdxl(clip.sdxl, clip.pipeline, { g: text, l: text }, caches, clip.stopAtLayer);
  const { textEncoder } = await clip.pipeline.sessions(caches);
  if (!textEncoder) throw new Error('the pipeline has no text_encoder');
  const chunks = chunkPrompt(text, clip);
  const layer = chooseSdLayer(clip.layers ?? NO_LAYER_INFO, clip.stopAtLayer);
  const { embeddings, dim, pooled } = await encodeChunks(
    textEncoder,
    clip,
    chunks,
    layer.kind === 'hidden' ? layer.output : undefined,
    ['pooler_output', 'text_embeds'],
    layer.kind === 'hidden' ? layer.finalNormFrom : undefined,
  );
  return { embeddings, tokens: chunks.length * clip.maxLength, dim, pooled };
}

/** Appends the empty prompt's chunk until `chunks` has `count` of them (ComfyUI pads clip_l and clip_g alike). */
function padChunks(chunks: WeightedToken[][], count: number, encoder: ClipEncoder): WeightedToken[][] {
  const padded = [...chunks];
  while (padded.length < count) padded.push(...chunkPrompt('', encoder));
  return padded;
}

/**
 * ComfyUI's SDXLClipModel (or SDXLRefinerClipModel without clip_l): clip_l tokenizes `l` and clip_g `g`, the
 * shorter is padded with empty chunks, each encoder's penultimate hidden state is weighted on its own, the two are
 * concatenated per token as [clip_l ‖ clip_g], and the pooled embedding is clip_g's first chunk's `text_embeds`.
 */
export async function encodeSdxl(
  encoders: SdxlEncoders,
  pipeline: ClipModel['pipeline'],
  text: { readonly g: string; readonly l: string },
  caches: SharedCaches,
  /** CLIPSetLastLayer's layer for both encoders (absent: their penultimate). */
  stopAtLayer?: number,
): Promise<ConditioningEntry> {
  const sessions = await pipeline.sessions(caches);
  const layerOf = (encoder: ClipEncoder, session: LoadedSession): string =>
    stopAtLayer === undefined ? encoder.hiddenOutput : sdxlLayerOutput(session.outputNames, stopAtLayer);
  const sessionOf = (encoder: ClipEncoder, folder: string): LoadedSession => {
    const session = sessions[encoder.session];
    if (!session) throw new Error(`the pipeline has no ${folder}`);
    return session;
  };
  const { g, l } = encoders;
  let chunksG = chunkPrompt(text.g, g);
  let chunksL = l ? chunkPrompt(text.l, l) : undefined;
  if (l && chunksL) {
    const count = Math.max(chunksG.length, chunksL.length);
    chunksG = padChunks(chunksG, count, g);
    chunksL = padChunks(chunksL, count, l);
  }
  const sessionG = sessionOf(g, 'text_encoder_2');
  const encodedG = await encodeChunks(sessionG, g, chunksG, layerOf(g, sessionG), ['text_embeds']);
  const tokens = chunksG.length * g.maxLength;
  if (!l || !chunksL) return { embeddings: encodedG.embeddings, tokens, dim: encodedG.dim, pooled: encodedG.pooled };
  const sessionL = sessionOf(l, 'text_encoder');
  const encodedL = await encodeChunks(sessionL, l, chunksL, layerOf(l, sessionL), []);
  if (l.maxLength !== g.maxLength)
    throw new Error(`tokenizer and tokenizer_2 disagree on the chunk length (${l.maxLength} and ${g.maxLength})`);
  const dim = encodedL.dim + encodedG.dim;
  const embeddings = new Float32Array(tokens * dim);
  for (let t = 0; t < tokens; t++) {
    embeddings.set(encodedL.embeddings.subarray(t * encodedL.dim, (t + 1) * encodedL.dim), t * dim);
    embeddings.set(encodedG.embeddings.subarray(t * encodedG.dim, (t + 1) * encodedG.dim), t * dim + encodedL.dim);
  }
  return { embeddings, tokens, dim, pooled: encodedG.pooled };
}
