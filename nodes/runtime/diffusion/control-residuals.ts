import type { SharedCaches } from '../../contract/node-context.js';
import type { ImageBatch } from '../../contract/socket-types.js';
import { resizeImageBatch } from '../image/resize.js';
import { fixedDim, runSession, type Feed, type InputInfo } from '../onnx/session.js';
import { percentToSigma } from './cond-batch.js';
import type { AppliedControl, ResidualInputs } from './control-types.js';
import { controlChain, controlNetSession } from './controlnet.js';

/**
 * The residual inputs of one UNet call: every ControlNet of the rows' chain that covers σ run on the rows (ComfyUI's
 * ControlNet.get_control), its outputs times its strength, summed over the chain (control_merge); zeros where none
 * applies, so a ControlNet-ready UNet also runs without one.
 */

export interface ControlCall {
  /** The rows' latent windows scaled for the model (c_in · x), [rows, C, h, w]. */
  readonly sample: Float32Array;
  readonly rows: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Each row's item of the batch (a hint batch cycles over them). */
  readonly items: readonly number[];
  readonly timestep: Feed;
  readonly context: Feed;
  readonly sigma: number;
  /** Pixels per latent cell: the hint is resized to the window's pixels. */
  readonly cell: number;
}

/** Hints resized to a window's pixel size, kept for the sampling. */
export class HintCache {
  private readonly planes = new Map<ImageBatch, Map<string, Float32Array[]>>();

  /** Each hint item as planar RGB [3, H, W] at width×height (ComfyUI: nearest-exact, centre crop). */
  planar(hint: ImageBatch, width: number, height: number): Float32Array[] {
    let bySize = this.planes.get(hint);
    if (!bySize) this.planes.set(hint, (bySize = new Map<string, Float32Array[]>()));
    const key = `${width}x${height}`;
    let items = bySize.get(key);
    if (!items) {
      const resized =
        hint.width === width && hint.height === height
          ? hint
          : resizeImageBatch(hint, width, height, 'nearest-exact', 'center');
      const pixels = width * height;
      items = [];
      for (let b = 0; b < resized.batch; b++) {
        const plane = new Float32Array(3 * pixels);
        const base = b * pixels * resized.channels;
        for (let p = 0; p < pixels; p++)
          for (let c = 0; c < 3; c++) plane[c * pixels + p] = resized.data[base + p * resized.channels + c]!;
        items.push(plane);
      }
      bySize.set(key, items);
    }
    return items;
  }
}

/**
 * Zeros for one residual input when no ControlNet applies, at its level's share of the window. Made once per shape
 * and reused (ORT only reads its inputs): a ControlNet-ready UNet runs without one at every step of every run.
 */
const zeroFeeds = new WeakMap<InputInfo, Map<string, Feed>>();
function zeroResidual(info: InputInfo, rows: number, height: number, width: number, level: number): Feed {
  const channels = fixedDim(info, 1);
  if (channels === undefined)
    throw new Error(`the UNet's residual input ${info.name} has no fixed channel count to feed zeros to`);
  const factor = 2 ** level;
  const dims = [rows, channels, Math.ceil(height / factor), Math.ceil(width / factor)];
  let byShape = zeroFeeds.get(info);
  if (!byShape) zeroFeeds.set(info, (byShape = new Map<string, Feed>()));
  const key = dims.join('x');
  let feed = byShape.get(key);
  if (!feed) byShape.set(key, (feed = { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims }));
  return feed;
}

function isActive(control: AppliedControl, sigma: number, sigmaAt: (index: number) => number): boolean {
  const start = percentToSigma(control.startPercent, sigmaAt);
  const end = percentToSigma(control.endPercent, sigmaAt);
  return !(sigma > start || sigma < end);
}

export async function residualFeeds(
  inputs: ResidualInputs,
  control: AppliedControl | undefined,
  call: ControlCall,
  sigmaAt: (index: number) => number,
  hints: HintCache,
  caches: SharedCaches,
): Promise<Record<string, Feed>> {
  const names = [...inputs.down.map((info) => info.name), inputs.mid.name];
  let sums: Feed[] | undefined;
  for (const applied of controlChain(control)) {
    if (!isActive(applied, call.sigma, sigmaAt)) continue;
    const session = await controlNetSession(applied.net.path, caches);
    const pixelsHigh = call.height * call.cell;
    const pixelsWide = call.width * call.cell;
    const hint = hints.planar(applied.hint, pixelsWide, pixelsHigh);
    const plane = 3 * pixelsHigh * pixelsWide;
    const cond = new Float32Array(call.rows * plane);
    call.items.forEach((item, r) => cond.set(hint[item % hint.length]!, r * plane));
    const feeds: Record<string, Feed> = {
      sample: { data: call.sample, dims: [call.rows, call.channels, call.height, call.width] },
      timestep: call.timestep,
      encoder_hidden_states: call.context,
      controlnet_cond: { data: cond, dims: [call.rows, 3, pixelsHigh, pixelsWide] },
    };
    const scale = session.inputs.get('conditioning_scale');
    if (scale) feeds.conditioning_scale = { data: [1], dims: scale.shape.length === 0 ? [] : [1] };
    const outputNames = [...applied.net.downOutputs, applied.net.midOutput];
    if (outputNames.length !== names.length)
      throw new Error(
        `${applied.net.name} makes ${applied.net.downOutputs.length} down-block residuals but the UNet takes ${inputs.down.length}`,
      );
    const outputs = await runSession(session, feeds, outputNames);
    const scaled = outputNames.map((name) => {
      const output = outputs[name];
      if (!output) throw new Error(`${applied.net.name} returned no ${name}`);
      return { data: output.data.map((value) => value * applied.strength), dims: output.dims };
    });
    if (!sums) sums = scaled;
    else
      sums = sums.map((sum, i) => {
        const add = scaled[i]!.data;
        const data = sum.data instanceof Float32Array ? sum.data : Float32Array.from(sum.data);
        for (let k = 0; k < data.length; k++) data[k] = data[k]! + add[k]!;
        return { data, dims: sum.dims };
      });
  }
  const out: Record<string, Feed> = {};
  if (sums) {
    names.forEach((name, i) => (out[name] = sums[i]!));
    return out;
  }
  [...inputs.down, inputs.mid].forEach(
    (info, i) => (out[info.name] = zeroResidual(info, call.rows, call.height, call.width, inputs.levels[i]!)),
  );
  return out;
}
