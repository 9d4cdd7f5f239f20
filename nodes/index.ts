import type { NodeClass, NodeRegistry } from './contract/node-definition.js';
import { CheckpointLoaderSimple } from './loaders/checkpoint-loader.js';
import { CLIPTextEncode } from './conditioning/clip-text-encode.js';
import { CLIPTextEncodeSDXL } from './conditioning/clip-text-encode-sdxl.js';
import { CLIPTextEncodeSDXLRefiner } from './conditioning/clip-text-encode-sdxl-refiner.js';
import { CLIPSetLastLayer } from './conditioning/clip-set-last-layer.js';
import { ConditioningCombine } from './conditioning/conditioning-combine.js';
import { ConditioningConcat } from './conditioning/conditioning-concat.js';
import { ConditioningAverage } from './conditioning/conditioning-average.js';
import { ConditioningSetArea } from './conditioning/conditioning-set-area.js';
import { ConditioningSetAreaPercentage } from './conditioning/conditioning-set-area-percentage.js';
import { ConditioningSetAreaStrength } from './conditioning/conditioning-set-area-strength.js';
import { ConditioningSetMask } from './conditioning/conditioning-set-mask.js';
import { ConditioningZeroOut } from './conditioning/conditioning-zero-out.js';
import { ConditioningSetTimestepRange } from './conditioning/conditioning-set-timestep-range.js';
import { InpaintModelConditioning } from './conditioning/inpaint-model-conditioning.js';
import { SetLatentNoiseMask } from './latent/set-latent-noise-mask.js';
import { VAEEncodeForInpaint } from './latent/vae-encode-for-inpaint.js';
import { EmptyLatentImage } from './latent/empty-latent-image.js';
import { KSampler } from './sampling/ksampler.js';
import { KSamplerAdvanced } from './sampling/ksampler-advanced.js';
import { BasicScheduler } from './sampling/basic-scheduler.js';
import { KarrasScheduler } from './sampling/karras-scheduler.js';
import { ExponentialScheduler } from './sampling/exponential-scheduler.js';
import { PolyexponentialScheduler } from './sampling/polyexponential-scheduler.js';
import { VPScheduler } from './sampling/vp-scheduler.js';
import { BetaSamplingScheduler } from './sampling/beta-sampling-scheduler.js';
import { SDTurboScheduler } from './sampling/sd-turbo-scheduler.js';
import { AlignYourStepsScheduler } from './sampling/align-your-steps-scheduler.js';
import { SplitSigmas } from './sampling/split-sigmas.js';
import { SplitSigmasDenoise } from './sampling/split-sigmas-denoise.js';
import { FlipSigmas } from './sampling/flip-sigmas.js';
import { SetFirstSigma } from './sampling/set-first-sigma.js';
import { ExtendIntermediateSigmas } from './sampling/extend-intermediate-sigmas.js';
import { SamplingPercentToSigma } from './sampling/sampling-percent-to-sigma.js';
import { LaplaceScheduler } from './sampling/laplace-scheduler.js';
import { ManualSigmas } from './experimental/manual-sigmas.js';
import { SamplerCustom } from './sampling/sampler-custom.js';
import { SamplerCustomAdvanced } from './sampling/sampler-custom-advanced.js';
import { KSamplerSelect } from './sampling/ksampler-select.js';
import { SamplerEulerAncestral } from './sampling/sampler-euler-ancestral.js';
import { SamplerEulerAncestralCFGPP } from './sampling/sampler-euler-ancestral-cfgpp.js';
import { SamplerLMS } from './sampling/sampler-lms.js';
import { SamplerDPMPP_3M_SDE } from './sampling/sampler-dpmpp-3m-sde.js';
import { SamplerDPMPP_2M_SDE } from './sampling/sampler-dpmpp-2m-sde.js';
import { SamplerDPMPP_SDE } from './sampling/sampler-dpmpp-sde.js';
import { SamplerDPMPP_2S_Ancestral } from './sampling/sampler-dpmpp-2s-ancestral.js';
import { SamplerDPMAdaptative } from './sampling/sampler-dpm-adaptative.js';
import { SamplerER_SDE } from './sampling/sampler-er-sde.js';
import { SamplerSASolver } from './sampling/sampler-sa-solver.js';
import { SamplerSEEDS2 } from './sampling/sampler-seeds2.js';
import { CFGGuider } from './sampling/cfg-guider.js';
import { DualCFGGuider } from './sampling/dual-cfg-guider.js';
import { BasicGuider } from './sampling/basic-guider.js';
import { RandomNoise } from './sampling/random-noise.js';
import { DisableNoise } from './sampling/disable-noise.js';
import { AddNoise } from './experimental/add-noise.js';
import { ModelSamplingDiscrete } from './model/model-sampling-discrete.js';
import { RescaleCFG } from './model/rescale-cfg.js';
import { LatentUpscale } from './latent/latent-upscale.js';
import { LatentUpscaleBy } from './latent/latent-upscale-by.js';
import { LatentFromBatch } from './latent/latent-from-batch.js';
import { RepeatLatentBatch } from './latent/repeat-latent-batch.js';
import { LatentComposite } from './latent/latent-composite.js';
import { LatentCompositeMasked } from './latent/latent-composite-masked.js';
import { LatentBlend } from './latent/latent-blend.js';
import { LatentCrop } from './latent/latent-crop.js';
import { LatentFlip } from './latent/latent-flip.js';
import { LatentRotate } from './latent/latent-rotate.js';
import { VAEDecode } from './latent/vae-decode.js';
import { VAEEncode } from './latent/vae-encode.js';
import { VAEDecodeTiled } from './latent/vae-decode-tiled.js';
import { VAEEncodeTiled } from './latent/vae-encode-tiled.js';
import { VAELoader } from './loaders/vae-loader.js';
import { LoraLoader } from './loaders/lora-loader.js';
import { LoraLoaderModelOnly } from './loaders/lora-loader-model-only.js';
import { UpscaleModelLoader } from './loaders/upscale-model-loader.js';
import { ControlNetLoader } from './loaders/controlnet-loader.js';
import { ControlNetApply } from './conditioning/controlnet-apply.js';
import { ControlNetApplyAdvanced } from './conditioning/controlnet-apply-advanced.js';
import { ImageUpscaleWithModel } from './image/image-upscale-with-model.js';
import { ModelMergeSimple } from './model_merging/model-merge-simple.js';
import { ModelMergeBlocks } from './model_merging/model-merge-blocks.js';
import { ModelMergeAdd } from './model_merging/model-merge-add.js';
import { ModelMergeSubtract } from './model_merging/model-merge-subtract.js';
import { CLIPMergeSimple } from './model_merging/clip-merge-simple.js';
import { CLIPMergeSubtract } from './model_merging/clip-merge-subtract.js';
import { CLIPMergeAdd } from './model_merging/clip-merge-add.js';
import { CheckpointSave } from './model_merging/checkpoint-save.js';
import { ImageInvert } from './image/image-invert.js';
import { ImagePadForOutpaint } from './image/image-pad-for-outpaint.js';
import { ImageScale } from './image/image-scale.js';
import { ImageScaleBy } from './image/image-scale-by.js';
import { ImageScaleToTotalPixels } from './image/image-scale-to-total-pixels.js';
import { EmptyImage } from './image/empty-image.js';
import { ImageBatch } from './image/image-batch.js';
import { ImageCrop } from './image/image-crop.js';
import { ImageBlend } from './image/image-blend.js';
import { ImageBlur } from './image/image-blur.js';
import { ImageSharpen } from './image/image-sharpen.js';
import { ImageQuantize } from './image/image-quantize.js';
import { LoadImage } from './image/load-image.js';
import { PreviewImage } from './image/preview-image.js';
import { PromptText } from './utils/prompt-text.js';
import { PrimitiveInt } from './utils/primitive-int.js';
import { PrimitiveFloat } from './utils/primitive-float.js';
import { PrimitiveBoolean } from './utils/primitive-boolean.js';
import { PrimitiveString } from './utils/primitive-string.js';
import { ImageCompositeMasked } from './image/image-composite-masked.js';
import { ImageToMask } from './mask/image-to-mask.js';
import { InvertMask } from './mask/invert-mask.js';
import { JoinImageWithAlpha } from './mask/join-image-with-alpha.js';
import { MaskToImage } from './mask/mask-to-image.js';
import { MaskPreview } from './mask/mask-preview.js';
import { SolidMask } from './mask/solid-mask.js';
import { ThresholdMask } from './mask/threshold-mask.js';
import { CropMask } from './mask/crop-mask.js';
import { MaskComposite } from './mask/mask-composite.js';
import { GrowMask } from './mask/grow-mask.js';
import { FeatherMask } from './mask/feather-mask.js';
import { ImageColorToMask } from './mask/image-color-to-mask.js';
import { LoadImageMask } from './mask/load-image-mask.js';
import { DescribeImage } from './vision/describe-image.js';
import { ImageClassifierLoader } from './vision/image-classifier-loader.js';
import { ImageClassify } from './vision/image-classify.js';
import { ImageSegment } from './vision/image-segment.js';
import { ImageSegmenterLoader } from './vision/image-segmenter-loader.js';
import { SaveImage } from './image/save-image.js';
import { SaveImageWebsocket } from './image/save-image-websocket.js';
import { TEST_GATES_ENV, TestGate } from './testing/test-gate.js';
import { TestTimer } from './testing/test-timer.js';

