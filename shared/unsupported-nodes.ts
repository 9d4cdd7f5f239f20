import { ownValue } from './own-property.js';

/**
 * ComfyUI nodes whose semantics need a model Inkgraph's ONNX pipelines cannot be: not faked, and named with why
 * wherever a workflow uses them (the server's validation, the editor's missing-node view).
 */
export interface UnsupportedReason {
  readonly en: string;
  readonly 'zh-CN': string;
}

const UNCLIP: UnsupportedReason = {
  en: 'unCLIP needs an unCLIP UNet and a CLIP vision encoder; the ONNX pipelines Inkgraph runs have neither',
  'zh-CN': 'unCLIP 需要 unCLIP UNet 和 CLIP 视觉编码器，Inkgraph 运行的 ONNX 流水线都没有',
};
const CLIP_VISION: UnsupportedReason = {
  en: 'CLIP vision models (and the style models that read them) are not part of the ONNX pipelines Inkgraph loads',
  'zh-CN': 'CLIP 视觉模型（及读取它的风格模型）不属于 Inkgraph 加载的 ONNX 流水线',
};
const PATCHES_UNET: UnsupportedReason = {
  en: "it patches layers inside the UNet, which an ONNX export's fixed graph cannot take",
  'zh-CN': '它要修改 UNet 内部的层，而 ONNX 导出的固定计算图无法接受',
};

const REASONS: Readonly<Record<string, UnsupportedReason>> = {
  unCLIPCheckpointLoader: UNCLIP,
  unCLIPConditioning: UNCLIP,
  CLIPVisionLoader: CLIP_VISION,
  CLIPVisionEncode: CLIP_VISION,
  StyleModelLoader: CLIP_VISION,
  StyleModelApply: CLIP_VISION,
  GLIGENLoader: PATCHES_UNET,
  GLIGENTextBoxApply: PATCHES_UNET,
  HypernetworkLoader: PATCHES_UNET,
};

/** Why Inkgraph lacks a ComfyUI node type, when it is one it lacks on purpose. */
export function unsupportedNodeReason(classType: string): UnsupportedReason | undefined {
  return ownValue(REASONS, classType);
}
