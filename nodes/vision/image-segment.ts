import { defineNode } from '../contract/node-definition.js';
import { segment } from '../runtime/vision/vision-model.js';
import { imageShape, maskShape } from '../runtime/image/image-memory.js';
import { VISION_RUN_BYTES } from '../runtime/vision/vision-memory.js';

export const ImageSegment = defineNode({
  classType: 'ImageSegment',
  displayName: 'Segment Image',
  category: 'vision',
  description:
    'A mask of each image: probability above the threshold, or for multi-class models the named class (every non-background class when empty), and the class map.',
  translations: {
    'zh-CN': {
      display_name: '图像分割',
      description:
        '每张图像的遮罩：概率高于阈值的区域；多类别模型则为指定类别（为空时为所有非背景类别），并输出类别图。',
      inputs: { image: '图像', segmenter: '分割器', threshold: '阈值', class_name: '类别' },
    },
  },
  inputs: {
    image: { kind: 'SOCKET', type: 'IMAGE' },
    segmenter: { kind: 'SOCKET', type: 'SEGMENTER' },
    threshold: { kind: 'FLOAT', default: 0.5, min: 0, max: 1, step: 0.01 },
    class_name: { kind: 'STRING', default: '' },
  },
  outputs: [
    { type: 'MASK', name: 'MASK' },
    { type: 'IMAGE', name: 'class_map' },
  ],
  // The model's map of each item is resized back to the image: a few image-sized planes while it runs.
  estimate: ({ image }) =>
    image
      ? {
          outputs: [
            maskShape(image.batch, image.height, image.width),
            imageShape(image.batch, image.height, image.width, 3),
          ],
          workingBytes: VISION_RUN_BYTES + 4 * image.height * image.width * 4,
        }
      : { outputs: [undefined, undefined], workingBytes: VISION_RUN_BYTES },
  run: async ({ image, segmenter, threshold, class_name }, ctx) => {
    const result = await segment(segmenter, image, threshold, class_name, ctx.caches);
    const classMap = result.classMap ?? {
      ...image,
      channels: 3 as const,
      data: new Float32Array(image.batch * image.height * image.width * 3).map(
        (_, i) => result.mask.data[Math.floor(i / 3)]!,
      ),
    };
    return { outputs: [result.mask, classMap] };
  },
});
