/**
 * Hostile soak: a real `inkgraph serve` process on the shipped model, for SOAK_MINUTES (default 10), alternating a
 * legitimate text-to-image job (a WebSocket client waits for its result) with one pass of the red team's corpus
 * (tests/helpers/hostile-corpus.ts), while another client never reads a byte. The server's RSS swings by a few
 * hundred MiB within a round (garbage of 8 MB prompts and deep JSON, collected later), so its growth is taken
 * between per-minute medians: the last minute's against the second's (the first is the warm-up). Prints them, every
 * legitimate job's outcome, answers that were not as expected, whether the idle client was dropped, and whether
 * the process ever died. Run: npm run soak:hostile (SOAK_MINUTES, SOAK_SKIP=regex of case names to leave
 * out, SOAK_TRACE=1 for a line per round)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { textToImage } from '../helpers/diffusion.js';
import { handled, hostileCorpus, prepareHostileInputs } from '../helpers/hostile-corpus.js';
import { ServerProcess } from '../helpers/server-process.js';
import { postJson, TestSocket } from '../helpers/server.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'inkgraph-soak-hostile-'));
const inputDir = join(scratch, 'input');

/** A WebSocket client that completes the handshake and then never reads a byte: the server must not hold its backlog. */
function lurker(url: string): { socket: Socket; closed: () => boolean } {
  const target = new URL(url);
  const socket = connect(Number(target.port), target.hostname);
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  socket.write(
    `GET /ws?clientId=lurker HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.from('inkgraph-lurker!').toString('base64')}\r\n\r\n`,
  );
  socket.pause();
  return { socket, closed: () => closed };
}

/** The median reading of each whole minute (a last minute with under half the rounds of the one before is left out). */
function medianPerMinute(readings: readonly { minute: number; mib: number }[]): number[] {
  const byMinute: number[][] = [];
  for (const { minute, mib } of readings) (byMinute[minute] ??= []).push(mib);
  const full = byMinute.filter(
    (values, index) =>
      values !== undefined &&
      !(index === byMinute.length - 1 && values.length < (byMinute[index - 1]?.length ?? 0) / 2),
  );
  return full.map((values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

prepareHostileInputs(inputDir);
const server = await ServerProcess.start(
  { dataDir: join(scratch, 'data'), inputDir, outputDir: join(scratch, 'output'), modelsDir: join(root, 'models') },
  ['--max-memory', '4GiB'],
);
let crashed = false;
void server.exit().then(() => (crashed = true));
try {
  const rssAtStart = rssMiB(server.pid);
  const socket = await TestSocket.open(server.url, 'soak-hostile');
  const idle = lurker(server.url);
  // SOAK_SKIP=regex leaves cases out, to find which part of the corpus a change in memory comes from.
  const skip = process.env.SOAK_SKIP ? new RegExp(process.env.SOAK_SKIP) : undefined;
  const corpus = hostileCorpus({ inputDir, model: 'inkgraph-emoji' }).filter((hostile) => !skip?.test(hostile.name));
  const problems = new Map<string, number>();
  let legitimate = 0;
  let legitimateOk = 0;
  let hostileSent = 0;
  let rounds = 0;
  const started = performance.now();
  const rss: { minute: number; mib: number }[] = [];
  while (performance.now() - started < MINUTES * 60_000 && !crashed) {
    const response = await postJson(`${server.url}/prompt`, {
      client_id: socket.clientId,
      prompt: textToImage({
        ckpt: 'inkgraph-emoji',
        steps: 20,
        cfg: 5,
        seed: rounds,
        prefix: 'soak',
        positive: 'a small rocket on the left, blue background',
      }),
    });
    legitimate += 1;
    if (response.status === 200) {
      const messages = await socket.waitForEnd((response.json as { prompt_id: string }).prompt_id);
      if (messages.some((message) => message.type === 'execution_success')) legitimateOk += 1;
    }
    socket.received.length = 0;
    for (const hostile of corpus) {
      hostileSent += 1;
      try {
        const problem = handled(hostile, await hostile.send(server.url));
        if (problem) problems.set(hostile.name, (problems.get(hostile.name) ?? 0) + 1);
      } catch (error) {
        if (crashed) break;
        problems.set(`${hostile.name} (${error instanceof Error ? error.message : String(error)})`, 1);
      }
    }
    rounds += 1;
    if (crashed) break;
    rss.push({ minute: Math.floor((performance.now() - started) / 60_000), mib: rssMiB(server.pid) });
    if (process.env.SOAK_TRACE) {
      const stats = (await (await fetch(`${server.url}/system_stats`)).json()) as { memory: Record<string, number> };
      const mib = (name: string): string => ((stats.memory[name] ?? 0) / 2 ** 20).toFixed(0);
      console.log(
        `round ${rounds}: ${rss.at(-1)!.mib.toFixed(1)} MiB at ${((performance.now() - started) / 1000).toFixed(0)} s; main thread heap ${mib('heapUsed')}/${mib('heapTotal')}, external ${mib('external')}, array buffers ${mib('arrayBuffers')} MiB`,
      );
    }
  }
  // What the corpus queued (5,000-node chains, prototype-named ids) finishes before the last reading.
  for (;;) {
    const queue = (await (await fetch(`${server.url}/queue`)).json()) as {
      queue_running: unknown[];
      queue_pending: unknown[];
    };
    if (crashed || (queue.queue_running.length === 0 && queue.queue_pending.length === 0)) break;
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  const rssAtEnd = crashed ? Number.NaN : rssMiB(server.pid);
  socket.close();
  const minutes = (performance.now() - started) / 60_000;
  console.log(
    `hostile soak: ${minutes.toFixed(1)} min, ${rounds} rounds of 1 legitimate job + ${corpus.length} hostile requests (${hostileSent} sent)`,
  );
  console.log(`  legitimate jobs: ${legitimateOk} of ${legitimate} completed`);
  const medians = medianPerMinute(rss);
  const afterWarmUp = medians[1] ?? Number.NaN;
  const last = medians.at(-1) ?? Number.NaN;
  console.log(
    `  RSS at start ${rssAtStart.toFixed(1)} MiB, at the end ${rssAtEnd.toFixed(1)} MiB; per round min ${Math.min(...rss.map((r) => r.mib)).toFixed(0)}, max ${Math.max(...rss.map((r) => r.mib)).toFixed(0)}`,
  );
  console.log(`  RSS median per minute (MiB): ${medians.map((value) => value.toFixed(0)).join(', ')}`);
  console.log(
    `  growth after warm-up (last minute against the second): ${(((last - afterWarmUp) / afterWarmUp) * 100).toFixed(1)}%`,
  );
  console.log(`  crashes: ${crashed ? 1 : 0}`);
  console.log(
    `  a client that never reads: ${/fell \d+ bytes behind; disconnected/.test(server.log) || idle.closed() ? 'disconnected by the server' : 'still connected'}`,
  );
  idle.socket.destroy();
  console.log(
    `  answers not as expected: ${problems.size === 0 ? 'none' : [...problems].map(([name, count]) => `${name} ×${count}`).join('; ')}`,
  );
  if (crashed || problems.size > 0 || legitimateOk !== legitimate) process.exitCode = 1;
} finally {
  if (!crashed) await server.stop('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
