import { basename } from 'node:path';
import type { SharedCaches } from '../../contract/node-context.js';
import { listFiles } from '../../../media/image-files.js';
import { loadSession, releaseSession, type InputInfo, type LoadedSession } from '../onnx/session.js';
import type { AppliedControl, ControlNetModel, ResidualInputs } from './control-types.js';
import type { Conditioning, ConditioningEntry } from './types.js';

/**
 * ONNX ControlNets (models/controlnet/*.onnx): sample, timestep, encoder_hidden_states and controlnet_cond (the hint
 * image, RGB in 0…1 at the latent's pixel size), optionally conditioning_scale, → the down-block residuals and the
 * mid-block residual a UNet exported with residual inputs adds in. ComfyUI keeps the ControlNet applied last on
 * each conditioning, linked to the ones applied before it; the sampler sums their outputs, each times its strength,
 * over the part of the sampling it covers.
 */

declare module '../../contract/socket-types.js' {
  interface SocketTypes {
    CONTROL_NET: ControlNetModel;
  }
}

/** The residual tensors a UNet or ControlNet names, by their names' numbers: down blocks in order, and the mid block. */
export function residualNames(names: readonly string[]): { down: string[]; mid: string | undefined } {
  const mid = names.find((name) => /mid/i.test(name) && /resid|block/i.test(name));
  const numbered = names
    .filter((name) => name !== mid && /down/i.test(name))
    .map((name) => ({ name, index: Number(/(\d+)(?!.*\d)/.exec(name)?.[1] ?? Number.NaN) }));
  numbered.sort((a, b) => a.index - b.index);
  return { down: numbered.map((entry) => entry.name), mid };
}

const UNET_STANDARD_INPUTS = new Set([
  'sample',
  'timestep',
  'encoder_hidden_states',
  'text_embeds',
  'time_ids',
  'timestep_cond',
]);

/** What unet/config.json says of the UNet's levels, where it says it. */
export interface UnetLevels {
  /** block_out_channels' length: the resolutions the down path runs at. */
  readonly blocks?: number | undefined;
  readonly layersPerBlock?: number | undefined;
}

/**
 * Each residual's depth (the latent window halved that many times): the down residuals in order, then the mid one.
 * diffusers' UNet2DConditionModel gives conv_in's output, then per block its layers_per_block resnets and (all
 * but the last block) its downsampler's output, one level deeper; a UNet with one skip per level (the embedded
 * model) gives one per block. Without a config that tells, SD's layout: three residuals per level. Pure.
 */
export function residualLevels(down: number, levels: UnetLevels): number[] {
  const { blocks, layersPerBlock } = levels;
  if (blocks !== undefined && down === blocks) return [...Array.from({ length: down }, (_, i) => i), blocks - 1];
  if (blocks !== undefined && layersPerBlock !== undefined && down === 1 + blocks * layersPerBlock + blocks - 1) {
    const out = [0];
    for (let block = 0; block < blocks; block++) {
      for (let layer = 0; layer < layersPerBlock; layer++) out.push(block);
      if (block < blocks - 1) out.push(block + 1);
    }
    return [...out, blocks - 1];
  }
  return [...Array.from({ length: down }, (_, i) => Math.floor(i / 3)), Math.floor((down - 1) / 3)];
}

/** A UNet's residual inputs (a ControlNet-ready export), or undefined when it has none. */
export function unetResidualInputs(
  inputs: ReadonlyMap<string, InputInfo>,
  levels: UnetLevels = {},
): ResidualInputs | undefined {
  const extra = [...inputs.keys()].filter((name) => !UNET_STANDARD_INPUTS.has(name));
  if (extra.length === 0) return undefined;
  const names = residualNames(extra);
  if (!names.mid || names.down.length === 0) return undefined;
  return {
    down: names.down.map((name) => inputs.get(name)!),
    mid: inputs.get(names.mid)!,
    levels: residualLevels(names.down.length, levels),
  };
}

