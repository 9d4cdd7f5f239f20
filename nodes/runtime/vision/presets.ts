import { preprocessingSchema, sidecarSchema, type Sidecar } from './sidecar.js';

/**
 * What to assume about a classifier or segmenter without a sidecar, from its input and output shapes: the
 * common families (ImageNet classifiers, Hugging Face ViT, DeepLabV3/FCN, U²-Net/ISNet, text-region detectors).
 * Pure; the note says what was assumed.
 */

export interface ModelShapes {
  readonly inputName: string;
  readonly inputShape: readonly (number | string)[];
  readonly outputName: string;
  readonly outputShape: readonly (number | string)[];
}

export const VOC_CLASSES = [
  '__background__',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
];

const fixed = (dim: number | string | undefined): number | undefined =>
  typeof dim === 'number' && dim > 0 ? dim : undefined;

export function inferSidecar(
  task: 'classification' | 'segmentation',
  shapes: ModelShapes,
): { sidecar: Sidecar; note: string } {
  const channelsLast = fixed(shapes.inputShape[3]) === 3 && fixed(shapes.inputShape[1]) !== 3;
  const height = fixed(shapes.inputShape[channelsLast ? 1 : 2]);
  const width = fixed(shapes.inputShape[channelsLast ? 2 : 3]);
  const layout = channelsLast ? 'NHWC' : 'NCHW';
  const input = (fields: Record<string, unknown>) =>
    preprocessingSchema.parse({ name: shapes.inputName, layout, ...fields });
  if (task === 'classification') {
    if (shapes.inputName === 'pixel_values') {
      return {
        sidecar: sidecarSchema.parse({
          task,
          input: input({
            size: [height ?? 224, width ?? 224],
            resize: 'stretch',
            mean: [0.5, 0.5, 0.5],
            std: [0.5, 0.5, 0.5],
          }),
          output: { name: shapes.outputName, activation: 'softmax' },
        }),
        note: 'no sidecar: assumed a Hugging Face ViT (pixel_values, resize to the input size, mean = std = 0.5)',
      };
    }
    const size: [number, number] = [height ?? 224, width ?? 224];
    return {
      sidecar: sidecarSchema.parse({
        task,
        input: input({ size, resize: 'short-side-crop', resize_short: Math.round((Math.min(...size) * 256) / 224) }),
        output: { name: shapes.outputName, activation: 'softmax' },
      }),
      note: `no sidecar: assumed an ImageNet classifier (short side ${Math.round((Math.min(...size) * 256) / 224)}, centre crop ${size.join('×')}, ImageNet mean/std)`,
    };
  }
  const channels = fixed(shapes.outputShape[1]);
  if (channels !== undefined && channels > 1) {
    return {
      sidecar: sidecarSchema.parse({
        task,
        kind: 'classes',
        input: input({ resize: 'multiple-of', multiple: 8, max_side: 520 }),
        output: { name: shapes.outputName, activation: 'softmax' },
        ...(channels === 21 ? { labels: VOC_CLASSES } : {}),
      }),
      note: `no sidecar: assumed a ${channels}-class segmenter${channels === 21 ? ' with the VOC classes (DeepLabV3/FCN)' : ''}, ImageNet mean/std`,
    };
  }
  if (height === 320 && width === 320) {
    return {
      sidecar: sidecarSchema.parse({
        task,
        kind: 'probability',
        input: input({ size: [320, 320], resize: 'stretch', normalize_by_max: true }),
        output: { name: shapes.outputName, min_max: true },
      }),
      note: 'no sidecar: assumed a U²-Net background remover (320×320, divided by the image maximum, ImageNet mean/std)',
    };
  }
  if (height === 1024 && width === 1024) {
    return {
      sidecar: sidecarSchema.parse({
        task,
        kind: 'probability',
        input: input({
          size: [1024, 1024],
          resize: 'stretch',
          normalize_by_max: true,
          mean: [0.5, 0.5, 0.5],
          std: [1, 1, 1],
        }),
        output: { name: shapes.outputName, min_max: true },
      }),
      note: 'no sidecar: assumed an ISNet background remover (1024×1024, mean 0.5, std 1)',
    };
  }
  if (height !== undefined && width !== undefined) {
    return {
      sidecar: sidecarSchema.parse({
        task,
        kind: 'probability',
        input: input({ size: [height, width], resize: 'stretch' }),
        output: { name: shapes.outputName },
      }),
      note: `no sidecar: assumed a ${height}×${width} probability-map segmenter with ImageNet mean/std`,
    };
  }
  return {
    sidecar: sidecarSchema.parse({
      task,
      kind: 'probability',
      input: input({ resize: 'multiple-of', multiple: 32, max_side: 960 }),
      output: { name: shapes.outputName, threshold: 0.3, unclip: 1.5 },
    }),
    note: 'no sidecar: assumed a DB text-region detector (sides a multiple of 32, at most 960, ImageNet mean/std, a [N,1,H,W] probability map, regions grown ×1.5)',
  };
}

/** A sidecar's fields over the preset: what the file states wins. */
export function mergeSidecar(preset: Sidecar, file: unknown): Sidecar {
  const given = (typeof file === 'object' && file !== null ? file : {}) as Record<string, unknown>;
  return sidecarSchema.parse({
    ...preset,
    ...given,
    input: { ...preset.input, ...(given.input ?? {}) },
    output: { ...preset.output, ...(given.output ?? {}) },
  });
}
