import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeMemory } from '../../contract/memory.js';
import { resolveInside } from '../../../media/safe-path.js';

/**
 * Vision models run on their own small input size (a few hundred pixels a side), so a run costs about the same
 * whatever the image: a fixed allowance for the preprocessed input and the activations.
 */
export const VISION_RUN_BYTES = 64 * 1024 * 1024;

export function visionLoaderMemory(modelsDir: string, folder: string, name: string | undefined): NodeMemory {
  if (name === undefined) return { outputs: [undefined], workingBytes: 0 };
  const path = resolveInside(join(modelsDir, folder), name);
  let bytes = 0;
  try {
    if (path.ok) bytes = statSync(path.value).size;
  } catch {
    // A missing file fails at run time with its own error.
  }
  return {
    outputs: [undefined],
    workingBytes: bytes,
    models: [{ key: `vision:${path.ok ? path.value : name}`, name, bytes }],
  };
}
