import { readFileSync } from 'node:fs';
import { defineNode } from '../contract/node-definition.js';
import { rasterToImageBatch, toRgbRaster } from '../runtime/image/image-batch.js';
import type { MaskBatch } from '../contract/socket-types.js';
import { decodeImage } from '../../media/decode-image.js';
import { isOpaque } from '../../media/raster.js';
import { fileExists, listImageFiles, sha256OfFile } from '../../media/image-files.js';
import { resolveInside } from '../../media/safe-path.js';
import { loadImageMemory } from '../runtime/image/image-memory.js';
import { err, type Result } from '../../shared/result.js';

/** The path of an image in the input folder, if it is there. */
function inputFile(inputDir: string, name: string): Result<string> {
  const resolved = resolveInside(inputDir, name);
  if (!resolved.ok) return resolved;
  if (!fileExists(resolved.value)) return err(`Invalid image file: ${name}`);
  return resolved;
}

export const LoadImage = defineNode({
  classType: 'LoadImage',
  displayName: 'Load Image',
  category: 'image',
  description: 'Loads a PNG or JPEG from the input folder. The mask output is 1 − alpha (all zeros without alpha).',
  translations: {
    'zh-CN': {
      display_name: '加载图像',
      description: '从输入文件夹加载 PNG 或 JPEG 图像。遮罩输出为 1 − alpha。',
      inputs: { image: '图像' },
    },
  },
  inputs: {
    image: { kind: 'COMBO', options: (env) => listImageFiles(env.inputDir), imageUpload: true },
  },
  outputs: [
    { type: 'IMAGE', name: 'IMAGE' },
    { type: 'MASK', name: 'MASK' },
  ],
  validate: (inputs, env) => {
    if (inputs.image === undefined) return undefined;
    const file = inputFile(env.inputDir, inputs.image);
    return file.ok ? undefined : file.reason;
  },
  fingerprint: (inputs, env) => {
    if (inputs.image === undefined) return '';
    const file = inputFile(env.inputDir, inputs.image);
    return file.ok ? sha256OfFile(file.value) : 'missing';
  },
  estimate: ({ image }, ctx) => {
    const file = image === undefined ? undefined : inputFile(ctx.env.inputDir, image);
    return loadImageMemory(file?.ok ? file.value : undefined);
  },
  run: ({ image }, ctx) => {
    const file = inputFile(ctx.env.inputDir, image);
    if (!file.ok) throw new Error(file.reason);
    // The same limits as uploads: a file put in the input folder by hand is checked from its header too.
    const decoded = decodeImage(readFileSync(file.value), ctx.env.imageLimits);
    if (!decoded.ok) throw new Error(`${image}: ${decoded.reason}`);
    const raster = decoded.value.raster;
    const hasAlpha = raster.channels === 4 && !isOpaque(raster);
    let mask: MaskBatch;
    if (hasAlpha) {
      const data = new Float32Array(raster.width * raster.height);
      for (let i = 0; i < data.length; i++) data[i] = 1 - raster.data[i * 4 + 3]! / 255;
      mask = { batch: 1, height: raster.height, width: raster.width, data };
    } else {
      mask = { batch: 1, height: 64, width: 64, data: new Float32Array(64 * 64) };
    }
    return { outputs: [rasterToImageBatch(toRgbRaster(raster)), mask] };
  },
});