export const NO_RESIDUAL_INPUTS =
  'its UNet has no residual inputs: export it with the down-block residuals and the mid-block residual as inputs ' +
  '(down_block_0 … down_block_N and mid_block_additional_residual, as ControlNet-ready ONNX exports such as ' +
  "OnnxStack's do) to use a ControlNet";

export function listControlNets(folder: string): string[] {
  return listFiles(folder, (name) => name.toLowerCase().endsWith('.onnx'));
}

export function controlNetSession(path: string, caches: SharedCaches): Promise<LoadedSession> {
  return caches.getOrCreate(
    `controlnet:${path}`,
    () => loadSession(path),
    (loaded) => releaseSession(loaded),
  );
}

export async function loadControlNet(path: string, caches: SharedCaches): Promise<ControlNetModel> {
  const loaded = await controlNetSession(path, caches);
  const name = basename(path);
  for (const input of ['sample', 'timestep', 'encoder_hidden_states', 'controlnet_cond'])
    if (!loaded.inputs.has(input))
      throw new Error(
        `${name} is not a ControlNet: it has no ${input} input (it has ${[...loaded.inputs.keys()].join(', ')})`,
      );
  const outputs = residualNames(loaded.outputNames);
  if (!outputs.mid || outputs.down.length === 0)
    throw new Error(
      `${name} is not a ControlNet: its outputs (${loaded.outputNames.join(', ')}) are not down-block residuals and a mid-block residual`,
    );
  return { name, path, downOutputs: outputs.down, midOutput: outputs.mid };
}

/** ControlNetApplyAdvanced: one new ControlNet per previous one, shared by both sides, as ComfyUI's `cnets`. */
export function applyControlAdvanced(
  positive: Conditioning,
  negative: Conditioning,
  control: Omit<AppliedControl, 'previous'>,
): [Conditioning, Conditioning] {
  const made = new Map<AppliedControl | undefined, AppliedControl>();
  const apply = (conditioning: Conditioning): Conditioning =>
    conditioning.map((entry) => {
      let applied = made.get(entry.control);
      if (!applied) {
        applied = { ...control, previous: entry.control };
        made.set(entry.control, applied);
      }
      return { ...entry, control: applied, controlApplyToUncond: false };
    });
  return [apply(positive), apply(negative)];
}

/** ControlNetApply (ComfyUI's old node): the positive side only, and the sampler lends it to the negative. */
export function applyControl(conditioning: Conditioning, control: Omit<AppliedControl, 'previous'>): Conditioning {
  return conditioning.map((entry) => ({
    ...entry,
    control: { ...control, previous: entry.control },
    controlApplyToUncond: true,
  }));
}

/**
 * ComfyUI's apply_empty_x_to_equal_area for 'control': a side with no ControlNet on its whole-latent entries gets,
 * cycled over them, the ControlNets of the positive's whole-latent entries applied with the old node.
 */
export function lendControls(positive: Conditioning, other: Conditioning): Conditioning {
  const lent = positive
    .filter((entry) => entry.controlApplyToUncond === true && !entry.area && entry.control)
    .map((entry) => entry.control!);
  const whole = other.map((entry, index) => ({ entry, index })).filter(({ entry }) => !entry.area);
  if (lent.length === 0 || whole.length === 0 || whole.some(({ entry }) => entry.control)) return other;
  const out: ConditioningEntry[] = [...other];
  lent.forEach((control, x) => {
    const target = whole[x % whole.length]!;
    // Past the last entry ComfyUI writes over the same entries again: the last ControlNet lent to each wins.
    out[target.index] = { ...target.entry, control };
  });
  return out;
}

/** The chain from the ControlNet applied last back to the first. */
export function controlChain(control: AppliedControl | undefined): AppliedControl[] {
  const chain: AppliedControl[] = [];
  for (let current = control; current; current = current.previous) chain.push(current);
  return chain;
}
