import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../media/png.js';
import type { HistoryEntry, WsMessage } from '../../shared/protocol.js';
import { apiPromptSchema, type ApiPrompt } from '../../shared/workflow.js';
import { makeTestEnv } from '../helpers/env.js';
import { TestGates } from '../helpers/gates.js';
import { stringContaining } from '../helpers/matchers.js';
import { getJson, postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

let server: TestServer;
let socket: TestSocket;
const gateDirs = makeTestEnv('inkgraph-gates-');
// Enabled before the server starts: its registry and engine worker read the variable then.
const gates = new TestGates(gateDirs.root).enableInProcess();

beforeAll(async () => {
  server = await startTestServer();
  socket = await TestSocket.open(server.url, 'client-a');
});
afterAll(async () => {
  socket.close();
  await server.stop();
  gateDirs.cleanup();
});

function pipeline(width = 8): ApiPrompt {
  return {
    '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
    '2': {
      class_type: 'ImageScale',
      inputs: { image: ['1', 0], upscale_method: 'bilinear', width, height: 6, crop: 'disabled' },
    },
    '3': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
    '4': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'it/run' }, _meta: { title: 'Save' } },
  };
}

async function queue(prompt: ApiPrompt, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await postJson(`${server.url}/prompt`, { prompt, client_id: 'client-a', ...extra });
  expect(response.status).toBe(200);
  return (response.json as { prompt_id: string }).prompt_id;
}

function types(messages: WsMessage[]): string[] {
  return messages.map((m) =>
    m.type === 'executing'
      ? `executing:${m.data.node ?? 'null'}`
      : m.type === 'executed'
        ? `executed:${m.data.node}`
        : m.type,
  );
}

