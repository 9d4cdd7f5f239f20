import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelinePart, TextEncoderSet } from './lora-keys.js';

/** The parts of a pipeline folder whose weights can be patched (LoRA) or merged, by folder name. */
export const PIPELINE_PARTS: readonly PipelinePart[] = ['unet', 'text_encoder', 'text_encoder_2'];

export function partModelPath(dir: string, part: PipelinePart): string {
  return join(dir, part, 'model.onnx');
}

export function textEncodersOf(dir: string): TextEncoderSet {
  return {
    first: existsSync(partModelPath(dir, 'text_encoder')),
    second: existsSync(partModelPath(dir, 'text_encoder_2')),
  };
}
