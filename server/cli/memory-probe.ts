/**
 * One memory measurement for `inkgraph calibrate-memory`, in a process of its own so its peak is its own: loads
 * one part of a pipeline as the engine does, runs it once on every input it declares (probe-feeds.ts: zeros of the
 * given size), and prints the peak RSS the run added over the loaded model, with the batch and channels it takes.
 * Usage: memory-probe.ts PIPELINE_DIR PART LATENT_SIDE ROWS
 */
import { join } from 'node:path';
import { loadSession, runSession, type Feed } from '../../nodes/runtime/onnx/session.js';
import { memoryParts, pipelineShape, type MemoryPart } from '../../nodes/runtime/diffusion/memory-profile.js';
import { probeFeedShapes, probeMaxRows, unetInChannels } from '../../nodes/runtime/diffusion/probe-feeds.js';

const [dir, partText, sideText, rowsText] = process.argv.slice(2);
const part = memoryParts.find((name): name is MemoryPart => name === partText);
if (!dir || !part || !sideText || !rowsText) {
  console.error(`usage: memory-probe.ts PIPELINE_DIR ${memoryParts.join('|')} LATENT_SIDE ROWS`);
  process.exit(2);
}
const side = Number(sideText);
const rows = Number(rowsText);
const session = await loadSession(join(dir, part, 'model.onnx'));
const shape = pipelineShape(dir);
const shapes = probeFeedShapes(part, session.inputs, {
  side,
  rows,
  downscale: shape.downscale,
  latentChannels: shape.latentChannels,
});
const feeds: Record<string, Feed> = {};
for (const [name, { dims, fill }] of Object.entries(shapes))
  feeds[name] = { data: new Float32Array(dims.reduce((product, size) => product * size, 1)).fill(fill), dims };
const before = process.memoryUsage().rss;
const started = performance.now();
await runSession(session, feeds);
const ms = performance.now() - started;
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    part,
    side,
    rows,
    cells: side * side,
    bytes: Math.max(0, peak - before),
    ms,
    max_rows: probeMaxRows(part, session.inputs) ?? null,
    ...(part === 'unet' ? { in_channels: unetInChannels(session.inputs) ?? null } : {}),
  }),
);
