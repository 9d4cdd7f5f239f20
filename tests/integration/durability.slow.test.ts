import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import { copyFixtureModels, textToImage } from '../helpers/diffusion.js';
import { makeTestEnv } from '../helpers/env.js';
import { objectContaining, stringMatching } from '../helpers/matchers.js';
import { TestGates } from '../helpers/gates.js';
import {
  GATE_NODE,
  gatedJob,
  history,
  job,
  messageTypes,
  ProcessFleet,
  queue,
  queueIds,
  waitForHistory,
} from '../helpers/server-jobs.js';
import { ServerProcess, type ServerFolders } from '../helpers/server-process.js';
import { getJson, postJson, type TestSocket } from '../helpers/server.js';

// Each test runs `inkgraph serve` as a real process, kills it (SIGKILL, or SIGTERM for a graceful stop) and starts
// a new one on the same folders, then looks for every job it had accepted. A job "running" when the server is
// killed waits at a TestGate (tests/helpers/gates.ts) until the test releases it.

const dirs = makeTestEnv('inkgraph-durable-');
const gates = new TestGates(dirs.root);
let folders: ServerFolders;
const fleet = new ProcessFleet(gates);

beforeAll(() => copyFixtureModels(dirs.modelsDir));
afterAll(() => dirs.cleanup());
afterEach(() => fleet.stopAll());

/** Fresh data and output folders per test (models shared). */
const freshFolders = (): ServerFolders => fleet.folders(dirs);
const start = (extraArgs: readonly string[] = []): Promise<ServerProcess> => fleet.start(folders, extraArgs);
const listen = (server: ServerProcess, clientId: string): Promise<TestSocket> => fleet.listen(server, clientId);

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

describe('kill -9 and restart', () => {
  it('mid-run: the running job runs again (marked restarted), pending jobs, history and saved workflows survive', async () => {
    folders = freshFolders();
    const first = await start();
    const socket = await listen(first, 'durable-run');
    const done = await queue(first, job('done', 2, 1, 'durable-run'));
    await socket.waitForEnd(done);
    const savedWorkflow = textToImage({ positive: 'kept across a crash' });
    const saved = await fetch(`${first.url}/api/workflows/kept.json`, {
      method: 'PUT',
      body: JSON.stringify(savedWorkflow),
    });
    expect(saved.status).toBe(201);

    await postJson(`${first.url}/api/queue/pause`, {});
    const long = await queue(first, gatedJob(gates, 'long', 2, 'durable-run'));
    const second = await queue(first, job('second', 2, 3, 'durable-run'));
    const third = await queue(first, job('third', 2, 4, 'durable-run'));
    await postJson(`${first.url}/api/queue/resume`, {});
    await gates.held('long');
    expect((await queueIds(first)).running).toEqual([long]);
    // A stale temporary, as a process killed between writing and renaming leaves it.
    writeFileSync(join(folders.outputDir, '.long_00009_.png.0123456789ab.inkgraph-tmp'), 'half a png');
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    const restarted = await start();
    expect(restarted.log).toMatch(/3 jobs restored/);
    await gates.held('long', 2);
    const afterRestart = await queueIds(restarted);
    expect([...afterRestart.running, ...afterRestart.pending]).toEqual([long, second, third]);
    gates.release('long');
    const entries = await waitForHistory(restarted, [done, long, second, third]);
    expect(Object.keys(entries)).toEqual([done, long, second, third]);
    expect(messageTypes(entries[long]!)[0]).toBe('execution_restarted');
    expect(entries[long]!.status.messages[0]![1]).toMatchObject({
      prompt_id: long,
      restarts: 1,
      reason: stringMatching(/crash or kill/),
    });
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
    let fifteenAccepted: () => void = () => {};
    const fifteen = new Promise<void>((resolve) => (fifteenAccepted = resolve));
    const attempts = Array.from({ length: 60 }, (_, index) =>
      postJson(`${first.url}/prompt`, job(`burst-${index}`, 2, 100 + index))
        .then((response) => {
          if (response.status === 200) accepted.push((response.json as { prompt_id: string }).prompt_id);
          if (accepted.length === 15) fifteenAccepted();
        })
        .catch(() => undefined),
    );
    // Kill while answers are still coming in and jobs are running.
    await Promise.race([fifteen, Promise.all(attempts)]);
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
    const long = await queue(first, gatedJob(gates, 'finish', 20));
    const waiting = await queue(first, gatedJob(gates, 'waiting', 21));
    await gates.held('finish');
    const exit = first.stop('SIGTERM');
    // A prompt sent as the signal is sent is accepted (and kept) or refused, as it lands before or after the
    // signal; once the server has said it takes no new prompts, every prompt is refused.
    const raced = await postJson(`${first.url}/prompt`, job('late-raced', 2, 1000));
    expect([200, 503]).toContain(raced.status);
    const acceptedBeforeSignal = raced.status === 200 ? [(raced.json as { prompt_id: string }).prompt_id] : [];
    await first.waitForOutput(/SIGTERM: taking no new prompts; letting the running job finish/);
    const refused = await postJson(`${first.url}/prompt`, job('late-refused', 2, 1001));
    expect(refused).toMatchObject({ status: 503, json: { error: { type: 'server_shutting_down' } } });
    gates.release('finish');
    expect(await exit).toEqual({ code: 0, signal: null });

    const restarted = await start();
    expect([...(await queueIds(restarted)).running, ...(await queueIds(restarted)).pending]).toContain(waiting);
    gates.release('waiting');
    const entries = await waitForHistory(restarted, [long, waiting, ...acceptedBeforeSignal]);
    expect(messageTypes(entries[long]!)).not.toContain('execution_restarted');
    expect(entries[long]!.status.status_str).toBe('success');
    expect(Object.keys(entries)).toEqual([long, waiting, ...acceptedBeforeSignal]);
  });

  it('SIGTERM past --shutdown-grace: the running job is interrupted, kept in the queue, and runs after the restart', async () => {
    folders = freshFolders();
    const first = await start(['--shutdown-grace', '0']);
    const long = await queue(first, gatedJob(gates, 'checkpointed', 30));
    await gates.held('checkpointed');
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(first.log).toMatch(/1 job\(s\) wait on disk/);
    expect(expectOnlyWholeImages(folders.outputDir)).toEqual([]);

    gates.release('checkpointed');
    const restarted = await start();
    const entries = await waitForHistory(restarted, [long]);
    expect(entries[long]!.status.messages[0]).toEqual([
      'execution_restarted',
      objectContaining({ restarts: 1, reason: stringMatching(/shut down/) }),
    ]);
    expect(entries[long]!.status.status_str).toBe('success');
  });
});

