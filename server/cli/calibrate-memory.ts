import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../../media/atomic-file.js';
import {
  fitRowCost,
  MEMORY_PROFILE_FILE,
  MEMORY_PROFILE_FORMAT,
  type MemoryPart,
  type MemoryProfile,
  type MemorySample,
} from '../../nodes/runtime/diffusion/memory-profile.js';
import { formatBytes } from '../../shared/format-bytes.js';
import { scriptArguments } from '../thread-start.js';

const run = promisify(execFile);

/** Latent sides tried, smallest first, until one run takes too long or too much memory. */
const SIDES = [8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 160, 192, 256];
const MIN_SAMPLES = 4;

interface ProbeResult {
  readonly bytes: number;
  readonly ms: number;
  /** The part's static batch, where it has one. */
  readonly maxRows: number | undefined;
  /** The channels the UNet's `sample` takes, where it fixes them. */
  readonly inChannels: number | undefined;
}

const TEXT_ENCODERS: ReadonlySet<MemoryPart> = new Set(['text_encoder', 'text_encoder_2']);

const optionalNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

async function probe(dir: string, part: MemoryPart, side: number, rows: number): Promise<ProbeResult> {
  const { stdout } = await run(
    process.execPath,
    [...scriptArguments('server/cli/memory-probe'), dir, part, String(side), String(rows)],
    {
      maxBuffer: 1024 * 1024,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  if (typeof result.bytes !== 'number' || typeof result.ms !== 'number')
    throw new Error(`the probe of ${part} at ${side}² printed no measurement`);
  return {
    bytes: result.bytes,
    ms: result.ms,
    maxRows: optionalNumber(result.max_rows),
    inChannels: optionalNumber(result.in_channels),
  };
}

/**
 * `inkgraph calibrate-memory PIPELINE_DIR`: measures each part's peak memory per row at growing latent sizes (each
 * run in a fresh process), fits c0 + c1·n + c2·n² per row, and writes memory-profile.json for the estimate.
 */
export async function calibrateMemory(
  dirArgument: string,
  options: { maxSeconds: number; maxBytes: number; log: (line: string) => void },
): Promise<number> {
  const dir = resolve(dirArgument);
  if (!existsSync(join(dir, 'model_index.json'))) {
    options.log(`${dir} is not a pipeline folder (no model_index.json)`);
    return 1;
  }
  // SDXL has a second text encoder, its refiner only that one; the VAE encoder is optional.
  const optional = (part: MemoryPart): MemoryPart[] => (existsSync(join(dir, part, 'model.onnx')) ? [part] : []);
  const parts: MemoryPart[] = [
    'unet',
    'vae_decoder',
    ...optional('vae_encoder'),
    ...optional('text_encoder'),
    ...optional('text_encoder_2'),
  ];
  if (!parts.some((part) => TEXT_ENCODERS.has(part))) {
    options.log(`${dir} has neither text_encoder/model.onnx nor text_encoder_2/model.onnx`);
    return 1;
  }
  const samples: Record<string, MemorySample[]> = {};
  const costs: Partial<Record<MemoryPart, ReturnType<typeof fitRowCost>>> = {};
  let unetInChannels: number | undefined;
  for (const part of parts) {
    const measured: MemorySample[] = [];
    const sides = TEXT_ENCODERS.has(part) ? [1] : SIDES;
    let maxRows: number | undefined;
    for (const side of sides) {
      const result = await probe(dir, part, side, 1);
      maxRows = result.maxRows;
      if (part === 'unet') unetInChannels = result.inChannels;
      measured.push([1, side * side, result.bytes]);
      options.log(`${part} ${side}×${side}: ${formatBytes(result.bytes)} in ${result.ms.toFixed(0)} ms`);
      if (measured.length >= MIN_SAMPLES && (result.ms > options.maxSeconds * 1000 || result.bytes > options.maxBytes))
        break;
    }
    // Two rows at a middle size: the cost is per row (a static batch of one has no second row to measure).
    if (!TEXT_ENCODERS.has(part) && (maxRows === undefined || maxRows >= 2)) {
      const middle = measured[Math.floor(measured.length / 2)]!;
      const side = Math.round(Math.sqrt(middle[1]));
      const pair = await probe(dir, part, side, 2);
      measured.push([2, middle[1], pair.bytes]);
      options.log(
        `${part} ${side}×${side}, 2 rows: ${formatBytes(pair.bytes)} (${(pair.bytes / Math.max(1, middle[2])).toFixed(2)}× one row)`,
      );
    }
    samples[part] = measured;
    costs[part] = fitRowCost(measured);
  }
  const { unet, vae_decoder, vae_encoder, text_encoder, text_encoder_2 } = costs;
  if (!unet || !vae_decoder) throw new Error('a part was not measured');
  const profile: MemoryProfile = {
    format: MEMORY_PROFILE_FORMAT,
    version: 1,
    measured_with: `onnxruntime-node on ${process.platform} ${process.arch}, Node.js ${process.version}`,
    parts: {
      unet,
      vae_decoder,
      ...(vae_encoder ? { vae_encoder } : {}),
      ...(text_encoder ? { text_encoder } : {}),
      ...(text_encoder_2 ? { text_encoder_2 } : {}),
    },
    ...(unetInChannels !== undefined ? { unet_in_channels: unetInChannels } : {}),
    samples,
  };
  writeFileAtomic(join(dir, MEMORY_PROFILE_FILE), `${JSON.stringify(profile, null, 2)}\n`, { durable: true });
  options.log(`wrote ${join(dir, MEMORY_PROFILE_FILE)}`);
  return 0;
}
