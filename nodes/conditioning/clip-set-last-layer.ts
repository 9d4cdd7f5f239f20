import { defineNode } from '../contract/node-definition.js';
import { chooseSdLayer } from '../runtime/diffusion/clip-layers.js';
import '../runtime/diffusion/types.js';

export const CLIPSetLastLayer = defineNode({
  classType: 'CLIPSetLastLayer',
  displayName: 'CLIP Set Last Layer',
  category: 'conditioning',
  description:
    "Clip skip: the text encoder's output is taken from this layer (−1 the last, −2 the one before, …); needs an export with its hidden states.",
  translations: {
    'zh-CN': {
      display_name: 'CLIP 设置停止层',
      description:
        'CLIP 跳过层：文本编码器的输出取自这一层（−1 为最后一层，−2 为倒数第二层……）；需要导出了隐藏状态的模型。',
      inputs: { clip: 'CLIP', stop_at_clip_layer: '停止层' },
    },
  },
  inputs: {
    clip: { kind: 'SOCKET', type: 'CLIP' },
    stop_at_clip_layer: { kind: 'INT', default: -1, min: -24, max: -1, step: 1 },
  },
  outputs: [{ type: 'CLIP', name: 'CLIP' }],
  // The same model with another layer chosen: its shape passes through.
  estimate: ({ clip }) => ({ outputs: [clip], workingBytes: 0 }),
  run: ({ clip, stop_at_clip_layer }) => {
    // Refused here, where the layer is chosen, rather than later in the encoder that reads it.
    if (!clip.sdxl && clip.layers) {
      try {
        chooseSdLayer(clip.layers, stop_at_clip_layer);
      } catch (error) {
        throw new Error(`stop_at_clip_layer: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { outputs: [{ ...clip, stopAtLayer: stop_at_clip_layer }] };
  },
});
