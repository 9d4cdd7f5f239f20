import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ClipTokenizer } from '../text/clip-tokenizer.js';
import type { LoadedSession } from '../onnx/session.js';
import type { ClipEncoder, ClipModel, PipelineHandle, PipelineSessions } from './types.js';
import { hiddenStateCount, type TextEncoderLayers } from './clip-layers.js';

/** Reading a pipeline's text encoders and tokenizers into a CLIP (one encoder for SD1/SD2, two for SDXL). */

const tokenSchema = z.union([z.string(), z.object({ content: z.string() })]);
const jsonObjectSchema = z.record(z.string(), z.unknown());

function readJsonObject(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`${basename(path)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = jsonObjectSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${basename(path)} is not a JSON object`);
  return parsed.data;
}

function tokenText(value: unknown): string | undefined {
  const parsed = tokenSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return typeof parsed.data === 'string' ? parsed.data : parsed.data.content;
}

type TokenizerFields = Pick<ClipEncoder, 'tokenizer' | 'bosId' | 'eosId' | 'padId' | 'maxLength'>;

/** A tokenizer folder (`tokenizer/` or `tokenizer_2/`): the vocabulary, merges and special tokens it declares. */
function readTokenizer(dir: string, folder: string): TokenizerFields {
  const tokenizer = ClipTokenizer.fromFiles(join(dir, folder, 'vocab.json'), join(dir, folder, 'merges.txt'));
  const special = readJsonObject(join(dir, folder, 'special_tokens_map.json'));
  const config = readJsonObject(join(dir, folder, 'tokenizer_config.json'));
  const idFor = (role: string, fallback: string): number => {
    const text = tokenText(special[role]) ?? tokenText(config[role]) ?? fallback;
    const id = tokenizer.idOf(text);
    if (id === undefined) throw new Error(`${folder}: the ${role} ${JSON.stringify(text)} is not in vocab.json`);
    return id;
  };
  const maxLength =
    typeof config.model_max_length === 'number' && config.model_max_length <= 1024 ? config.model_max_length : 77;
  return {
    tokenizer,
    bosId: idFor('bos_token', '<|startoftext|>'),
    eosId: idFor('eos_token', '<|endoftext|>'),
    padId: idFor('pad_token', '<|endoftext|>'),
    maxLength,
  };
}

/**
 * The penultimate hidden state's output name, `hidden_states.(N-1)` of `hidden_states.0 … N` (N = the layer count;
 * hidden_states.0 is the embeddings): ComfyUI's SDXL encoders read layer -2 without the final layer norm.
 */
export function penultimateHiddenState(outputNames: readonly string[]): string | undefined {
  const count = hiddenStateCount(outputNames);
  if (count === undefined || count < 1) return undefined;
  const wanted = `hidden_states.${count - 1}`;
  return outputNames.includes(wanted) ? wanted : undefined;
}

function sdxlEncoder(
  dir: string,
  folder: 'text_encoder' | 'text_encoder_2',
  session: LoadedSession,
  tokenizerFolder: string,
): ClipEncoder {
  if (!session.inputs.has('input_ids')) throw new Error(`${folder}/model.onnx has no input_ids input`);
  const hiddenOutput = penultimateHiddenState(session.outputNames);
  if (!hiddenOutput)
    throw new Error(
      `${folder}/model.onnx has no hidden_states.* outputs (it has ${session.outputNames.join(', ')}): SDXL reads each ` +
        `encoder's penultimate layer; re-export the pipeline with optimum-cli export onnx, which adds them for SDXL`,
    );
  if (folder === 'text_encoder_2' && !session.outputNames.includes('text_embeds'))
    throw new Error('text_encoder_2/model.onnx has no text_embeds output (the pooled embedding SDXL UNets take)');
  return {
    session: folder === 'text_encoder' ? 'textEncoder' : 'textEncoder2',
    ...readTokenizer(dir, tokenizerFolder),
    hiddenOutput,
  };
}

/** The text encoder's depth (its hidden_states.* outputs, else its config) for clip skip. */
function textEncoderLayers(dir: string, outputNames: readonly string[]): TextEncoderLayers {
  const config = readJsonObject(join(dir, 'text_encoder', 'config.json'));
  const fromOutputs = hiddenStateCount(outputNames);
  const configured = typeof config.num_hidden_layers === 'number' ? config.num_hidden_layers : undefined;
  const count = fromOutputs ?? configured;
  return {
    count,
    hiddenStates: fromOutputs !== undefined,
    // diffusers' SD2 exports: OpenCLIP ViT-H (1024 wide) without its 24th layer.
    lastDropped: config.hidden_size === 1024 && count === 23,
  };
}

/** The CLIP of a pipeline folder: SD1/SD2's single encoder, or SDXL's clip_l (if present) and clip_g. */
export function loadClip(
  dir: string,
  name: string,
  pipeline: PipelineHandle,
  sessions: Pick<PipelineSessions, 'textEncoder' | 'textEncoder2'>,
): ClipModel {
  if (sessions.textEncoder2) {
    const g = sdxlEncoder(dir, 'text_encoder_2', sessions.textEncoder2, 'tokenizer_2');
    const l = sessions.textEncoder ? sdxlEncoder(dir, 'text_encoder', sessions.textEncoder, 'tokenizer') : undefined;
    const first = l ?? g;
    return {
      name,
      pipeline,
      tokenizer: first.tokenizer,
      bosId: first.bosId,
      eosId: first.eosId,
      padId: first.padId,
      maxLength: first.maxLength,
      sdxl: { l, g },
    };
  }
  const encoder = sessions.textEncoder;
  if (!encoder) throw new Error('text_encoder/model.onnx is missing');
  if (!encoder.inputs.has('input_ids')) throw new Error('text_encoder/model.onnx has no input_ids input');
  if (!encoder.outputNames.includes('last_hidden_state'))
    throw new Error('text_encoder/model.onnx has no last_hidden_state output');
  return { name, pipeline, ...readTokenizer(dir, 'tokenizer'), layers: textEncoderLayers(dir, encoder.outputNames) };
}
