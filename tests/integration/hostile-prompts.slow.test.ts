import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPrompt } from '../../shared/workflow.js';
import { invertChain } from '../helpers/prompts.js';
import { postJson, rawText, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Hostile prompts over real HTTP: node ids and links named like Object.prototype members, chains far deeper than any
 * workflow, JSON nested 100,000 deep. Each gets a run or a clean 4xx, never a 500 or a 503.
 */

let server: TestServer;
let ends: RunEnds;

beforeAll(async () => {
  server = await startTestServer();
  ends = await RunEnds.open(server.url, 'hostile');
});
afterAll(async () => {
  ends.close();
  await server.stop();
});

const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
] as const;

/**
 * How each run ends, from a socket that parses nothing else: long chains send tens of thousands of messages, which
 * TestSocket would keep and search on every arrival.
 */
class RunEnds {
  private readonly ended = new Map<string, string>();
  private readonly waiters = new Map<string, (status: string) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = rawText(data);
      if (
        !text.includes('"execution_success"') &&
        !text.includes('"execution_error"') &&
        !text.includes('"execution_interrupted"')
      )
        return;
      const message = JSON.parse(text) as { type: string; data: { prompt_id: string } };
      this.ended.set(message.data.prompt_id, message.type);
      this.waiters.get(message.data.prompt_id)?.(message.type);
    });
  }

  static async open(baseUrl: string, clientId: string): Promise<RunEnds> {
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws?clientId=${clientId}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new RunEnds(socket);
  }

  /** The end message's type: execution_success, execution_error or execution_interrupted. */
  of(promptId: string): Promise<string> {
    const known = this.ended.get(promptId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => this.waiters.set(promptId, resolve));
  }

  close(): void {
    this.socket.close();
  }
}

interface Answer {
  readonly status: number;
  readonly json: {
    prompt_id?: string;
    error?: { type: string; message: string; details?: string };
    node_errors?: Record<string, { errors: { type: string; message: string }[] }>;
  };
}

async function post(prompt: ApiPrompt | string, extra: Record<string, unknown> = {}): Promise<Answer> {
  // Built as text: a `__proto__` key survives JSON.stringify of an own property, but this states it plainly.
  const body =
    typeof prompt === 'string'
      ? `{"prompt":${prompt},"client_id":"hostile","extra_data":${JSON.stringify(extra)}}`
      : JSON.stringify({ prompt, client_id: 'hostile', extra_data: extra });
  return (await postJson(`${server.url}/prompt`, body)) as Answer;
}

/** Posts a prompt that must be queued, and waits for its run to end. */
async function run(prompt: ApiPrompt | string): Promise<string> {
  const answer = await post(prompt);
  expect(answer.status, JSON.stringify(answer.json).slice(0, 500)).toBe(200);
  return ends.of(answer.json.prompt_id!);
}