/** Every node Inkgraph ships, in palette order. */
export const allNodes: readonly NodeClass[] = [
  CheckpointLoaderSimple,
  VAELoader,
  LoraLoader,
  LoraLoaderModelOnly,
  UpscaleModelLoader,
  ControlNetLoader,
  ControlNetApplyAdvanced,
  ControlNetApply,
  CLIPTextEncode,
  CLIPTextEncodeSDXL,
  CLIPTextEncodeSDXLRefiner,
  CLIPSetLastLayer,
  ConditioningCombine,
  ConditioningConcat,
  ConditioningAverage,
  ConditioningSetArea,
  ConditioningSetAreaPercentage,
  ConditioningSetAreaStrength,
  ConditioningSetMask,
  ConditioningZeroOut,
  ConditioningSetTimestepRange,
  InpaintModelConditioning,
  EmptyLatentImage,
  KSampler,
  KSamplerAdvanced,
  BasicScheduler,
  KarrasScheduler,
  ExponentialScheduler,
  PolyexponentialScheduler,
  VPScheduler,
  BetaSamplingScheduler,
  SDTurboScheduler,
  AlignYourStepsScheduler,
  SplitSigmas,
  SplitSigmasDenoise,
  FlipSigmas,
  SetFirstSigma,
  ExtendIntermediateSigmas,
  SamplingPercentToSigma,
  LaplaceScheduler,
  ManualSigmas,
  SamplerCustom,
  SamplerCustomAdvanced,
  KSamplerSelect,
  SamplerEulerAncestral,
  SamplerEulerAncestralCFGPP,
  SamplerLMS,
  SamplerDPMPP_3M_SDE,
  SamplerDPMPP_2M_SDE,
  SamplerDPMPP_SDE,
  SamplerDPMPP_2S_Ancestral,
  SamplerDPMAdaptative,
  SamplerER_SDE,
  SamplerSASolver,
  SamplerSEEDS2,
  CFGGuider,
  DualCFGGuider,
  BasicGuider,
  RandomNoise,
  DisableNoise,
  AddNoise,
  ModelSamplingDiscrete,
  RescaleCFG,
  ModelMergeSimple,
  ModelMergeBlocks,
  ModelMergeSubtract,
  ModelMergeAdd,
  CLIPMergeSimple,
  CLIPMergeSubtract,
  CLIPMergeAdd,
  CheckpointSave,
  VAEDecode,
  VAEEncode,
  VAEDecodeTiled,
  VAEEncodeTiled,
  SetLatentNoiseMask,
  VAEEncodeForInpaint,
  LatentUpscale,
  LatentUpscaleBy,
  LatentFromBatch,
  RepeatLatentBatch,
  LatentComposite,
  LatentCompositeMasked,
  LatentBlend,
  LatentCrop,
  LatentFlip,
  LatentRotate,
  LoadImage,
  SaveImage,
  PreviewImage,
  SaveImageWebsocket,
  ImageScale,
  ImageScaleBy,
  ImageUpscaleWithModel,
  ImageScaleToTotalPixels,
  ImageInvert,
  ImagePadForOutpaint,
  EmptyImage,
  ImageBatch,
  ImageCrop,
  ImageBlend,
  ImageBlur,
  ImageSharpen,
  ImageQuantize,
  PromptText,
  PrimitiveInt,
  PrimitiveFloat,
  PrimitiveBoolean,
  PrimitiveString,
  MaskToImage,
  ImageToMask,
  InvertMask,
  SolidMask,
  ThresholdMask,
  CropMask,
  MaskComposite,
  GrowMask,
  FeatherMask,
  ImageColorToMask,
  LoadImageMask,
  JoinImageWithAlpha,
  ImageCompositeMasked,
  ImageClassifierLoader,
  ImageClassify,
  ImageSegmenterLoader,
  ImageSegment,
  MaskPreview,
  DescribeImage,
];

/** The shipped nodes, and the test-only nodes when the process runs with INKGRAPH_TEST_GATES set. */
function defaultNodes(): readonly NodeClass[] {
  return process.env[TEST_GATES_ENV] ? [...allNodes, TestGate, TestTimer] : allNodes;
}

export function createRegistry(nodes: readonly NodeClass[] = defaultNodes()): NodeRegistry {
  const registry = new Map<string, NodeClass>();
  for (const node of nodes) {
    if (registry.has(node.classType)) throw new Error(`two nodes share the class_type ${node.classType}`);
    registry.set(node.classType, node);
  }
  return registry;
}
