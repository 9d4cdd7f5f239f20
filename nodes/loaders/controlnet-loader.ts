import { join } from 'node:path';
import { defineNode } from '../contract/node-definition.js';
import { listControlNets, loadControlNet } from '../runtime/diffusion/controlnet.js';
import { modelPath } from '../runtime/model-path.js';

export const ControlNetLoader = defineNode({
  classType: 'ControlNetLoader',
  displayName: 'Load ControlNet Model',
  category: 'loaders',
  description:
    'Loads an ONNX ControlNet from models/controlnet (inputs sample, timestep, encoder_hidden_states, controlnet_cond; outputs the down- and mid-block residuals), for UNets exported with residual inputs.',
  translations: {
    'zh-CN': {
      display_name: '加载 ControlNet 模型',
      description:
        '从 models/controlnet 加载 ONNX ControlNet（输入 sample、timestep、encoder_hidden_states、controlnet_cond，输出下采样块与中间块残差），用于带残差输入导出的 UNet。',
      inputs: { control_net_name: 'ControlNet 名称' },
    },
  },
  inputs: {
    control_net_name: { kind: 'COMBO', options: (env) => listControlNets(join(env.modelsDir, 'controlnet')) },
  },
  outputs: [{ type: 'CONTROL_NET', name: 'CONTROL_NET' }],
  run: async ({ control_net_name }, ctx) => {
    const path = modelPath(ctx.env.modelsDir, 'controlnet', control_net_name, 'control_net_name');
    return { outputs: [await loadControlNet(path, ctx.caches)] };
  },
});