function objectOf(entries: [string, unknown][]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('node ids and links named like Object.prototype members', () => {
  for (const name of PROTOTYPE_NAMES) {
    const load = { class_type: 'LoadImage', inputs: { image: 'test.png' } };
    const invert = (source: string): unknown => ({ class_type: 'ImageInvert', inputs: { image: [source, 0] } });
    const preview = (source: string): unknown => ({ class_type: 'PreviewImage', inputs: { images: [source, 0] } });

    it(`${name} as a node id and a link target: runs, or (__proto__) a 400 naming it`, async () => {
      const asSource = objectOf([
        [name, load],
        ['2', invert(name)],
        ['3', preview('2')],
      ]);
      const asOutput = objectOf([
        ['1', load],
        ['2', invert('1')],
        [name, preview('2')],
      ]);
      if (name === '__proto__') {
        for (const prompt of [asSource, asOutput]) {
          const answer = await post(prompt);
          expect(answer.status).toBe(400);
          expect(answer.json.error?.type).toBe('invalid_prompt');
          expect(answer.json.error?.details).toContain('__proto__');
        }
        return;
      }
      expect(await run(asSource)).toBe('execution_success');
      expect(await run(asOutput)).toBe('execution_success');
    });

    it(`${name} as the target of a link to no node: a 400 naming the link`, async () => {
      const answer = await post(
        objectOf([
          ['1', load],
          ['2', invert(name)],
          ['3', preview('2')],
        ]),
      );
      expect(answer.status).toBe(400);
      expect(answer.json.error?.type).toBe('prompt_outputs_failed_validation');
      expect(answer.json.node_errors?.['2']?.errors[0]?.message).toBe(`Linked node #${name} does not exist`);
    });

    it(`${name} as an input name: ignored like any unknown input, or (__proto__) a 400 naming it`, async () => {
      const prompt = objectOf([
        ['1', load],
        [
          '2',
          {
            class_type: 'ImageInvert',
            inputs: JSON.parse(
              objectOf([
                ['image', ['1', 0]],
                [name, 1],
              ]),
            ) as unknown,
          },
        ],
        ['3', preview('2')],
      ]);
      if (name === '__proto__') {
        const answer = await post(prompt);
        expect(answer.status).toBe(400);
        expect(answer.json.error?.details).toContain('__proto__');
        return;
      }
      expect(await run(prompt)).toBe('execution_success');
    });
  }
});

describe('chains far deeper than a workflow', () => {
  it('runs a chain of 5,000 nodes', async () => {
    expect(await run(invertChain(5_000, 'test.png'))).toBe('execution_success');
  });

  it('validates a chain of 100,000 nodes: an error at its root is named, with the one output it fails', async () => {
    const prompt = invertChain(100_000, 'test.png');
    prompt.n0!.inputs.image = 'missing.png';
    const answer = await post(prompt);
    expect(answer.status).toBe(400);
    expect(answer.json.error?.type).toBe('prompt_outputs_failed_validation');
    expect(Object.keys(answer.json.node_errors ?? {})).toEqual(['n0']);
  });

  it('refuses a ring of 100,000 nodes as a dependency cycle, each error a bounded size', async () => {
    const prompt = invertChain(100_000, 'test.png');
    prompt.n0 = { class_type: 'ImageInvert', inputs: { image: ['n100000', 0] } };
    const answer = await post(prompt);
    expect(answer.status).toBe(400);
    const errors = answer.json.node_errors ?? {};
    expect(Object.keys(errors)).toHaveLength(100_001);
    expect(errors.n5?.errors[0]?.type).toBe('dependency_cycle');
    expect(JSON.stringify(errors.n5).length).toBeLessThan(2_000);
  });
});

describe('JSON nested 100,000 deep', () => {
  const small = {
    '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
    '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
  };

  function expectTooDeep(answer: { status: number; json: unknown }, path: string): void {
    expect(answer.status).toBe(400);
    const error = (answer.json as Answer['json']).error;
    expect(error?.type).toBe('json_too_deep');
    expect(error?.message).toContain('256');
    expect(error?.message).toContain(path);
  }

  it('in extra_data and in _meta: 400 json_too_deep with where', async () => {
    for (const depth of [10_000, 100_000]) {
      expectTooDeep(
        await postJson(
          `${server.url}/prompt`,
          `{"prompt":${JSON.stringify(small)},"extra_data":{"extra_pnginfo":${nested(depth)}}}`,
        ),
        'extra_data.extra_pnginfo.a.a',
      );
      const meta = `{"prompt":{"1":{"class_type":"LoadImage","inputs":{"image":"test.png"},"_meta":${nested(depth)}},"2":${JSON.stringify(small['2'])}}}`;
      expectTooDeep(await postJson(`${server.url}/prompt`, meta), 'prompt.1._meta.a.a');
    }
  });

  it('in a workflow saved with PUT /workflows/:name: 400 json_too_deep', async () => {
    const response = await fetch(`${server.url}/workflows/deep`, {
      method: 'PUT',
      body: `{"prompt":${JSON.stringify(small)},"extra":${nested(100_000)}}`,
      headers: { 'Content-Type': 'application/json' },
    });
    expectTooDeep({ status: response.status, json: await response.json() }, 'extra.a.a');
  });

  it('still queues JSON nested as deep as the limit allows', async () => {
    const answer = await post(small, { extra_pnginfo: JSON.parse(nested(250)) as unknown });
    expect(answer.status).toBe(200);
    expect(await ends.of(answer.json.prompt_id!)).toBe('execution_success');
  });
});
