/**
 * The machine's measured peak for onnxruntime on this CPU: one large float32 MatMul ([n, n] × [n, n], 2·n³ FLOPs) in
 * its own session, with the right-hand side an input and a constant (ORT packs a constant once at load, as it
 * packs a UNet's convolution weights), under each session option set the bench tries: the best median of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder } from '../fixtures/onnx-builder.js';
import type { PlainOptionSet } from './plain-loop.js';

export interface MatmulPeak {
  readonly side: number;
  readonly gflops: number;
  /** The variant and option set that reached it. */
  readonly label: string;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function matmulModel(side: number, values: readonly number[], constant: boolean): Uint8Array {
  const g = new GraphBuilder(5);
  g.input('a', DataType.FLOAT, [side, side]);
  const right = constant ? g.floats([side, side], [...values]) : g.input('b', DataType.FLOAT, [side, side]);
  g.emit('c', g.op('MatMul', ['a', right]), DataType.FLOAT, [side, side]);
  return g.encode('matmul');
}

export async function matmulPeak(optionSets: readonly PlainOptionSet[], side = 2048, calls = 7): Promise<MatmulPeak> {
  const dir = mkdtempSync(join(tmpdir(), 'inkgraph-matmul-'));
  const values = Array.from({ length: side * side }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  let best: MatmulPeak = { side, gflops: 0, label: '' };
  try {
    for (const constant of [false, true]) {
      const path = join(dir, `matmul-${constant ? 'constant' : 'input'}.onnx`);
      writeFileSync(path, matmulModel(side, values, constant));
      const feeds: Record<string, ort.Tensor> = { a: new ort.Tensor(Float32Array.from(values), [side, side]) };
      if (!constant) feeds.b = new ort.Tensor(Float32Array.from(values), [side, side]);
      for (const set of optionSets) {
        const session = await ort.InferenceSession.create(path, set.options);
        await session.run(feeds);
        const times: number[] = [];
        for (let i = 0; i < calls; i++) {
          const started = performance.now();
          await session.run(feeds);
          times.push(performance.now() - started);
        }
        await session.release();
        const gflops = (2 * side ** 3) / (median(times) / 1000) / 1e9;
        if (gflops > best.gflops)
          best = { side, gflops, label: `${constant ? 'constant' : 'input'} right-hand side, ${set.label}` };
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return best;
}
