import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handled, hostileCorpus, prepareHostileInputs } from '../helpers/hostile-corpus.js';
import { getJson, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The red team's corpus against one live server (loopback, the embedded model, a 4 GiB budget so the memory cases
 * do not depend on this machine's RAM): every hostile request gets a JSON answer it expects, never a 500, a crash
 * or a hang, the server answers a plain request after each, and what it accepted runs to the end.
 */

const MODELS = resolve(import.meta.dirname, '..', '..', 'models');

describe('the red-team corpus', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ modelsDir: MODELS, maxMemoryBytes: 4 * 1024 ** 3 });
    prepareHostileInputs(server.dirs.inputDir);
  });
  afterAll(async () => server.stop());

  it('every hostile request is answered as expected and the server keeps answering', async () => {
    const problems: string[] = [];
    for (const hostile of hostileCorpus({ inputDir: server.dirs.inputDir, model: 'inkgraph-emoji' })) {
      try {
        const problem = handled(hostile, await hostile.send(server.url));
        if (problem) problems.push(problem);
      } catch (error) {
        problems.push(`${hostile.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const alive = await getJson(`${server.url}/queue`);
      if (alive.status !== 200) problems.push(`after ${hostile.name}: GET /queue answered ${alive.status}`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it('runs what it accepted to the end, and wrote nothing beside its folders', async () => {
    for (;;) {
      const queue = (await getJson(`${server.url}/queue`)).json as {
        queue_running: unknown[];
        queue_pending: unknown[];
      };
      if (queue.queue_running.length === 0 && queue.queue_pending.length === 0) break;
      await new Promise((resolveWait) => setImmediate(resolveWait));
    }
    const history = (await getJson(`${server.url}/history`)).json as Record<
      string,
      { status: { status_str: string; messages: [string, Record<string, unknown>][] } }
    >;
    const failed = Object.entries(history).filter(([, entry]) => entry.status.status_str !== 'success');
    expect(failed.map(([id, entry]) => `${id}: ${JSON.stringify(entry.status.messages.at(-1))}`)).toEqual([]);
    expect(Object.keys(history).length).toBeGreaterThan(0);
    // The traversal attempts named these; none may exist outside the input folder.
    for (const folder of [server.dirs.root, dirname(server.dirs.root)]) {
      expect(
        readdirSync(folder).filter((name) => ['evil.png', 'a.png', 'passwd', 'etc', 'deep.json'].includes(name)),
        folder,
      ).toEqual([]);
    }
    expect(readdirSync(join(server.dirs.inputDir))).toEqual(expect.arrayContaining(['evil.png', 'test.png']));
  }, 120_000);
});
