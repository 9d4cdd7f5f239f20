import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { rowBytes, type ModelShape, type RowCost } from '../../contract/memory.js';

/**
 * What a pipeline's models need in memory: `memory-profile.json` in the pipeline folder holds each part's cost per
 * batch row as c0 + c1·n + c2·n² bytes (n = latent cells), fitted to peaks measured by `inkgraph calibrate-memory`.
 * A folder without one gets a generic cost sized for SD 1.x/2.x UNets (self-attention over every latent cell in 8
 * heads: the n² term), which overestimates small models.
 */

export const MEMORY_PROFILE_FILE = 'memory-profile.json';
export const MEMORY_PROFILE_FORMAT = 'inkgraph-memory-profile';

export const memoryParts = ['unet', 'vae_decoder', 'vae_encoder', 'text_encoder', 'text_encoder_2'] as const;
export type MemoryPart = (typeof memoryParts)[number];

const rowCostSchema = z.object({
  constant: z.number().nonnegative(),
  linear: z.number().nonnegative(),
  quadratic: z.number().nonnegative(),
});

export const memoryProfileSchema = z.object({
  format: z.literal(MEMORY_PROFILE_FORMAT),
  version: z.literal(1),
  measured_with: z.string(),
  parts: z.object({
    unet: rowCostSchema,
    vae_decoder: rowCostSchema,
    vae_encoder: rowCostSchema.optional(),
    // An SDXL refiner has only the second encoder; SD 1.x only the first.
    text_encoder: rowCostSchema.optional(),
    text_encoder_2: rowCostSchema.optional(),
  }),
  /** The channels the UNet's `sample` takes (9 for inpainting UNets), where the export says. */
  unet_in_channels: z.number().int().positive().optional(),
  /** The measurements the costs were fitted to: [rows, latent cells, peak bytes over the loaded model]. */
  samples: z.record(z.string(), z.array(z.tuple([z.number(), z.number(), z.number()]))),
});
export type MemoryProfile = z.infer<typeof memoryProfileSchema>;

const KIB = 1024;
const MIB = 1024 * KIB;

/** The generic guess for a pipeline without a profile (SD 1.5 at 512×512: ~1.1 GiB per UNet row, ~0.9 GiB to decode). */
export function genericCosts(downscale: number): Record<MemoryPart, RowCost> {
  const pixelsPerCell = downscale * downscale;
  const decoder: RowCost = { constant: 32 * MIB, linear: 3 * KIB * pixelsPerCell, quadratic: 8 };
  return {
    unet: { constant: 32 * MIB, linear: 32 * KIB, quadratic: 64 },
    vae_decoder: decoder,
    vae_encoder: decoder,
    text_encoder: { constant: 64 * MIB, linear: 0, quadratic: 0 },
    text_encoder_2: { constant: 64 * MIB, linear: 0, quadratic: 0 },
  };
}

/** The folders whose files are a pipeline's weights: the measured parts. */
const weightFolders: readonly string[] = memoryParts;

/** The text encoders a pipeline folder has (SDXL base both, its refiner only the second). */
export function textEncoderParts(dir: string): ('text_encoder' | 'text_encoder_2')[] {
  const parts = (['text_encoder', 'text_encoder_2'] as const).filter((part) =>
    existsSync(join(dir, part, 'model.onnx')),
  );
  return parts.length > 0 ? parts : ['text_encoder'];
}

/**
 * Row costs added term by term: SDXL's encoders run one after the other, but the first one's output is held while
 * the second runs, and the sum is the upper bound the estimate wants.
 */
export function sumCosts(costs: readonly RowCost[]): RowCost {
  return costs.reduce(
    (sum, cost) => ({
      constant: sum.constant + cost.constant,
      linear: sum.linear + cost.linear,
      quadratic: sum.quadratic + cost.quadratic,
    }),
    { constant: 0, linear: 0, quadratic: 0 },
  );
}

