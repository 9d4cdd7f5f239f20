import type { SharedCaches } from '../../contract/node-context.js';
import { loadSession, releaseSession, type LoadedSession } from '../onnx/session.js';
import { threadsChosenFor } from '../onnx/tuned-session.js';
import type { PipelinePart } from './lora-keys.js';
import { buildPatchedModel, changesWeights, patchKey, type PatchStep, type PipelinePatches } from './patched-model.js';
import { PIPELINE_PARTS, partModelPath, textEncodersOf } from './pipeline-parts.js';
import type { PipelineSessions } from './types.js';

const SESSION_OF: Readonly<Record<PipelinePart, 'unet' | 'textEncoder' | 'textEncoder2'>> = {
  unet: 'unet',
  text_encoder: 'textEncoder',
  text_encoder_2: 'textEncoder2',
};

export function hasPatches(patches: PipelinePatches): boolean {
  return PIPELINE_PARTS.some((part) => (patches[part] ?? []).some(changesWeights));
}

async function patchedSession(
  dir: string,
  part: PipelinePart,
  steps: readonly PatchStep[],
  cacheDir: string,
  caches: SharedCaches,
): Promise<LoadedSession> {
  const modelPath = partModelPath(dir, part);
  return caches.getOrCreate(
    `patched:${patchKey(modelPath, part, steps)}`,
    async () => {
      const source = buildPatchedModel(modelPath, part, steps, textEncodersOf(dir), cacheDir);
      if (!source.ok) throw new Error(`cannot patch ${part}: ${source.reason}`);
      const threads = threadsChosenFor(modelPath);
      return source.value.kind === 'bytes'
        ? loadSession({ label: `${modelPath} (patched)`, bytes: source.value.bytes }, threads)
        : loadSession(source.value.path, threads);
    },
    async (loaded) => releaseSession(loaded),
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
  for (const part of PIPELINE_PARTS) {
    const steps = (patches[part] ?? []).filter(changesWeights);
    if (steps.length === 0 || !base[SESSION_OF[part]]) continue;
    sessions[SESSION_OF[part]] = await patchedSession(dir, part, steps, cacheDir, caches);
  }
  return sessions;
}
