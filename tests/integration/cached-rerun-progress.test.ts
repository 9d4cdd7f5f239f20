import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressNodeState, WsMessage } from '../../shared/protocol.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { postJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

let server: TestServer;
let socket: TestSocket;

beforeAll(async () => {
  server = await startTestServer();
  socket = await TestSocket.open(server.url, 'cached-rerun');
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

/** Two output nodes (a SaveImage and a PreviewImage) on one chain. */
const prompt: ApiPrompt = {
  '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
  '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'cached/rerun' } },
  '4': { class_type: 'PreviewImage', inputs: { images: ['2', 0] } },
};

async function run(): Promise<{ promptId: string; messages: WsMessage[] }> {
  const response = await postJson(`${server.url}/prompt`, { prompt, client_id: socket.clientId });
  expect(response.status).toBe(200);
  const promptId = (response.json as { prompt_id: string }).prompt_id;
  return { promptId, messages: await socket.waitForEnd(promptId) };
}

/** What ComfyUI's WebUIProgressHandler sends for a node that finished without running (value = max = 1). */
function finished(node: string, promptId: string): ProgressNodeState {
  return {
    value: 1,
    max: 1,
    state: 'finished',
    node_id: node,
    prompt_id: promptId,
    display_node_id: node,
    parent_node_id: null,
    real_node_id: node,
  };
}

describe('a fully cached re-run', () => {
  it('sends progress_state "finished" for each cached output node, after its executed, as ComfyUI does', async () => {
    const first = await run();
    expect(first.messages.map((m) => m.type)).toContain('execution_success');

    const { promptId, messages } = await run();
    const sequence = messages.map((m) =>
      m.type === 'executed' || m.type === 'executing' ? `${m.type}:${m.data.node ?? 'null'}` : m.type,
    );
    // ComfyUI's execute(): a cached node in the execution list (the output nodes; cached ancestors are never added
    // to it) sends its cached `executed`, then finish_progress sends progress_state. Nothing runs, so no executing.
    expect(sequence).toEqual([
      'execution_start',
      'execution_cached',
      'executed:3',
      'progress_state',
      'executed:4',
      'progress_state',
      'execution_success',
      'executing:null',
    ]);
    const cached = messages.find((m) => m.type === 'execution_cached');
    expect(cached?.type === 'execution_cached' && [...cached.data.nodes].sort()).toEqual(['1', '2', '3', '4']);

    const states = messages.flatMap((m) => (m.type === 'progress_state' ? [m.data] : []));
    // Each message lists every node that is not pending, so the second carries both.
    expect(states).toEqual([
      { prompt_id: promptId, nodes: { '3': finished('3', promptId) } },
      { prompt_id: promptId, nodes: { '3': finished('3', promptId), '4': finished('4', promptId) } },
    ]);
  });
});
