import { z } from 'zod';

/**
 * The JSON beside a classifier or segmenter ONNX file (`model.onnx` → `model.json`): how to feed it and read it.
 * Every field has a default, so a partial sidecar fills in from the preset inferred from the model.
 */

export const resizeModes = ['stretch', 'short-side-crop', 'keep-aspect-pad', 'multiple-of'] as const;
export type ResizeMode = (typeof resizeModes)[number];

export const preprocessingSchema = z.object({
  /** Input tensor name; the model's first input when absent. */
  name: z.string().optional(),
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
  /** [height, width] the model takes; for `short-side-crop`, the crop; for `multiple-of`, unused. */
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  resize: z.enum(resizeModes).default('stretch'),
  /** short-side-crop: the short side before the centre crop (256 for 224 crops). */
  resize_short: z.number().int().positive().optional(),
  /** multiple-of: sides are rounded to this multiple, the long side capped at max_side. */
  multiple: z.number().int().positive().default(32),
  max_side: z.number().int().positive().default(960),
  /** foreground: crop to the object first (pixels unlike the border colour), as the emoji classifier expects. */
  crop: z.enum(['none', 'foreground']).default('none'),
  channel_order: z.enum(['RGB', 'BGR']).default('RGB'),
  /** value = (pixel·scale − mean)/std, with pixel in 0..255. */
  scale: z.number().default(1 / 255),
  mean: z.tuple([z.number(), z.number(), z.number()]).default([0.485, 0.456, 0.406]),
  std: z.tuple([z.number(), z.number(), z.number()]).default([0.229, 0.224, 0.225]),
  /** keep-aspect-pad: pad with black, or with 0 after normalisation (PaddleOCR's convention). */
  pad: z.enum(['black', 'zero']).default('black'),
  /** Divide by the image's maximum instead of 255 (rembg's U²-Net convention). */
  normalize_by_max: z.boolean().default(false),
});
export type Preprocessing = z.infer<typeof preprocessingSchema>;

export const sidecarSchema = z.object({
  task: z.enum(['classification', 'segmentation']),
  /** Segmentation: one probability channel, or one channel per class. */
  kind: z.enum(['probability', 'classes']).optional(),
  description: z.string().optional(),
  input: preprocessingSchema.default({} as never),
  output: z
    .object({
      name: z.string().optional(),
      activation: z.enum(['softmax', 'sigmoid', 'none']).default('none'),
      threshold: z.number().min(0).max(1).default(0.5),
      /** Probability maps: rescale to 0..1 by min and max (rembg). */
      min_max: z.boolean().default(false),
      /** DB text detectors mark shrunk text cores: grow each region by area·ratio/perimeter (PaddleOCR: 1.5). */
      unclip: z.number().min(0).default(0),
    })
    .default({} as never),
  labels: z.array(z.string()).optional(),
  labels_zh: z.array(z.string()).optional(),
  /** A text file with one label per line, beside the model. */
  labels_file: z.string().optional(),
});
export type Sidecar = z.infer<typeof sidecarSchema>;
