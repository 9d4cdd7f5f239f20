import type { NodeContext } from '../../contract/node-context.js';
import type { SamplerName } from '../sampling/samplers/registry.js';
import { samplerSigmas, type SchedulerName } from '../sampling/schedulers.js';
import { sampleWithGuider } from './guided-sampling.js';
import type { Conditioning, DiffusionModel, Latent } from './types.js';

export { guidanceEmbedding, latentForModel } from './guided-sampling.js';

export interface SampleRequest {
  readonly model: DiffusionModel;
  readonly positive: Conditioning;
  readonly negative: Conditioning;
  readonly latent: Latent;
  readonly seed: number;
  readonly steps: number;
  readonly cfg: number;
  readonly sampler: SamplerName;
  readonly scheduler: SchedulerName;
  readonly denoise: number;
  readonly addNoise: boolean;
  readonly startStep?: number;
  readonly endStep?: number;
  readonly forceFullDenoise?: boolean;
}

/**
 * Samples a latent as ComfyUI's KSampler does (common_ksampler): the scheduler's σ list for the steps, denoise and
 * start/end steps, then a CFG guider with the sampler at its default options.
 */
export async function sampleLatent(request: SampleRequest, ctx: NodeContext): Promise<Latent> {
  const { model } = request;
  const sigmas = samplerSigmas({
    sampling: model.sampling,
    scheduler: request.scheduler,
    sampler: request.sampler,
    steps: request.steps,
    denoise: request.denoise,
    ...(request.startStep !== undefined ? { startStep: request.startStep } : {}),
    ...(request.endStep !== undefined ? { endStep: request.endStep } : {}),
    ...(request.forceFullDenoise !== undefined ? { forceFullDenoise: request.forceFullDenoise } : {}),
  });
  const { output } = await sampleWithGuider(
    {
      guider: { kind: 'cfg', model, positive: request.positive, negative: request.negative, cfg: request.cfg },
      noise: request.addNoise ? { kind: 'random', seed: request.seed } : { kind: 'disabled' },
      samplerSeed: request.seed,
      sampler: { name: request.sampler, options: {} },
      sigmas,
      latent: request.latent,
    },
    ctx,
  );
  return output;
}