describe('crash loops', () => {
  it('a job running at two kills is failed after the second restart, never runs again, and the queue goes on', async () => {
    folders = freshFolders();
    const first = await start();
    // Its gate is never released: the job is running each time the server is killed.
    const looping = await queue(first, gatedJob(gates, 'looping', 40));
    await gates.held('looping');
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    // It runs again (the first death), and a job queued behind it waits.
    const second = await start();
    await gates.held('looping', 2);
    const after = await queue(second, job('after', 2, 41));
    expect(await queueIds(second)).toMatchObject({ running: [looping], pending: [after] });
    await second.stop('SIGKILL');

    const third = await start();
    expect(third.log).toMatch(
      new RegExp(
        `job ${looping} was running each of the last 2 times the server stopped \\(node #${GATE_NODE} had started\\)`,
      ),
    );
    const entries = await waitForHistory(third, [looping, after]);
    expect(Object.keys(entries)).toEqual([looping, after]);
    expect(entries[looping]!.status).toMatchObject({ status_str: 'error', completed: false });
    const error = entries[looping]!.status.messages.find(([type]) => type === 'execution_error')?.[1];
    expect(error).toMatchObject({
      prompt_id: looping,
      node_id: GATE_NODE,
      node_type: 'TestGate',
      exception_message: 'the server stopped twice while running this job',
    });
    expect(entries[after]!.status.status_str).toBe('success');
    expect(expectOnlyWholeImages(folders.outputDir)).toEqual(['after_00001_.png']);
    expect(await third.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const fourth = await start();
    expect(await queueIds(fourth)).toEqual({ running: [], pending: [], paused: false });
    expect(Object.keys(await history(fourth))).toEqual([looping, after]);
  });
});
