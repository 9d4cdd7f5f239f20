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
import { PACKAGE_ROOT } from '../options.js';

const run = promisify(execFile);

/** Latent sides tried, smallest first, until one run takes too long or too much memory. */
const SIDES = [8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 160, 192, 256];
const MIN_SAMPLES = 4;

interface ProbeResult {
  readonly bytes: number;
  readonly ms: number;
}

async function probe(dir: string, part: MemoryPart, side: number, rows: number): Promise<ProbeResult> {
  const { stdout } = await run(
    process.execPath,
    [
      join(PACKAGE_ROOT, 'bin', 'run-ts.js'),
      join(PACKAGE_ROOT, 'server', 'cli', 'memory-probe.ts'),
      dir,
      part,
      String(side),
      String(rows),
    ],
    {
      maxBuffer: 1024 * 1024,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Partial<ProbeResult>;
  if (typeof result.bytes !== 'number' || typeof result.ms !== 'number')
    throw new Error(`the probe of ${part} at ${side}² printed no measurement`);
  return { bytes: result.bytes, ms: result.ms };
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
  const parts: MemoryPart[] = [
    'unet',
    'vae_decoder',
    ...(existsSync(join(dir, 'vae_encoder', 'model.onnx')) ? (['vae_encoder'] as const) : []),
    'text_encoder',
  ];
  const samples: Record<string, MemorySample[]> = {};
  const costs: Partial<Record<MemoryPart, ReturnType<typeof fitRowCost>>> = {};
  for (const part of parts) {
    const measured: MemorySample[] = [];
    const sides = part === 'text_encoder' ? [1] : SIDES;
    for (const side of sides) {
      const result = await probe(dir, part, side, 1);
      measured.push([1, side * side, result.bytes]);
      options.log(`${part} ${side}×${side}: ${formatBytes(result.bytes)} in ${result.ms.toFixed(0)} ms`);
      if (measured.length >= MIN_SAMPLES && (result.ms > options.maxSeconds * 1000 || result.bytes > options.maxBytes))
        break;
    }
    if (part !== 'text_encoder') {
      // Two rows at a middle size: the cost is per row.
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
  const { unet, vae_decoder, vae_encoder, text_encoder } = costs;
  if (!unet || !vae_decoder || !text_encoder) throw new Error('a part was not measured');
  const profile: MemoryProfile = {
    format: MEMORY_PROFILE_FORMAT,
    version: 1,
    measured_with: `onnxruntime-node on ${process.platform} ${process.arch}, Node.js ${process.version}`,
    parts: { unet, vae_decoder, ...(vae_encoder ? { vae_encoder } : {}), text_encoder },
    samples,
  };
  writeFileAtomic(join(dir, MEMORY_PROFILE_FILE), `${JSON.stringify(profile, null, 2)}\n`, { durable: true });
  options.log(`wrote ${join(dir, MEMORY_PROFILE_FILE)}`);
  return 0;
}
