import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SharedCaches } from '../../contract/node-context.js';
import { loadSession, type LoadedSession } from '../onnx/session.js';
import { threadsChosenFor } from '../onnx/tuned-session.js';
import type { LoraPart, TextEncoderSet } from './lora-keys.js';
import { buildPatchedModel, patchKey, type AppliedLora } from './lora-patched-model.js';
import type { PipelineSessions } from './types.js';

/** The LoRAs applied to each part of a pipeline, in the order the loaders applied them. */
export type PipelinePatches = Readonly<Partial<Record<LoraPart, readonly AppliedLora[]>>>;

const SESSION_OF: Readonly<Record<LoraPart, 'unet' | 'textEncoder' | 'textEncoder2'>> = {
  unet: 'unet',
  text_encoder: 'textEncoder',
  text_encoder_2: 'textEncoder2',
};

export const LORA_PARTS: readonly LoraPart[] = ['unet', 'text_encoder', 'text_encoder_2'];

export function partModelPath(dir: string, part: LoraPart): string {
  return join(dir, part, 'model.onnx');
}

export function textEncodersOf(dir: string): TextEncoderSet {
  return {
    first: existsSync(partModelPath(dir, 'text_encoder')),
    second: existsSync(partModelPath(dir, 'text_encoder_2')),
  };
}

export function hasPatches(patches: PipelinePatches): boolean {
  return LORA_PARTS.some((part) => (patches[part] ?? []).some((lora) => lora.strength !== 0));
}

async function patchedSession(
  dir: string,
  part: LoraPart,
  loras: readonly AppliedLora[],
  cacheDir: string,
  caches: SharedCaches,
): Promise<LoadedSession> {
  const modelPath = partModelPath(dir, part);
  return caches.getOrCreate(
    `lora:${patchKey(modelPath, loras)}`,
    async () => {
      const source = buildPatchedModel(modelPath, part, loras, textEncodersOf(dir), cacheDir);
      if (!source.ok) throw new Error(`cannot apply the LoRA to ${part}: ${source.reason}`);
      const threads = threadsChosenFor(modelPath);
      return source.value.kind === 'bytes'
        ? loadSession({ label: `${modelPath} (with LoRA)`, bytes: source.value.bytes }, threads)
        : loadSession(source.value.path, threads);
    },
    async (loaded) => loaded.session.release(),
  );
}

/**
 * A pipeline's sessions with its patched parts swapped in: each patched part is its own cache entry (keyed by the
 * model file and the LoRAs with their strengths), so a re-run reuses it and the unpatched pipeline stays usable.
 */
export async function withPatches(
  dir: string,
  base: PipelineSessions,
  patches: PipelinePatches,
  cacheDir: string,
  caches: SharedCaches,
): Promise<PipelineSessions> {
  const sessions: { -readonly [K in keyof PipelineSessions]: PipelineSessions[K] } = { ...base };
  for (const part of LORA_PARTS) {
    const loras = (patches[part] ?? []).filter((lora) => lora.strength !== 0);
    if (loras.length === 0 || !base[SESSION_OF[part]]) continue;
    sessions[SESSION_OF[part]] = await patchedSession(dir, part, loras, cacheDir, caches);
  }
  return sessions;
}
