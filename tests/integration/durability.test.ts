import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../nodes/runtime/png.js';
import type { HistoryEntry } from '../../shared/protocol.js';
import { copyFixtureModels, textToImage } from '../helpers/diffusion.js';
import { makeTestEnv } from '../helpers/env.js';
import { ServerProcess, type ServerFolders } from '../helpers/server-process.js';
import { getJson, postJson, TestSocket } from '../helpers/server.js';

// Each test runs `inkgraph serve` as a real process, kills it (SIGKILL, or SIGTERM for a graceful stop) and starts
// a new one on the same folders, then looks for every job it had accepted.

let dirs: ReturnType<typeof makeTestEnv>;
let folders: ServerFolders;
const running: ServerProcess[] = [];
const sockets: TestSocket[] = [];

beforeAll(() => {
  dirs = makeTestEnv('inkgraph-durable-');
  copyFixtureModels(dirs.modelsDir);
});
afterAll(() => dirs.cleanup());

let testIndex = 0;
/** Fresh data and output folders per test (models shared). */
function freshFolders(): ServerFolders {
  testIndex += 1;
  return { dataDir: join(dirs.root, `data-${testIndex}`), inputDir: dirs.inputDir, outputDir: join(dirs.root, `output-${testIndex}`), modelsDir: dirs.modelsDir };
}

async function start(extraArgs: readonly string[] = []): Promise<ServerProcess> {
  const server = await ServerProcess.start(folders, extraArgs);
  running.push(server);
  return server;
}

async function listen(server: ServerProcess, clientId: string): Promise<TestSocket> {
  const socket = await TestSocket.open(server.url, clientId);
  sockets.push(socket);
  return socket;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  for (const server of running.splice(0)) await server.stop('SIGKILL');
});

/**
 * A job that must still be running when the test acts on it, yet finish after a restart: 10,000 steps (the most a
 * KSampler takes) at 256×256 on the tiny fixture model, ~2–3.5 s here with a client receiving its previews. (6,000
 * steps at 64×64 took only 0.35–0.6 s once the sampler's per-step work shrank, and on a loaded CI machine the job
 * once ended between the test's signal and the server acting on it.)
 */
const LONG = { steps: 10_000, size: 256 } as const;

function job(name: string, steps: number, seed: number, clientId?: string, size?: number): Record<string, unknown> {
  return { prompt: textToImage({ steps, seed, prefix: name, ...(size ? { size } : {}) }), ...(clientId ? { client_id: clientId } : {}) };
}

function longJob(name: string, seed: number, clientId: string): Record<string, unknown> {
  return job(name, LONG.steps, seed, clientId, LONG.size);
}

async function queue(server: ServerProcess, body: Record<string, unknown>): Promise<string> {
  const response = await postJson(`${server.url}/prompt`, body);
  expect(response.status).toBe(200);
  return (response.json as { prompt_id: string }).prompt_id;
}

async function waitForProgress(socket: TestSocket, promptId: string): Promise<void> {
  await socket.waitFor((r) => r.kind === 'json' && r.message.type === 'progress' && r.message.data.prompt_id === promptId, 60_000);
}

async function history(server: ServerProcess): Promise<Record<string, HistoryEntry>> {
  return (await getJson(`${server.url}/history`)).json as Record<string, HistoryEntry>;
}

async function queueIds(server: ServerProcess): Promise<{ running: string[]; pending: string[]; paused: boolean }> {
  const snapshot = (await getJson(`${server.url}/queue`)).json as { queue_running: [number, string][]; queue_pending: [number, string][]; paused: boolean };
  return { running: snapshot.queue_running.map((item) => item[1]), pending: snapshot.queue_pending.map((item) => item[1]), paused: snapshot.paused };
}

