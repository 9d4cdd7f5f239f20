import type { Locale } from './messages.js';

/**
 * ComfyUI's category names, one path segment at a time, in Simplified Chinese. Kept in one table rather than on each
 * node because every node of a category shares the words (and custom categories still get the segments we know).
 */
const ZH_SEGMENTS: Readonly<Record<string, string>> = {
  _for_testing: '测试用',
  advanced: '高级',
  'api node': 'API 节点',
  batch: '批处理',
  compositing: '合成',
  conditioning: '条件',
  controlnet: 'ControlNet',
  custom_sampling: '自定义采样',
  experimental: '实验性',
  guiders: '引导器',
  image: '图像',
  inpaint: '局部重绘',
  latent: '潜空间',
  loaders: '加载器',
  mask: '遮罩',
  model: '模型',
  model_merging: '模型融合',
  noise: '噪声',
  postprocessing: '后期处理',
  primitive: '基础值',
  samplers: '采样器',
  sampling: '采样',
  schedulers: '调度器',
  sigmas: 'σ 序列',
  testing: '测试',
  transform: '变换',
  upscaling: '放大',
  utils: '工具',
  vision: '视觉',
};

/** A category path ("image/postprocessing") as the UI shows it: segment by segment, unknown segments as they are. */
export function categoryLabel(locale: Locale, category: string, translated?: string): string {
  if (locale !== 'zh-CN') return category;
  if (translated) return translated;
  return category
    .split('/')
    .map((segment) => ZH_SEGMENTS[segment] ?? segment)
    .join('/');
}

/** Every segment the table knows, for tests that check no category stays English. */
export const knownCategorySegments: readonly string[] = Object.keys(ZH_SEGMENTS);
