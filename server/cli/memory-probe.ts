/**
 * One memory measurement for `inkgraph calibrate-memory`, in a process of its own so its peak is its own: loads
 * one part of a pipeline as the engine does, runs it once on zeros of the given size, and prints the peak RSS the
 * run added over the loaded model. Usage: memory-probe.ts PIPELINE_DIR PART LATENT_SIDE ROWS
 */
import { join } from 'node:path';
import { loadSession, runSession, type Feed, type LoadedSession } from '../../nodes/runtime/onnx/session.js';
import { pipelineShape, type MemoryPart } from '../../nodes/runtime/diffusion/memory-profile.js';

function dim(session: LoadedSession, input: string, index: number, fallback: number): number {
  const value = session.inputs.get(input)?.shape[index];
  return typeof value === 'number' && value > 0 ? value : fallback;
}

function zeros(dims: readonly number[]): Feed {
  return { data: new Float32Array(dims.reduce((product, size) => product * size, 1)), dims };
}

function feedsFor(
  part: MemoryPart,
  session: LoadedSession,
  side: number,
  rows: number,
  downscale: number,
): Record<string, Feed> {
  switch (part) {
    case 'unet': {
      const channels = dim(session, 'sample', 1, 4);
      const tokens = 77;
      const width = dim(session, 'encoder_hidden_states', 2, 768);
      const timestep = session.inputs.get('timestep');
      const feeds: Record<string, Feed> = {
        sample: zeros([rows, channels, side, side]),
        timestep: { data: [500], dims: timestep?.shape.length === 0 ? [] : [1] },
        encoder_hidden_states: zeros([rows, tokens, width]),
      };
      if (session.inputs.has('timestep_cond'))
        feeds.timestep_cond = zeros([rows, dim(session, 'timestep_cond', 1, 256)]);
      return feeds;
    }
    case 'vae_decoder':
      return { latent_sample: zeros([rows, dim(session, 'latent_sample', 1, 4), side, side]) };
    case 'vae_encoder':
      return { sample: zeros([rows, 3, side * downscale, side * downscale]) };
    case 'text_encoder':
      return { input_ids: { data: new Array<number>(rows * 77).fill(0), dims: [rows, 77] } };
  }
}

const [dir, partText, sideText, rowsText] = process.argv.slice(2);
const parts: readonly string[] = ['unet', 'vae_decoder', 'vae_encoder', 'text_encoder'];
const part = parts.find((name): name is MemoryPart => name === partText);
if (!dir || !part || !sideText || !rowsText) {
  console.error('usage: memory-probe.ts PIPELINE_DIR unet|vae_decoder|vae_encoder|text_encoder LATENT_SIDE ROWS');
  process.exit(2);
}
const side = Number(sideText);
const rows = Number(rowsText);
const session = await loadSession(join(dir, part, 'model.onnx'));
const feeds = feedsFor(part, session, side, rows, pipelineShape(dir).downscale);
const before = process.memoryUsage().rss;
const started = performance.now();
await runSession(session, feeds);
const ms = performance.now() - started;
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ part, side, rows, cells: side * side, bytes: Math.max(0, peak - before), ms }));