/** Polls until every id is in history. */
async function waitForHistory(server: ServerProcess, ids: readonly string[], timeoutMs = 120_000): Promise<Record<string, HistoryEntry>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await history(server);
    if (ids.every((id) => id in entries)) return entries;
    if (Date.now() > deadline) throw new Error(`not in history after ${timeoutMs} ms: ${ids.filter((id) => !(id in entries)).join(', ')}\n${server.log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every PNG in the output folder decodes in full, and no temporary file is left. */
function expectOnlyWholeImages(outputDir: string): string[] {
  const names = existsSync(outputDir) ? readdirSync(outputDir) : [];
  expect(names.filter((name) => name.endsWith('.inkgraph-tmp'))).toEqual([]);
  const pngs = names.filter((name) => name.endsWith('.png'));
  for (const name of pngs) {
    const decoded = decodeImage(new Uint8Array(readFileSync(join(outputDir, name))));
    expect(decoded.ok, `${name} decodes`).toBe(true);
  }
  return pngs;
}

function messageTypes(entry: HistoryEntry): string[] {
  return entry.status.messages.map(([type]) => type);
}

describe('kill -9 and restart', () => {
  it('mid-run: the running job runs again (marked restarted), pending jobs, history and saved workflows survive', async () => {
    folders = freshFolders();
    const first = await start();
    const socket = await listen(first, 'durable-run');
    const done = await queue(first, job('done', 2, 1, 'durable-run'));
    await socket.waitForEnd(done);
    const savedWorkflow = textToImage({ positive: 'kept across a crash' });
    const saved = await fetch(`${first.url}/api/workflows/kept.json`, { method: 'PUT', body: JSON.stringify(savedWorkflow) });
    expect(saved.status).toBe(201);

    await postJson(`${first.url}/api/queue/pause`, {});
    const long = await queue(first, longJob('long', 2, 'durable-run'));
    const second = await queue(first, job('second', 2, 3, 'durable-run'));
    const third = await queue(first, job('third', 2, 4, 'durable-run'));
    await postJson(`${first.url}/api/queue/resume`, {});
    await waitForProgress(socket, long);
    expect((await queueIds(first)).running).toEqual([long]);
    // A stale temporary, as a process killed between writing and renaming leaves it.
    writeFileSync(join(folders.outputDir, '.long_00009_.png.0123456789ab.inkgraph-tmp'), 'half a png');
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    const restarted = await start();
    expect(restarted.log).toMatch(/3 jobs restored/);
    const afterRestart = await queueIds(restarted);
    expect([...afterRestart.running, ...afterRestart.pending]).toEqual([long, second, third]);
    const entries = await waitForHistory(restarted, [done, long, second, third]);
    expect(Object.keys(entries)).toEqual([done, long, second, third]);
    expect(messageTypes(entries[long]!)[0]).toBe('execution_restarted');
    expect(entries[long]!.status.messages[0]![1]).toMatchObject({ prompt_id: long, restarts: 1, reason: expect.stringMatching(/crash or kill/) });
    for (const id of [done, long, second, third]) expect(entries[id]!.status.status_str).toBe('success');
    for (const id of [done, second, third]) expect(messageTypes(entries[id]!)).not.toContain('execution_restarted');
    expect(entries[long]!.outputs['9']!.images![0]!.filename).toMatch(/^long_/);
    const pngs = expectOnlyWholeImages(folders.outputDir);
    expect(pngs.sort()).toEqual(['done_00001_.png', 'long_00001_.png', 'second_00001_.png', 'third_00001_.png']);
    const workflow = await getJson(`${restarted.url}/api/workflows/kept.json`);
    expect(workflow.json).toEqual(savedWorkflow);
  });

  it('mid-queue: every prompt the server answered with a prompt id is found after the restart', async () => {
    folders = freshFolders();
    const first = await start();
    const accepted: string[] = [];
    const attempts = Array.from({ length: 60 }, (_, index) =>
      postJson(`${first.url}/prompt`, job(`burst-${index}`, 2, 100 + index))
        .then((response) => {
          if (response.status === 200) accepted.push((response.json as { prompt_id: string }).prompt_id);
        })
        .catch(() => undefined),
    );
    // Kill while answers are still coming in and jobs are running.
    for (let waited = 0; accepted.length < 15 && waited < 60_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    const finishedBeforeKill = Object.keys(await history(first).catch(() => ({})));
    await first.stop('SIGKILL');
    await Promise.all(attempts);
    expect(accepted.length).toBeGreaterThanOrEqual(15);

    const restarted = await start();
    const entries = await waitForHistory(restarted, accepted);
    for (const id of accepted) expect(entries[id]!.status.status_str).toBe('success');
    for (const id of finishedBeforeKill) expect(entries[id]).toBeDefined();
    expectOnlyWholeImages(folders.outputDir);
  });

  it('a paused queue stays paused, with its jobs, until it is resumed', async () => {
    folders = freshFolders();
    const first = await start();
    await postJson(`${first.url}/api/queue/pause`, {});
    const a = await queue(first, job('paused-a', 2, 7));
    const b = await queue(first, job('paused-b', 2, 8));
    await first.stop('SIGKILL');

    const restarted = await start();
    expect(await queueIds(restarted)).toEqual({ running: [], pending: [a, b], paused: true });
    const status = await listen(restarted, 'paused-watcher');
    const greeting = status.messages().find((message) => message.type === 'status');
    expect(greeting).toMatchObject({ data: { paused: true, status: { exec_info: { queue_remaining: 2 } } } });
    await postJson(`${restarted.url}/api/queue/resume`, {});
    const entries = await waitForHistory(restarted, [a, b]);
    expect(entries[a]!.status.completed).toBe(true);
    expect((await queueIds(restarted)).paused).toBe(false);
  });

  it('refuses a second server on the same data folder, naming the folder', async () => {
    folders = freshFolders();
    await start();
    await expect(ServerProcess.start(folders)).rejects.toThrow(/in use by another Inkgraph server/);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM: refuses new prompts, lets the running job finish, exits 0, and the result is in history', async () => {
    folders = freshFolders();
    const first = await start();
    const socket = await listen(first, 'graceful');
    const long = await queue(first, longJob('finish', 20, 'graceful'));
    const waiting = await queue(first, job('waiting', 2, 21, 'graceful'));
    await waitForProgress(socket, long);
    const exit = first.stop('SIGTERM');
    // Prompts sent before the signal lands are accepted (and kept); once it has, they are refused.
    let refused: { status: number; json: unknown } | undefined;
    const acceptedBeforeSignal: string[] = [];
    for (let i = 0; i < 200 && !refused; i++) {
      const response = await postJson(`${first.url}/prompt`, job(`late-${i}`, 2, 1000 + i)).catch(() => undefined);
      if (response?.status === 503) refused = response;
      else if (response?.status === 200) acceptedBeforeSignal.push((response.json as { prompt_id: string }).prompt_id);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refused?.json).toMatchObject({ error: { type: 'server_shutting_down' } });
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(first.log).toMatch(/SIGTERM: taking no new prompts; letting the running job finish/);

    const restarted = await start();
    expect([...(await queueIds(restarted)).running, ...(await queueIds(restarted)).pending]).toContain(waiting);
    const entries = await waitForHistory(restarted, [long, waiting, ...acceptedBeforeSignal]);
    expect(messageTypes(entries[long]!)).not.toContain('execution_restarted');
    expect(entries[long]!.status.status_str).toBe('success');
    expect(Object.keys(entries)).toEqual([long, waiting, ...acceptedBeforeSignal]);
  });

  it('SIGTERM past --shutdown-grace: the running job is interrupted, kept in the queue, and runs after the restart', async () => {
    folders = freshFolders();
    const first = await start(['--shutdown-grace', '0']);
    const socket = await listen(first, 'impatient');
    const long = await queue(first, longJob('checkpointed', 30, 'impatient'));
    await waitForProgress(socket, long);
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(first.log).toMatch(/1 job\(s\) wait on disk/);
    expect(expectOnlyWholeImages(folders.outputDir)).toEqual([]);

    const restarted = await start();
    const entries = await waitForHistory(restarted, [long]);
    expect(entries[long]!.status.messages[0]).toEqual(['execution_restarted', expect.objectContaining({ restarts: 1, reason: expect.stringMatching(/shut down/) })]);
    expect(entries[long]!.status.status_str).toBe('success');
  });
});
