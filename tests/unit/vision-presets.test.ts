import { describe, expect, it } from 'vitest';
import { inferSidecar, mergeSidecar, VOC_CLASSES } from '../../nodes/runtime/vision/presets.js';

describe('presets inferred from model shapes', () => {
  it('classifiers: ImageNet (data → 1000) and ViT (pixel_values)', () => {
    const resnet = inferSidecar('classification', {
      inputName: 'data',
      inputShape: ['N', 3, 224, 224],
      outputName: 'resnetv24_dense0_fwd',
      outputShape: ['N', 1000],
    });
    expect(resnet.sidecar.input).toMatchObject({
      resize: 'short-side-crop',
      size: [224, 224],
      resize_short: 256,
      mean: [0.485, 0.456, 0.406],
    });
    expect(resnet.sidecar.output.activation).toBe('softmax');
    expect(resnet.note).toContain('ImageNet');
    const vit = inferSidecar('classification', {
      inputName: 'pixel_values',
      inputShape: ['N', 3, 224, 224],
      outputName: 'logits',
      outputShape: ['N', 1000],
    });
    expect(vit.sidecar.input).toMatchObject({ resize: 'stretch', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  });

  it('segmenters: DeepLab/FCN classes, U²-Net, ISNet, text detectors', () => {
    const deeplab = inferSidecar('segmentation', {
      inputName: 'input',
      inputShape: ['N', 3, 'H', 'W'],
      outputName: 'out',
      outputShape: ['N', 21, 'H', 'W'],
    });
    expect(deeplab.sidecar.kind).toBe('classes');
    expect(deeplab.sidecar.labels).toEqual(VOC_CLASSES);
    const u2net = inferSidecar('segmentation', {
      inputName: 'input.1',
      inputShape: [1, 3, 320, 320],
      outputName: '1959',
      outputShape: [1, 1, 320, 320],
    });
    expect(u2net.sidecar.input).toMatchObject({ size: [320, 320], normalize_by_max: true });
    const isnet = inferSidecar('segmentation', {
      inputName: 'input_image',
      inputShape: [1, 3, 1024, 1024],
      outputName: 'output_image',
      outputShape: [1, 1, 1024, 1024],
    });
    expect(isnet.sidecar.input.std).toEqual([1, 1, 1]);
    const paddle = inferSidecar('segmentation', {
      inputName: 'x',
      inputShape: ['p2o.0', 3, 'p2o.1', 'p2o.2'],
      outputName: 'sigmoid_0.tmp_0',
      outputShape: ['p2o.3', 1, 'p2o.4', 'p2o.5'],
    });
    expect(paddle.sidecar.input).toMatchObject({ resize: 'multiple-of', multiple: 32, max_side: 960 });
    expect(paddle.note).toContain('text-region');
  });

  it('a sidecar overrides the preset field by field', () => {
    const preset = inferSidecar('classification', {
      inputName: 'x',
      inputShape: ['N', 3, 48, 192],
      outputName: 'softmax_0.tmp_0',
      outputShape: ['N', 2],
    }).sidecar;
    const merged = mergeSidecar(preset, {
      labels: ['0', '180'],
      input: { resize: 'keep-aspect-pad', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      output: { activation: 'none' },
    });
    expect(merged.input).toMatchObject({ resize: 'keep-aspect-pad', size: [48, 192], mean: [0.5, 0.5, 0.5] });
    expect(merged.output.activation).toBe('none');
    expect(merged.labels).toEqual(['0', '180']);
  });
});
