import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolveInside } from '../../../media/safe-path.js';
import type { PipelinePart } from './lora-keys.js';
import { buildPatchedModel, changesWeights } from './patched-model.js';
import { PIPELINE_PARTS, partModelPath, textEncodersOf } from './pipeline-parts.js';
import type { ClipModel, DiffusionModel, PipelineHandle, VaeModel } from './types.js';
import { nextCounter } from '../image/save-images.js';

/**
 * CheckpointSave on ONNX: a pipeline folder (model_index.json, scheduler, tokenizers, text encoders, UNet, VAE) with
 * every LoRA and merge applied to the weights, loadable from models/diffusion like any optimum export.
 */

export interface SavedPipeline {
  readonly folder: string;
  /** The folder's name under the output folder, with its subfolder ('/'-separated). */
  readonly name: string;
}

const isPatchable = (folder: string): folder is PipelinePart => (PIPELINE_PARTS as readonly string[]).includes(folder);

/** Copies one part's folder, with its model.onnx (and external data) as the handle's patches make it. */
function writePart(handle: PipelineHandle, part: string, target: string, patchDir: string): void {
  const source = join(handle.dir, part);
  if (!existsSync(source)) return;
  const steps = isPatchable(part) ? (handle.patches[part] ?? []).filter(changesWeights) : [];
  if (!isPatchable(part) || steps.length === 0) {
    cpSync(source, join(target, part), { recursive: true });
    return;
  }
  const built = buildPatchedModel(partModelPath(handle.dir, part), part, steps, textEncodersOf(handle.dir), patchDir);
  if (!built.ok) throw new Error(`cannot write ${part}: ${built.reason}`);
  // The part's other files (config.json) as they are; model.onnx and its data as patched.
  cpSync(source, join(target, part), {
    recursive: true,
    filter: (path) => path === source || !/\.onnx(_data)?$|\.onnx\.data$/.test(basename(path)),
  });
  if (built.value.kind === 'bytes') writeFileSync(join(target, part, 'model.onnx'), built.value.bytes);
  else {
    const folder = dirname(built.value.path);
    // Real copies, not links: the saved pipeline stands alone.
    for (const file of readdirSync(folder)) cpSync(join(folder, file), join(target, part, file), { dereference: true });
  }
}

const TEXT_PARTS = ['tokenizer', 'tokenizer_2', 'text_encoder', 'text_encoder_2'];
const VAE_PARTS = ['vae_decoder', 'vae_encoder'];

export function savePipeline(
  model: DiffusionModel,
  clip: ClipModel,
  vae: VaeModel,
  outputDir: string,
  prefix: string,
  metadata: Readonly<Record<string, unknown>>,
  patchDir: string,
): SavedPipeline {
  const normalized = prefix.replace(/\\/g, '/');
  const subfolder = dirname(normalized) === '.' ? '' : dirname(normalized);
  const folder = resolveInside(outputDir, subfolder === '' ? '.' : subfolder);
  if (!folder.ok) throw new Error(`filename_prefix: ${folder.reason}`);
  const name = basename(normalized);
  if (name === '' || name === '.' || name === '..') throw new Error(`filename_prefix: "${prefix}" names no file`);
  mkdirSync(folder.value, { recursive: true });
  const counter = nextCounter(folder.value, name);
  const finalName = `${name}_${String(counter).padStart(5, '0')}_`;
  const target = join(folder.value, finalName);
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    for (const file of ['model_index.json', 'scheduler'])
      if (existsSync(join(model.pipeline.dir, file)))
        cpSync(join(model.pipeline.dir, file), join(staging, file), { recursive: true });
    writePart(model.pipeline, 'unet', staging, patchDir);
    for (const part of TEXT_PARTS) writePart(clip.pipeline, part, staging, patchDir);
    for (const part of VAE_PARTS)
      if (existsSync(join(vae.pipeline.dir, part)))
        cpSync(join(vae.pipeline.dir, part), join(staging, part), { recursive: true });
    writeFileSync(join(staging, 'inkgraph-metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { folder: target, name: subfolder === '' ? finalName : `${subfolder}/${finalName}` };
}
