import type { MaskBatch } from '../../contract/socket-types.js';
import { resizeMask } from '../image/masks.js';
import { pythonRound } from '../image/python-round.js';
import { pySlice } from './latent-ops.js';
import type { Conditioning, ConditioningEntry } from './types.js';

/**
 * ComfyUI's conditioning semantics for the sampler (comfy/samplers.py): areas, masks, strengths and timestep ranges
 * resolved once against the latent, opposite areas paired, and at each step every active entry's denoised estimate
 * added into its part of the latent with its weight, then divided by the summed weights. Pure.
 */

/** An area in latent cells: ComfyUI's (height, width, y, x). */
export interface CellArea {
  readonly height: number;
  readonly width: number;
  readonly y: number;
  readonly x: number;
}

export interface LatentGrid {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  /** Pixels per latent cell (areas are set in pixels). */
  readonly cell: number;
}

export type PromptType = 'positive' | 'negative';

/** ComfyUI's `model_conds`: what the UNet is fed for an entry; a copy made for an opposite area keeps its source's. */
export interface ModelConds {
  readonly entry: ConditioningEntry;
  readonly promptType: PromptType;
}

/** One conditioning entry resolved against the latent (resolve_areas_and_cond_masks, calculate_start_end_timesteps). */
export interface ResolvedCond {
  readonly model: ModelConds;
  /** The area as set, absent for the whole latent: opposite areas are paired by it. */
  readonly area: CellArea | undefined;
  /** Where it is sampled: the area clipped to the latent. */
  readonly window: CellArea;
  /** The weight of each window cell, one plane per mask item (cycled over the batch). */
  readonly mult: readonly Float32Array[];
  /** Every weight is 1. */
  readonly unit: boolean;
  /** σ bounds from start/end percent: the entry is skipped at σ above the start or below the end. */
  readonly sigmaStart: number | undefined;
  readonly sigmaEnd: number | undefined;
}

/** Percent of the sampling → σ (ComfyUI's ModelSamplingDiscrete.percent_to_sigma); `sigmaAt` takes a table index. */
export function percentToSigma(percent: number, sigmaAt: (index: number) => number): number {
  if (percent <= 0) return 999999999.9;
  if (percent >= 1) return 0;
  return sigmaAt((1 - percent) * 999);
}

function resolveArea(entry: ConditioningEntry, grid: LatentGrid): CellArea | undefined {
  const area = entry.area;
  if (!area) return undefined;
  if (area.unit === 'fraction') {
    return {
      height: Math.max(1, pythonRound(area.height * grid.height)),
      width: Math.max(1, pythonRound(area.width * grid.width)),
      y: pythonRound(area.y * grid.height),
      x: pythonRound(area.x * grid.width),
    };
  }
  const cells = (pixels: number): number => Math.floor(pixels / grid.cell);
  return { height: cells(area.height), width: cells(area.width), y: cells(area.y), x: cells(area.x) };
}

