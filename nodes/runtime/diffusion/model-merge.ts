import { basename } from 'node:path';
import type { PipelinePart } from './lora-keys.js';
import { weightShapesOf, type BlockRatios } from './patched-model.js';
import { partModelPath, textEncodersOf } from './pipeline-parts.js';
import { withStep } from './pipeline-loader.js';
import type { ClipModel, DiffusionModel, PipelineHandle } from './types.js';

/**
 * ComfyUI's model merging on ONNX weights: every float weight of the first model's part becomes
 * `selfScale · its own + otherScale · the second's`, for models exported from the same graph.
 */

/** Throws, naming the input, unless both parts hold the same float weights (names, types and dims). */
function checkSameGraph(first: string, second: string, field: string, what: string): void {
  const mine = weightShapesOf(first);
  if (!mine.ok) throw new Error(mine.reason);
  const theirs = weightShapesOf(second);
  if (!theirs.ok) throw new Error(`${field}: ${theirs.reason}`);
  for (const [name, shape] of mine.value) {
    const other = theirs.value.get(name);
    if (other !== shape)
      throw new Error(
        `${field}: its ${what} is not the same graph as the first one's, so their weights cannot be merged: weight ${JSON.stringify(name)} is ${other ?? 'missing'} there, ${shape} here`,
      );
  }
  if (theirs.value.size !== mine.value.size)
    throw new Error(
      `${field}: its ${what} has ${theirs.value.size} float weights, the first one's ${mine.value.size}: not the same graph`,
    );
}

function merged(
  first: PipelineHandle,
  second: PipelineHandle,
  parts: readonly PipelinePart[],
  selfScale: number,
  otherScale: number,
  patchDir: string,
  blocks?: BlockRatios,
): PipelineHandle {
  let handle = first;
  for (const part of parts)
    handle = withStep(
      handle,
      [part],
      {
        kind: 'merge',
        dir: second.dir,
        steps: second.patches[part] ?? [],
        selfScale,
        otherScale,
        ...(blocks ? { blocks } : {}),
      },
      patchDir,
    );
  return handle;
}

/**
 * ModelMergeSimple (ratio, 1 − ratio), ModelMergeAdd (1, 1), ModelMergeSubtract (m, −m) on the UNets; with
 * `blocks`, ModelMergeBlocks' ratios by block of the UNet's original layout instead.
 */
export function mergeModels(
  model1: DiffusionModel,
  model2: DiffusionModel,
  selfScale: number,
  otherScale: number,
  patchDir: string,
  blocks?: BlockRatios,
): DiffusionModel {
  checkSameGraph(
    partModelPath(model1.pipeline.dir, 'unet'),
    partModelPath(model2.pipeline.dir, 'unet'),
    'model2',
    'UNet',
  );
  return {
    ...model1,
    pipeline: merged(model1.pipeline, model2.pipeline, ['unet'], selfScale, otherScale, patchDir, blocks),
  };
}

/**
 * CLIPMergeSimple (ratio, 1 − ratio), CLIPMergeAdd (1, 1), CLIPMergeSubtract (m, −m): each text encoder of the
 * first CLIP with the second's same encoder.
 */
export function mergeClips(
  clip1: ClipModel,
  clip2: ClipModel,
  selfScale: number,
  otherScale: number,
  patchDir: string,
): ClipModel {
  const mine = textEncodersOf(clip1.pipeline.dir);
  const theirs = textEncodersOf(clip2.pipeline.dir);
  const parts: PipelinePart[] = [];
  if (mine.first) parts.push('text_encoder');
  if (mine.second) parts.push('text_encoder_2');
  for (const part of parts) {
    if (!(part === 'text_encoder' ? theirs.first : theirs.second))
      throw new Error(
        `clip2: ${basename(clip2.pipeline.dir)} has no ${part} to merge with ${basename(clip1.pipeline.dir)}'s`,
      );
    checkSameGraph(partModelPath(clip1.pipeline.dir, part), partModelPath(clip2.pipeline.dir, part), 'clip2', part);
  }
  return { ...clip1, pipeline: merged(clip1.pipeline, clip2.pipeline, parts, selfScale, otherScale, patchDir) };
}