describe('a run, as a ComfyUI client sees it', () => {
  it('sends ComfyUI message sequence and writes history before the final status', async () => {
    const promptId = await queue(pipeline(), {
      extra_data: { extra_pnginfo: { workflow: { note: '中文 workflow' } } },
    });
    const messages = await socket.waitForEnd(promptId);
    const sequence = types(messages).filter((t) => t !== 'progress_state' && t !== 'progress');
    expect(sequence).toEqual([
      'execution_start',
      'execution_cached',
      'executing:1',
      'executing:2',
      'executing:3',
      'executing:4',
      'executed:4',
      'execution_success',
      'executing:null',
    ]);
    // progress_state brackets each node: running first, finished last.
    const states = messages.filter(
      (m): m is Extract<WsMessage, { type: 'progress_state' }> => m.type === 'progress_state',
    );
    expect(states.at(-1)!.data.nodes['4']!.state).toBe('finished');
    expect(states[0]!.data.nodes['1']!.state).toBe('running');

    const history = (await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>;
    const entry = history[promptId]!;
    expect(entry.status).toMatchObject({ status_str: 'success', completed: true });
    expect(entry.status.messages.map(([event]) => event)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ]);
    const image = entry.outputs['4']!.images![0]!;
    expect(image).toEqual({ filename: 'run_00001_.png', subfolder: 'it', type: 'output' });
    const queueNow = (await getJson(`${server.url}/queue`)).json as {
      queue_running: unknown[];
      queue_pending: unknown[];
    };
    expect(queueNow.queue_running).toEqual([]);

    // The PNG carries ComfyUI's chunks: the coerced prompt and each extra_pnginfo key.
    const png = readFileSync(join(server.dirs.outputDir, 'it', 'run_00001_.png'));
    const text = readPngText(png);
    expect(apiPromptSchema.parse(JSON.parse(text.prompt!))['2']!.inputs.width).toBe(8);
    expect(JSON.parse(text.workflow!)).toEqual({ note: '中文 workflow' });
    expect(text.workflow).toContain('\\u4e2d');
  });

  it('re-queueing the same prompt runs nothing and still reports the outputs', async () => {
    const promptId = await queue(pipeline());
    const messages = await socket.waitForEnd(promptId);
    const cached = messages.find((m) => m.type === 'execution_cached');
    expect(cached?.type === 'execution_cached' && cached.data.nodes.sort()).toEqual(['1', '2', '3', '4']);
    expect(types(messages).filter((t) => t.startsWith('executing:') && t !== 'executing:null')).toEqual([]);
    const executed = messages.find((m) => m.type === 'executed');
    expect(executed?.type === 'executed' && executed.data.output?.images?.[0]?.filename).toBe('run_00001_.png');
    const history = (await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>;
    expect(history[promptId]!.outputs['4']!.images![0]!.filename).toBe('run_00001_.png');
  });

  it('an edited workflow re-runs only the changed node and its descendants', async () => {
    const promptId = await queue(pipeline(10));
    const messages = await socket.waitForEnd(promptId);
    const cached = messages.find((m) => m.type === 'execution_cached');
    expect(cached?.type === 'execution_cached' && cached.data.nodes).toEqual(['1']);
    expect(types(messages).filter((t) => t.startsWith('executing:') && t !== 'executing:null')).toEqual([
      'executing:2',
      'executing:3',
      'executing:4',
    ]);
  });

  it('a failing node ends its run with execution_error naming it, and the server carries on', async () => {
    writeFileSync(join(server.dirs.inputDir, 'broken.png'), 'this is not a png');
    const prompt = pipeline();
    prompt['1']!.inputs.image = 'broken.png';
    const promptId = await queue(prompt);
    const messages = await socket.waitForEnd(promptId);
    const error = messages.find((m) => m.type === 'execution_error');
    expect(error?.type === 'execution_error' && error.data).toMatchObject({
      node_id: '1',
      node_type: 'LoadImage',
      prompt_id: promptId,
    });
    expect(error?.type === 'execution_error' && error.data.exception_message).toContain('broken.png');
    expect(error?.type === 'execution_error' && error.data.current_inputs).toEqual({ image: ['broken.png'] });
    const history = (await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>;
    expect(history[promptId]!.status).toMatchObject({ status_str: 'error', completed: false });
    const next = await queue(pipeline(12));
    expect(types(await socket.waitForEnd(next))).toContain('execution_success');
  });

  it('a job held at a TestGate runs until the gate is released, then passes its value on', async () => {
    const gated: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': gates.node('passes', ['1', 0]),
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'gated' } },
    };
    const promptId = await queue(gated);
    expect(await gates.held('passes')).toEqual([promptId]);
    const running = (await getJson(`${server.url}/queue`)).json as { queue_running: [number, string][] };
    expect(running.queue_running.map((item) => item[1])).toEqual([promptId]);
    gates.release('passes');
    const messages = await socket.waitForEnd(promptId);
    expect(types(messages)).toContain('execution_success');
    const progress = messages.flatMap((m) => (m.type === 'progress' && m.data.node === '2' ? [m.data.value] : []));
    expect(progress).toEqual([0, 1]);
    const png = readFileSync(join(server.dirs.outputDir, 'gated_00001_.png'));
    expect(readPngText(png).prompt).toContain('TestGate');
  });

  it('interrupt stops a run at its next progress point; the next job runs', async () => {
    // Held at a gate, the job is certainly running when the interrupt comes (tests/unit/interrupt-points.test.ts
    // checks that a node's own progress points stop it).
    const held: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': gates.node('interrupted', ['1', 0]),
      '3': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
    };
    const promptId = await queue(held);
    await socket.waitFor(
      (r) => r.kind === 'json' && r.message.type === 'progress' && r.message.data.prompt_id === promptId,
    );
    expect((await postJson(`${server.url}/interrupt`, { prompt_id: 'someone-else' })).status).toBe(200);
    expect((await postJson(`${server.url}/interrupt`, '')).status).toBe(200);
    const messages = await socket.waitForEnd(promptId);
    const interrupted = messages.find((m) => m.type === 'execution_interrupted');
    expect(interrupted?.type === 'execution_interrupted' && interrupted.data).toMatchObject({
      node_id: '2',
      node_type: 'TestGate',
    });
    expect(types(messages)).not.toContain('execution_success');
    const history = (await getJson(`${server.url}/history/${promptId}`)).json as Record<string, HistoryEntry>;
    expect(history[promptId]!.status.messages.map(([event]) => event)).toContain('execution_interrupted');
    const next = await queue(pipeline(14));
    expect(types(await socket.waitForEnd(next))).toContain('execution_success');
  });

  it('runs pending jobs by priority: explicit number, then front, then arrival', async () => {
    expect((await postJson(`${server.url}/api/queue/pause`, {})).status).toBe(200);
    const a = await queue(pipeline(20));
    const b = await queue(pipeline(21), { front: true });
    const c = await queue(pipeline(22), { number: -1000 });
    const snapshot = (await getJson(`${server.url}/queue`)).json as {
      queue_pending: [number, string][];
      paused: boolean;
    };
    expect(snapshot.paused).toBe(true);
    expect(snapshot.queue_pending.map((item) => item[1])).toEqual([c, b, a]);
    await postJson(`${server.url}/api/queue/resume`, {});
    await socket.waitForEnd(a);
    const starts = socket
      .messages()
      .filter((m) => m.type === 'execution_start' && [a, b, c].includes(m.data.prompt_id))
      .map((m) => (m.type === 'execution_start' ? m.data.prompt_id : ''));
    expect(starts).toEqual([c, b, a]);
  });

  it('takes a retried POST with the same prompt_id once, and refuses that id for a different prompt', async () => {
    await postJson(`${server.url}/api/queue/pause`, {});
    const first = await postJson(`${server.url}/prompt`, {
      prompt: pipeline(40),
      prompt_id: 'retried-id',
      client_id: socket.clientId,
    });
    const retry = await postJson(`${server.url}/prompt`, {
      prompt: pipeline(40),
      prompt_id: 'retried-id',
      client_id: socket.clientId,
    });
    expect(first.status).toBe(200);
    expect(retry).toEqual(first);
    const other = await postJson(`${server.url}/prompt`, {
      prompt: pipeline(41),
      prompt_id: 'retried-id',
      client_id: socket.clientId,
    });
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({
      error: { type: 'duplicate_prompt_id', message: stringContaining('retried-id') },
    });
    const snapshot = (await getJson(`${server.url}/queue`)).json as { queue_pending: [number, string][] };
    expect(snapshot.queue_pending.filter((item) => item[1] === 'retried-id')).toHaveLength(1);
    await postJson(`${server.url}/api/queue/resume`, {});
    await socket.waitForEnd('retried-id');
  });

  it('deletes and clears pending jobs and history', async () => {
    await postJson(`${server.url}/api/queue/pause`, {});
    const a = await queue(pipeline(30));
    const b = await queue(pipeline(31));
    await postJson(`${server.url}/queue`, { delete: [a] });
    let snapshot = (await getJson(`${server.url}/queue`)).json as { queue_pending: [number, string][] };
    expect(snapshot.queue_pending.map((item) => item[1])).toEqual([b]);
    await postJson(`${server.url}/queue`, { clear: true });
    snapshot = (await getJson(`${server.url}/queue`)).json as { queue_pending: [number, string][] };
    expect(snapshot.queue_pending).toEqual([]);
    await postJson(`${server.url}/api/queue/resume`, {});
    const all = (await getJson(`${server.url}/history?max_items=2`)).json as Record<string, unknown>;
    expect(Object.keys(all)).toHaveLength(2);
    await postJson(`${server.url}/history`, { clear: true });
    expect((await getJson(`${server.url}/history`)).json).toEqual({});
  });
});