/** The bounding box of the mask's non-zero cells over all its items (get_mask_aabb), at least 8×8 cells. */
export function maskBounds(mask: MaskBatch): CellArea {
  let top = Infinity;
  let left = Infinity;
  let bottom = -1;
  let right = -1;
  for (let b = 0; b < mask.batch; b++) {
    for (let y = 0; y < mask.height; y++) {
      for (let x = 0; x < mask.width; x++) {
        if (mask.data[(b * mask.height + y) * mask.width + x] === 0) continue;
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  // An empty mask gets the smallest area, as in ComfyUI (it weighs nothing anyway).
  if (bottom < 0) return { height: 8, width: 8, y: 0, x: 0 };
  return { height: Math.max(8, bottom - top + 1), width: Math.max(8, right - left + 1), y: top, x: left };
}

function clip(area: CellArea, grid: LatentGrid): CellArea {
  const y = Math.min(area.y, grid.height);
  const x = Math.min(area.x, grid.width);
  return {
    y,
    x,
    height: Math.min(grid.height, area.y + area.height) - y,
    width: Math.min(grid.width, x + area.width) - x,
  };
}

/**
 * The weight plane of an entry without a mask: its strength, its edges faded over 8 cells where the area does not
 * reach the latent's border (get_area_and_mult's `rr = 8`, with Python's slice rules where the area is small).
 */
export function featheredMult(area: CellArea, window: CellArea, grid: LatentGrid, strength: number): Float32Array {
  const mult = new Float32Array(window.height * window.width).fill(strength);
  const feather = 8;
  const scaleRows = (start: number, stop: number, factor: number): void => {
    const rows = pySlice(start, stop, window.height);
    for (let y = rows.start; y < rows.stop; y++)
      for (let x = 0; x < window.width; x++) mult[y * window.width + x]! *= factor;
  };
  const scaleColumns = (start: number, stop: number, factor: number): void => {
    const columns = pySlice(start, stop, window.width);
    for (let y = 0; y < window.height; y++)
      for (let x = columns.start; x < columns.stop; x++) mult[y * window.width + x]! *= factor;
  };
  for (let t = 0; t < feather; t++) {
    const factor = (1 / feather) * (t + 1);
    if (area.y !== 0) scaleRows(t, t + 1, factor);
    if (area.height + area.y < grid.height) scaleRows(area.height - 1 - t, area.height - t, factor);
    if (area.x !== 0) scaleColumns(t, t + 1, factor);
    if (area.width + area.x < grid.width) scaleColumns(area.width - 1 - t, area.width - t, factor);
  }
  return mult;
}

function maskedMult(mask: MaskBatch, window: CellArea, scale: number): Float32Array[] {
  const planes: Float32Array[] = [];
  for (let b = 0; b < mask.batch; b++) {
    const plane = new Float32Array(window.height * window.width);
    for (let y = 0; y < window.height; y++)
      for (let x = 0; x < window.width; x++)
        plane[y * window.width + x] = mask.data[(b * mask.height + window.y + y) * mask.width + window.x + x]! * scale;
    planes.push(plane);
  }
  return planes;
}

/** Resolves a conditioning's entries against the latent; entries whose area lies outside it are dropped. */
export function resolveConditioning(
  conditioning: Conditioning,
  promptType: PromptType,
  grid: LatentGrid,
  sigmaAt: (index: number) => number,
): ResolvedCond[] {
  const resolved: ResolvedCond[] = [];
  for (const entry of conditioning) {
    const mask = entry.mask ? resizeMask(entry.mask, grid.width, grid.height) : undefined;
    let area = resolveArea(entry, grid);
    if (mask && entry.setAreaToBounds) area = maskBounds({ ...mask, data: mask.data.map(Math.abs) });
    const whole: CellArea = { height: grid.height, width: grid.width, y: 0, x: 0 };
    const window = area ? clip(area, grid) : whole;
    if (window.height <= 0 || window.width <= 0) continue;
    const strength = entry.strength ?? 1;
    const mult = mask
      ? maskedMult(mask, window, (entry.maskStrength ?? 1) * strength)
      : [featheredMult(area ?? whole, window, grid, strength)];
    resolved.push({
      model: { entry, promptType },
      area,
      window,
      mult,
      unit: mult.every((plane) => plane.every((weight) => weight === 1)),
      sigmaStart: entry.startPercent !== undefined ? percentToSigma(entry.startPercent, sigmaAt) : undefined,
      sigmaEnd: entry.endPercent !== undefined ? percentToSigma(entry.endPercent, sigmaAt) : undefined,
    });
  }
  return resolved;
}

function sameArea(a: CellArea, b: CellArea): boolean {
  return a.height === b.height && a.width === b.width && a.y === b.y && a.x === b.x;
}

/**
 * ComfyUI's create_cond_with_same_area_if_none: an entry with an area that the other side has no entry for gets a
 * twin there, with its own area, weights and range but the model conds of the smallest other-side entry that covers
 * it (or one without an area), so both sides weigh each part of the latent alike.
 */
export function addOppositeArea(others: ResolvedCond[], cond: ResolvedCond): void {
  const area = cond.area;
  if (!area) return;
  let smallest: ResolvedCond | undefined;
  for (const other of others) {
    const a = other.area;
    if (!a) {
      smallest ??= other;
      continue;
    }
    const covers =
      area.y >= a.y && area.x >= a.x && a.height + a.y >= area.height + area.y && a.width + a.x >= area.width + area.x;
    if (!covers) continue;
    if (!smallest || !smallest.area || smallest.area.height * smallest.area.width > a.height * a.width)
      smallest = other;
  }
  if (!smallest) return;
  if (smallest.area && sameArea(smallest.area, area)) return;
  others.push({ ...cond, model: smallest.model });
}

/** Pairs opposite areas both ways, positive first, as ComfyUI's process_conds. */
export function pairOppositeAreas(positive: ResolvedCond[], negative: ResolvedCond[]): void {
  for (const cond of [...positive]) addOppositeArea(negative, cond);
  for (const cond of [...negative]) addOppositeArea(positive, cond);
}

/** The entries used at σ (timestep_start/timestep_end of get_area_and_mult). */
export function activeAt(conds: readonly ResolvedCond[], sigma: number): ResolvedCond[] {
  return conds.filter(
    (cond) =>
      !(cond.sigmaStart !== undefined && sigma > cond.sigmaStart) &&
      !(cond.sigmaEnd !== undefined && sigma < cond.sigmaEnd),
  );
}

/**
 * Sums of weighted estimates over a batch of latents [B, C, H, W], divided at the end (out_conds / out_counts,
 * the counts starting at 1e-37). An item whose only estimate covers the whole latent at weight 1 is kept as it
 * came: its division is by 1 + 1e-37, which is 1 in float32, so the common one-prompt case skips the sums.
 */
export class WeightedSum {
  readonly sum: Float32Array;
  private count: Float32Array | undefined;
  /** 0: nothing added; 1: one whole, unit-weight estimate held as it came; 2: summed with weights. */
  private readonly state: Uint8Array;
  private readonly itemSize: number;

  constructor(
    private readonly grid: LatentGrid,
    private readonly channels: number,
  ) {
    this.itemSize = channels * grid.height * grid.width;
    this.sum = new Float32Array(grid.batch * this.itemSize);
    this.state = new Uint8Array(grid.batch);
  }

  private counts(): Float32Array {
    this.count ??= new Float32Array(this.sum.length).fill(1e-37);
    return this.count;
  }

  /** Adds one item's estimate over a window ([C, h, w]) with its weight plane ([h, w]); `unit` when all weights are 1. */
  add(item: number, window: CellArea, estimate: Float32Array, mult: Float32Array, unit = false): void {
    const { height, width } = this.grid;
    if (unit && coversLatent(window, this.grid) && this.state[item] === 0) {
      this.sum.set(estimate, item * this.itemSize);
      this.state[item] = 1;
      return;
    }
    const count = this.counts();
    if (this.state[item] === 1) count.fill(1 + 1e-37, item * this.itemSize, (item + 1) * this.itemSize);
    this.state[item] = 2;
    for (let c = 0; c < this.channels; c++) {
      const plane = (item * this.channels + c) * height * width;
      for (let y = 0; y < window.height; y++) {
        const row = plane + (window.y + y) * width + window.x;
        const from = (c * window.height + y) * window.width;
        for (let x = 0; x < window.width; x++) {
          const weight = mult[y * window.width + x]!;
          this.sum[row + x]! += estimate[from + x]! * weight;
          count[row + x]! += weight;
        }
      }
    }
  }

  /** The weighted mean (0 where nothing was added). */
  result(): Float32Array {
    const count = this.count;
    if (!count) return this.sum;
    for (let item = 0; item < this.state.length; item++) {
      if (this.state[item] !== 2) continue;
      for (let i = item * this.itemSize; i < (item + 1) * this.itemSize; i++) this.sum[i] = this.sum[i]! / count[i]!;
    }
    return this.sum;
  }
}

/** Whether a window is the whole latent. */
export function coversLatent(window: CellArea, grid: Pick<LatentGrid, 'height' | 'width'>): boolean {
  return window.y === 0 && window.x === 0 && window.height === grid.height && window.width === grid.width;
}

/** One item's window of a latent batch [B, C, H, W], as [C, h, w]. */
export function cropItem(
  latent: Float32Array,
  grid: Pick<LatentGrid, 'height' | 'width'>,
  channels: number,
  item: number,
  window: CellArea,
): Float32Array {
  const itemSize = channels * grid.height * grid.width;
  // The whole latent: a view, not a copy (nothing writes to the latent while it is being estimated).
  if (coversLatent(window, grid)) return latent.subarray(item * itemSize, (item + 1) * itemSize);
  const out = new Float32Array(channels * window.height * window.width);
  for (let c = 0; c < channels; c++) {
    const plane = (item * channels + c) * grid.height * grid.width;
    for (let y = 0; y < window.height; y++) {
      const from = plane + (window.y + y) * grid.width + window.x;
      out.set(latent.subarray(from, from + window.width), (c * window.height + y) * window.width);
    }
  }
  return out;
}
