import { join } from 'node:path';
import { fileExists, listFiles } from '../media/image-files.js';
import { resolveInside } from '../media/safe-path.js';
import type { NodeEnvironment } from '../nodes/contract/node-context.js';
import type { NodeRegistry } from '../nodes/contract/node-definition.js';
import { err, type Result } from '../shared/result.js';

/** Where a model folder's names come from. */
export type ModelFolderSource =
  /** Files under a folder of models/. */
  | { readonly kind: 'files'; readonly folder: string }
  /** A loader's combo: the names it accepts, listed by the same rule it uses (pipelines are folders, not files). */
  | { readonly kind: 'loader'; readonly classType: string; readonly input: string }
  /** A ComfyUI folder Inkgraph has nothing for: always []. */
  | { readonly kind: 'none' };

/** Inkgraph's own folders, as `/models` has always listed them (first, in this order). */
const INKGRAPH_FOLDERS = ['diffusion', 'classifiers', 'segmenters', 'embeddings', 'vae', 'text_encoders'] as const;

/** The keys of ComfyUI's `folder_paths.folder_names_and_paths` (v0.3.64), in its order. */
const COMFY_FOLDERS = [
  'checkpoints',
  'configs',
  'loras',
  'vae',
  'text_encoders',
  'diffusion_models',
  'clip_vision',
  'style_models',
  'embeddings',
  'diffusers',
  'vae_approx',
  'controlnet',
  'gligen',
  'upscale_models',
  'custom_nodes',
  'hypernetworks',
  'photomaker',
  'classifiers',
  'model_patches',
  'audio_encoders',
] as const;

/** ComfyUI's legacy names (`map_legacy`): old workflows and clients still ask for them. */
const LEGACY_NAMES: Readonly<Record<string, string>> = { unet: 'diffusion_models', clip: 'text_encoders' };

const SOURCES: Readonly<Record<string, ModelFolderSource>> = {
  // Inkgraph's checkpoints are ONNX pipeline folders: the names CheckpointLoaderSimple offers.
  checkpoints: { kind: 'loader', classType: 'CheckpointLoaderSimple', input: 'ckpt_name' },
  // A VAE is a pipeline folder's vae_decoder: the names VAELoader offers.
  vae: { kind: 'loader', classType: 'VAELoader', input: 'vae_name' },
  diffusion: { kind: 'files', folder: 'diffusion' },
  classifiers: { kind: 'files', folder: 'classifiers' },
  segmenters: { kind: 'files', folder: 'segmenters' },
  embeddings: { kind: 'files', folder: 'embeddings' },
  text_encoders: { kind: 'files', folder: 'text_encoders' },
  // LoRA .safetensors files (LoraLoader), so /view_metadata/loras reads their training metadata as ComfyUI's does.
  loras: { kind: 'files', folder: 'loras' },
  upscale_models: { kind: 'loader', classType: 'UpscaleModelLoader', input: 'model_name' },
  controlnet: { kind: 'loader', classType: 'ControlNetLoader', input: 'control_net_name' },
};

/** Every folder `/models` lists: Inkgraph's, then ComfyUI's not already among them. */
export function modelFolderNames(): string[] {
  const names: string[] = [...INKGRAPH_FOLDERS];
  for (const name of COMFY_FOLDERS) if (!names.includes(name)) names.push(name);
  return names;
}

/** Where a requested folder's names come from, or undefined for a folder neither ComfyUI nor Inkgraph knows. */
export function modelFolderSource(requested: string): ModelFolderSource | undefined {
  const name = Object.hasOwn(LEGACY_NAMES, requested) ? LEGACY_NAMES[requested]! : requested;
  if (Object.hasOwn(SOURCES, name)) return SOURCES[name];
  return modelFolderNames().includes(name) ? { kind: 'none' } : undefined;
}

/** The names in a model folder, as `/models/{folder}` answers them. */
export function listModelFolder(source: ModelFolderSource, registry: NodeRegistry, env: NodeEnvironment): string[] {
  if (source.kind === 'none') return [];
  if (source.kind === 'files') return listFiles(join(env.modelsDir, source.folder));
  const input = registry.get(source.classType)?.inputs[source.input];
  if (input?.kind !== 'COMBO') return [];
  const options = typeof input.options === 'function' ? input.options(env) : input.options;
  return [...options];
}

/**
 * A file in a model folder, as ComfyUI's `folder_paths.get_full_path` finds it: only folders of plain files have
 * any (a checkpoint here is a pipeline folder), and the name stays inside the folder. Why not, otherwise.
 */
export function findModelFile(modelsDir: string, folder: string, filename: string): Result<string> {
  const source = modelFolderSource(folder);
  if (!source) return err(`no model folder named ${folder}`);
  if (source.kind !== 'files') return err(`${folder} holds no files Inkgraph can read metadata from`);
  const file = resolveInside(join(modelsDir, source.folder), filename);
  if (!file.ok) return err(`filename: ${file.reason}`);
  return fileExists(file.value) ? file : err(`no file ${filename} in ${folder}`);
}