/** Bytes of the files in some part folders of a pipeline (model.onnx and any external weights beside it). */
export function partsBytes(dir: string, parts: readonly string[]): number {
  let total = 0;
  for (const part of parts) {
    const folder = join(dir, part);
    if (!existsSync(folder)) continue;
    for (const entry of readdirSync(folder, { withFileTypes: true }))
      if (entry.isFile()) total += statSync(join(folder, entry.name)).size;
  }
  return total;
}

const vaeConfigSchema = z
  .object({
    latent_channels: z.number().int().positive().default(4),
    block_out_channels: z.array(z.number()).optional(),
    downscale_factor: z.number().int().positive().optional(),
  })
  .passthrough();

const unetConfigSchema = z.object({ in_channels: z.number().int().positive().optional() }).passthrough();

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The profile in a pipeline folder, or why it cannot be used. */
export function readMemoryProfile(dir: string): { profile: MemoryProfile | undefined; problem: string | undefined } {
  const path = join(dir, MEMORY_PROFILE_FILE);
  if (!existsSync(path)) return { profile: undefined, problem: undefined };
  const parsed = memoryProfileSchema.safeParse(readJsonFile(path));
  if (!parsed.success)
    return {
      profile: undefined,
      problem: `${basename(dir)}/${MEMORY_PROFILE_FILE} is not a memory profile: ${parsed.error.issues[0]?.message ?? 'malformed'}`,
    };
  return { profile: parsed.data, problem: undefined };
}

const shapes = new Map<string, { stamp: string; shape: ModelShape }>();

function stampOf(dir: string): string {
  return [
    'model_index.json',
    MEMORY_PROFILE_FILE,
    'vae_decoder/config.json',
    'unet/config.json',
    'unet/model.onnx',
    'text_encoder/model.onnx',
    'text_encoder_2/model.onnx',
  ]
    .map((file) => {
      // One stat a file: this runs for every prompt accepted (the memory estimate), on the way to the engine.
      const stats = statSync(join(dir, file), { throwIfNoEntry: false });
      return stats ? `${stats.mtimeMs}:${stats.size}` : '-';
    })
    .join('|');
}

/** A pipeline folder as the memory estimate sees it (read once per change of its files). */
export function pipelineShape(dir: string): ModelShape {
  const stamp = stampOf(dir);
  const known = shapes.get(dir);
  if (known && known.stamp === stamp) return known.shape;
  const config = vaeConfigSchema.safeParse(readJsonFile(join(dir, 'vae_decoder', 'config.json')) ?? {});
  const vae = config.success
    ? config.data
    : { latent_channels: 4, block_out_channels: undefined, downscale_factor: undefined };
  const downscale = vae.downscale_factor ?? (vae.block_out_channels ? 2 ** (vae.block_out_channels.length - 1) : 8);
  const { profile } = readMemoryProfile(dir);
  const costs = profile ? { ...genericCosts(downscale), ...profile.parts } : genericCosts(downscale);
  const unetConfig = unetConfigSchema.safeParse(readJsonFile(join(dir, 'unet', 'config.json')) ?? {});
  // The probe read it off the UNet itself; unet/config.json says it for diffusers exports.
  const unetInChannels =
    profile?.unet_in_channels ?? (unetConfig.success ? unetConfig.data.in_channels : undefined) ?? vae.latent_channels;
  const shape: ModelShape = {
    kind: 'model',
    key: `pipeline:${dir}`,
    name: basename(dir),
    weightsBytes: partsBytes(dir, weightFolders),
    unet: costs.unet,
    vaeDecoder: costs.vae_decoder,
    ...(costs.vae_encoder ? { vaeEncoder: costs.vae_encoder } : {}),
    textEncoder: sumCosts(textEncoderParts(dir).map((part) => costs[part])),
    downscale,
    latentChannels: vae.latent_channels,
    unetInChannels,
    maxBatch: Number.POSITIVE_INFINITY,
    measured: profile !== undefined,
  };
  shapes.set(dir, { stamp, shape });
  return shape;
}

