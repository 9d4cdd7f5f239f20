import { describe, expect, it } from 'vitest';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import { foregroundBox, mapToImage, plan, prepareItem, softmax, topK } from '../../nodes/runtime/vision/preprocess.js';
import { preprocessingSchema } from '../../nodes/runtime/vision/sidecar.js';

const spec = (fields: Record<string, unknown>) => preprocessingSchema.parse(fields);

describe('preprocessing against hand-computed values', () => {
  it('normalises with scale, mean and std in NCHW and NHWC, RGB and BGR', () => {
    const image = createImageBatch(1, 1, 1, 3);
    image.data.set([1, 0.5, 0]);
    const nchw = prepareItem(image, 0, spec({ size: [1, 1], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }));
    expect(nchw.dims).toEqual([1, 3, 1, 1]);
    expect(Array.from(nchw.data).map((v) => Number(v.toFixed(4)))).toEqual([1, 0, -1]);
    const bgr = prepareItem(
      image,
      0,
      spec({ size: [1, 1], channel_order: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] }),
    );
    expect(Array.from(bgr.data)).toEqual([0, 127.5, 255]);
    const imagenet = prepareItem(image, 0, spec({ size: [1, 1] }));
    expect(imagenet.data[0]).toBeCloseTo((1 - 0.485) / 0.229, 4);
    const nhwc = prepareItem(
      createImageBatch(1, 1, 2, 3),
      0,
      spec({ size: [1, 2], layout: 'NHWC', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] }),
    );
    expect(nhwc.dims).toEqual([1, 1, 2, 3]);
  });

  it('plans stretch, short-side + centre crop, keep-aspect + pad, and multiple-of sizes', () => {
    expect(plan(400, 200, spec({ size: [224, 224], resize: 'stretch' })).resizeTo).toEqual({ width: 224, height: 224 });
    const crop = plan(400, 200, spec({ size: [224, 224], resize: 'short-side-crop' }));
    expect(crop.resizeTo).toEqual({ width: 512, height: 256 });
    expect(crop.crop).toEqual({ x: 144, y: 16 });
    const pad = plan(400, 200, spec({ size: [48, 192], resize: 'keep-aspect-pad' }));
    expect(pad.content).toEqual({ width: 96, height: 48 });
    expect(pad.tensor).toEqual({ width: 192, height: 48 });
    expect(plan(1000, 500, spec({ resize: 'multiple-of', multiple: 32, max_side: 960 })).tensor).toEqual({
      width: 960,
      height: 480,
    });
    expect(plan(50, 20, spec({ resize: 'multiple-of' })).tensor).toEqual({ width: 64, height: 32 });
  });

  it('pads with normalised black and fills the content from the top left', () => {
    const image = createImageBatch(1, 1, 2, 3);
    image.data.fill(1);
    const prepared = prepareItem(
      image,
      0,
      spec({ size: [1, 4], resize: 'keep-aspect-pad', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] }),
    );
    expect(Array.from(prepared.data.subarray(0, 4))).toEqual([1, 1, 0, 0]);
  });

  it('crops to the foreground of a flat-background scene', () => {
    const image = createImageBatch(1, 10, 10, 3);
    for (let y = 2; y < 5; y++) for (let x = 6; x < 9; x++) image.data.fill(1, (y * 10 + x) * 3, (y * 10 + x) * 3 + 3);
    expect(foregroundBox(image, 0)).toEqual({ x: 5, y: 1, width: 5, height: 5 });
  });

  it('maps an output back onto the image, dropping padding', () => {
    const geometry = {
      source: { x: 0, y: 0, width: 4, height: 2 },
      tensor: { width: 4, height: 4 },
      content: { width: 4, height: 2 },
    };
    const map = Float32Array.from([1, 1, 0, 0, 1, 1, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9]);
    expect(Array.from(mapToImage(map, 4, 4, geometry, 4, 2))).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('softmax and top-k', () => {
    const probabilities = softmax(Float32Array.from([0, Math.log(3)]));
    expect(probabilities[1]).toBeCloseTo(0.75, 6);
    expect(topK(Float32Array.from([0.1, 0.7, 0.2]), 2)).toEqual([
      { index: 1, score: Math.fround(0.7) },
      { index: 2, score: Math.fround(0.2) },
    ]);
  });
});
