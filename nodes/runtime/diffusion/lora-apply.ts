import { basename, join } from 'node:path';
import { listFiles } from '../../../media/image-files.js';
import type { WeightIndex } from '../onnx/weight-locator.js';
import type { PipelinePart } from './lora-keys.js';
import { matchLora, type LoraMatch } from './lora-match.js';
import { fileStamp, loraFileOf, weightIndexOf } from './patched-model.js';
import { partModelPath, textEncodersOf } from './pipeline-parts.js';
import { withStep } from './pipeline-loader.js';
import type { ClipModel, DiffusionModel } from './types.js';

/** LoraLoader's work: matching a LoRA file to a model and a CLIP, and the patched outputs with a report. */

export function listLoras(modelsDir: string): string[] {
  return listFiles(join(modelsDir, 'loras'), (name) => name.toLowerCase().endsWith('.safetensors'));
}

function indexParts(dir: string, parts: readonly PipelinePart[]): Map<PipelinePart, WeightIndex> {
  const indexes = new Map<PipelinePart, WeightIndex>();
  for (const part of parts) {
    const index = weightIndexOf(partModelPath(dir, part));
    if (!index.ok) throw new Error(index.reason);
    indexes.set(part, index.value);
  }
  return indexes;
}

function presentParts(dir: string, parts: readonly PipelinePart[]): PipelinePart[] {
  const encoders = textEncodersOf(dir);
  return parts.filter((part) => part === 'unet' || (part === 'text_encoder' ? encoders.first : encoders.second));
}

const sample = (keys: readonly string[], count = 3): string =>
  keys
    .slice(0, count)
    .map((key) => JSON.stringify(key))
    .join(', ');

const keysOf = (match: LoraMatch): Set<string> =>
  new Set([...match.byPart.values()].flatMap((layers) => layers.map((layer) => layer.pair.key)));

export interface LoraOutputs {
  readonly model: DiffusionModel;
  readonly clip: ClipModel | undefined;
  /** What was patched and what matched nothing, for the node's text. */
  readonly report: string;
}

/**
 * Applies a LoRA file to a model (its UNet) and optionally a CLIP (its text encoders), each at its own strength.
 * A file that matches no layer of either is an error naming some of its keys and the model's; partial matches are
 * reported with counts. The patching itself happens when the sessions are next asked for (lora-sessions.ts).
 */
export function applyLora(
  model: DiffusionModel,
  clip: ClipModel | undefined,
  path: string,
  strengthModel: number,
  strengthClip: number,
  cacheDir: string,
): LoraOutputs {
  const file = loraFileOf(path);
  if (!file.ok) throw new Error(`lora_name: ${file.reason}`);
  const lora = file.value;
  const name = basename(path);
  const modelDir = model.pipeline.dir;
  // Without a CLIP (LoraLoaderModelOnly) the model's own text encoders say which layers are the CLIP's.
  const clipDir = clip?.pipeline.dir ?? modelDir;
  const unetMatch = matchLora(lora, indexParts(modelDir, ['unet']), textEncodersOf(modelDir));
  const clipParts = presentParts(clipDir, ['text_encoder', 'text_encoder_2']);
  const clipMatch = matchLora(lora, indexParts(clipDir, clipParts), textEncodersOf(clipDir));
  const unetKeys = keysOf(unetMatch);
  const clipKeys = keysOf(clipMatch);
  const unmatched = unetMatch.unmatched.filter((key) => !clipKeys.has(key));
  const misfits = [...unetMatch.misfits, ...clipMatch.misfits];
  const total = lora.pairs.size;
  if (unetKeys.size + clipKeys.size === 0) {
    const modelKeys = [...(indexParts(modelDir, ['unet']).get('unet')?.targets.keys() ?? [])].map(
      (module) => `lora_unet_${module.replace(/\./g, '_')}`,
    );
    const unsupported =
      lora.unsupported.size > 0 ? ` (and ${lora.unsupported.size} in formats Inkgraph does not apply)` : '';
    throw new Error(
      `lora_name: ${name} matches no layer of ${model.name}: its ${total} layers have keys like ${sample([
        ...lora.pairs.keys(),
      ])}${unsupported}, while ${model.name}'s UNet layers are ${sample(modelKeys)}, …`,
    );
  }
  const lines = [
    `${name}: ${unetKeys.size} UNet layers${clip ? ` and ${clipKeys.size} text encoder layers` : ''} of ${total} patched`,
  ];
  if (!clip && clipKeys.size > 0) lines.push(`${clipKeys.size} text encoder layers not applied (model only)`);
  if (unmatched.length > 0)
    lines.push(`${unmatched.length} layers name no weight of this model, e.g. ${sample(unmatched)}`);
  for (const misfit of misfits.slice(0, 3)) lines.push(`skipped ${misfit}`);
  if (misfits.length > 3) lines.push(`and ${misfits.length - 3} more layers whose shapes do not fit`);
  if (lora.unsupported.size > 0) {
    const formats = [...new Set(lora.unsupported.values())].join(', ');
    lines.push(`${lora.unsupported.size} layers in formats Inkgraph does not apply (${formats}) were left out`);
  }
  const stamp = fileStamp(path);
  const patchedModel =
    strengthModel === 0
      ? model
      : {
          ...model,
          pipeline: withStep(
            model.pipeline,
            ['unet'],
            { kind: 'lora', path, strength: strengthModel, stamp },
            cacheDir,
          ),
        };
  const patchedClip =
    clip && strengthClip !== 0
      ? {
          ...clip,
          pipeline: withStep(clip.pipeline, clipParts, { kind: 'lora', path, strength: strengthClip, stamp }, cacheDir),
        }
      : clip;
  return { model: patchedModel, clip: patchedClip, report: lines.join('; ') };
}