/**
 * How many UNet rows (batch items × cond/uncond) the sampler puts in one call: all of them unless that would take
 * more than `callBudget` bytes of activations. The estimate and the sampler both use this, so they agree.
 */
export function rowsPerCall(cost: RowCost, cells: number, rows: number, maxBatch: number, callBudget: number): number {
  const perRow = Math.max(1, rowBytes(cost, cells));
  return Math.max(1, Math.min(rows, maxBatch, MAX_ROWS_PER_CALL, Math.floor(callBudget / perRow)));
}

/** Beyond this many rows a CPU gains nothing from a bigger call, and one call's memory and time only grow. */
export const MAX_ROWS_PER_CALL = 16;

/** The share of the job budget one model call may take (the rest holds latents, images and the weights). */
export function modelCallBudget(jobBudgetBytes: number): number {
  return Math.floor(jobBudgetBytes / 2);
}

/** One measurement: `rows` rows at `cells` latent cells took `bytes` over the loaded model at their peak. */
export type MemorySample = [rows: number, cells: number, bytes: number];

function solve3(a: number[][], b: number[]): number[] | undefined {
  // Gaussian elimination with partial pivoting on a small normal-equations system.
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    if (Math.abs(m[pivot]![col]!) < 1e-300) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const factor = m[row]![col]! / m[col]![col]!;
      for (let k = col; k <= n; k++) m[row]![k]! -= factor * m[col]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * The per-row cost c0 + c1·n + c2·n² (all ≥ 0) closest to the samples (least squares over every subset of the
 * three terms), then raised until no sample is above it, and by `margin` more: an estimate meant to be an upper bound.
 */
export function fitRowCost(samples: readonly MemorySample[], margin = 1.1): RowCost {
  const points = samples.map(([rows, cells, bytes]) => ({ cells, perRow: bytes / rows }));
  if (points.length === 0) throw new Error('no samples to fit');
  const terms: readonly ((n: number) => number)[] = [() => 1, (n) => n, (n) => n * n];
  let best: { coefficients: number[]; error: number } | undefined;
  for (let mask = 1; mask < 8; mask++) {
    const active = [0, 1, 2].filter((term) => mask & (1 << term));
    if (active.length > points.length) continue;
    // Columns scaled to unit size so n² of large latents does not swamp the constant.
    const scale = active.map((term) => Math.max(...points.map((point) => Math.abs(terms[term]!(point.cells)))) || 1);
    const normal = active.map((i, r) =>
      active.map((j, c) =>
        points.reduce(
          (sum, point) => sum + (terms[i]!(point.cells) / scale[r]!) * (terms[j]!(point.cells) / scale[c]!),
          0,
        ),
      ),
    );
    const right = active.map((i, r) =>
      points.reduce((sum, point) => sum + (terms[i]!(point.cells) / scale[r]!) * point.perRow, 0),
    );
    const solved = solve3(normal, right);
    if (!solved || solved.some((value) => value < 0)) continue;
    const coefficients = [0, 0, 0];
    active.forEach((term, index) => (coefficients[term] = solved[index]! / scale[index]!));
    const error = points.reduce(
      (sum, point) =>
        sum +
        (coefficients[0]! + coefficients[1]! * point.cells + coefficients[2]! * point.cells ** 2 - point.perRow) ** 2,
      0,
    );
    if (!best || error < best.error) best = { coefficients, error };
  }
  const [constant, linear, quadratic] = best?.coefficients ?? [Math.max(...points.map((point) => point.perRow)), 0, 0];
  const fitted: RowCost = { constant: constant!, linear: linear!, quadratic: quadratic! };
  // The largest shortfall is added to the constant (small latents' measurements are noisy in absolute terms, not in
  // proportion), then everything is raised by the margin.
  const slack = Math.max(0, ...points.map((point) => point.perRow - rowBytes(fitted, point.cells)));
  const factor = margin;
  return {
    constant: Math.ceil((fitted.constant + slack) * factor),
    linear: fitted.linear * factor,
    quadratic: fitted.quadratic * factor,
  };
}