describe('who receives what', () => {
  it('sends a run only to its client; full images as event 1, or event 4 to clients that ask', async () => {
    const plain = await TestSocket.open(server.url, 'plain');
    const modern = await TestSocket.open(server.url, 'modern', { featureFlags: { supports_preview_metadata: true } });
    await modern.waitFor((r) => r.kind === 'json' && r.message.type === 'feature_flags');
    const prompt: ApiPrompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': { class_type: 'SaveImageWebsocket', inputs: { images: ['1', 0] } },
    };
    const first = (await postJson(`${server.url}/prompt`, { prompt, client_id: 'plain' })).json as {
      prompt_id: string;
    };
    await plain.waitForEnd(first.prompt_id);
    const frames = plain.received.filter((r) => r.kind === 'binary');
    expect(frames).toHaveLength(1);
    const frame = frames[0]!.kind === 'binary' ? frames[0]!.frame : undefined;
    expect(frame?.event).toBe(1);
    expect(frame?.event === 1 && frame.mimeType).toBe('image/png');
    expect(modern.received.filter((r) => r.kind === 'binary')).toHaveLength(0);
    expect(modern.messages().some((m) => m.type === 'executing')).toBe(false);

    const second = (await postJson(`${server.url}/prompt`, { prompt, client_id: 'modern' })).json as {
      prompt_id: string;
    };
    await modern.waitForEnd(second.prompt_id);
    const modernFrame = modern.received.find((r) => r.kind === 'binary');
    expect(modernFrame?.kind === 'binary' && modernFrame.frame.event).toBe(4);
    expect(modernFrame?.kind === 'binary' && modernFrame.frame.event === 4 && modernFrame.frame.metadata).toMatchObject(
      {
        node_id: '2',
        prompt_id: second.prompt_id,
        image_type: 'image/png',
      },
    );
    plain.close();
    modern.close();
  });

  it('a reconnect with the same clientId keeps receiving after the old socket closes', async () => {
    const old = await TestSocket.open(server.url, 'flaky');
    const fresh = await TestSocket.open(server.url, 'flaky');
    const closed = new Promise((resolve) => old.socket.once('close', resolve));
    old.close();
    // The closing handshake is done: the server has seen the old socket go.
    await closed;
    const response = (await postJson(`${server.url}/prompt`, { prompt: pipeline(40), client_id: 'flaky' })).json as {
      prompt_id: string;
    };
    const messages = await fresh.waitForEnd(response.prompt_id);
    expect(types(messages)).toContain('execution_success');
    fresh.close();
  });

  it('greets with status and sid, and broadcasts status on queue changes', async () => {
    const watcher = await TestSocket.open(server.url, 'watcher');
    const greeting = watcher.messages()[0];
    expect(greeting?.type === 'status' && greeting.data.sid).toBe('watcher');
    const before = watcher.messages().length;
    await queue(pipeline(41));
    await watcher.waitFor(
      (r) => r.kind === 'json' && r.message.type === 'status' && watcher.messages().indexOf(r.message) >= before,
    );
    expect(watcher.invalid).toEqual([]);
    watcher.close();
  });
});
