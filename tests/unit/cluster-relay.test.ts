import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reachRedis } from '../../server/cluster/redis-connection.js';
import { freeFileName, RelayedFiles } from '../../server/cluster/relayed-files.js';
import { readRelayFields, relayFields, type RelayEntry } from '../../server/cluster/run-relay.js';
import { parseWorkerAdvert } from '../../server/cluster/worker-advert.js';
import { makeTestEnv } from '../helpers/env.js';

const env = makeTestEnv('inkgraph-relay-');
afterAll(() => env.cleanup());

/** As ioredis's xreadBuffer hands an entry's fields back: every name and value as a Buffer. */
function asRead(fields: (string | Buffer)[]): Buffer[] {
  return fields.map((field) => (typeof field === 'string' ? Buffer.from(field) : field));
}

describe('the run relay', () => {
  it('carries every entry kind through a stream entry, with its bytes beside the JSON', () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0, 1, 2]);
    const entries: RelayEntry[] = [
      { type: 'dispatched', group: 'abc', at: 1 },
      { type: 'started', attempt: 2, worker: 'w1', engine: 1, at: 2 },
      { type: 'cached', attempt: 2, nodes: ['1'] },
      { type: 'node_start', attempt: 2, node: '3' },
      {
        type: 'progress',
        attempt: 2,
        node: '3',
        value: 1,
        max: 5,
        reportedAt: 3,
        preview: { mimeType: 'image/jpeg', droppable: true },
      },
      { type: 'file', attempt: 2, folder: 'output', subfolder: '', filename: 'a_00001_.png' },
      {
        type: 'node_done',
        attempt: 2,
        node: '9',
        ui: { images: [{ filename: 'a_00001_.png', subfolder: '', type: 'output' }] },
        fromCache: false,
        ms: 4,
      },
      {
        type: 'finished',
        attempt: 2,
        result: {
          status: 'error',
          outputs: {},
          executed: ['3'],
          timing: { nodeRunMs: 1, sessionRunMs: 0, sessionRuns: 0, totalMs: 2, nodesRun: 1 },
          failure: {
            node: '3',
            nodeType: 'KSampler',
            message: 'boom',
            exceptionType: 'Error',
            traceback: [],
            currentInputs: { seed: [1] },
          },
        },
      },
    ];
    for (const entry of entries) {
      const withBytes = entry.type === 'progress' || entry.type === 'file';
      const read = readRelayFields(asRead(relayFields(entry, withBytes ? bytes : undefined)));
      expect(read.ok).toBe(true);
      if (!read.ok) continue;
      expect(read.value.entry).toEqual(entry);
      expect(read.value.bytes ? [...read.value.bytes] : undefined).toEqual(withBytes ? [...bytes] : undefined);
    }
  });

  it('says what is wrong with an entry it cannot read', () => {
    const noJson = readRelayFields(asRead(['b', Buffer.from([1])]));
    expect(!noJson.ok && noJson.reason).toBe('a relay entry without its JSON field');
    const badJson = readRelayFields(asRead(['e', '{']));
    expect(!badJson.ok && badJson.reason).toBe('a relay entry whose JSON does not parse');
    const unknown = readRelayFields(asRead(['e', JSON.stringify({ type: 'teleport', attempt: 1 })]));
    expect(!unknown.ok && unknown.reason).toMatch(/^a relay entry of unknown shape/);
    expect(parseWorkerAdvert('{"id": 3}')).toBeUndefined();
    expect(parseWorkerAdvert('not json')).toBeUndefined();
    expect(parseWorkerAdvert(null)).toBeUndefined();
  });
});

describe("workers' images on the coordinator", () => {
  it('takes the next free name on a clash, continuing SaveImage counters', () => {
    const dir = join(env.root, 'names');
    mkdirSync(dir);
    writeFileSync(join(dir, 'img_00001_.png'), 'a');
    writeFileSync(join(dir, 'img_00002_.png'), 'b');
    writeFileSync(join(dir, 'photo.png'), 'c');
    expect(freeFileName(dir, 'img_00001_.png')).toBe('img_00003_.png');
    expect(freeFileName(dir, 'new_00001_.png')).toBe('new_00001_.png');
    expect(freeFileName(dir, 'photo.png')).toBe('photo-2.png');
  });

  it('places files, renames clashes, rewrites UI outputs per worker, and refuses names that leave the folder', () => {
    const files = new RelayedFiles({ output: env.outputDir, temp: env.tempDir });
    const ref = { type: 'output' as const, subfolder: '', filename: 'x_00001_.png' };
    const first = files.write('w1', ref, Buffer.from('one'));
    const second = files.write('w2', ref, Buffer.from('two'));
    expect(first.ok && first.value.filename).toBe('x_00001_.png');
    expect(second.ok && second.value.filename).toBe('x_00002_.png');
    expect(readFileSync(join(env.outputDir, 'x_00002_.png'), 'utf8')).toBe('two');
    // The same file again (a cached output node re-shown) keeps its place and is not copied twice.
    const again = files.write('w2', ref, Buffer.from('two'));
    expect(again.ok && again.value.filename).toBe('x_00002_.png');
    expect(existsSync(join(env.outputDir, 'x_00003_.png'))).toBe(false);
    expect(files.rewrite('w2', { images: [ref] })).toEqual({ images: [{ ...ref, filename: 'x_00002_.png' }] });
    expect(files.rewrite('w1', { images: [ref] })).toEqual({ images: [ref] });
    const escape = files.write('w1', { type: 'output', subfolder: '../..', filename: 'evil.png' }, Buffer.from('x'));
    expect(escape.ok).toBe(false);
    const badName = files.write('w1', { type: 'temp', subfolder: '', filename: 'a/b.png' }, Buffer.from('x'));
    expect(badName.ok).toBe(false);
  });
});

describe('reaching Redis at start', () => {
  it('gives up with the address but not the password when Redis does not answer in time', async () => {
    const never = new Promise<never>(() => {});
    await expect(reachRedis(never, 'redis://:secret@10.0.0.5:6379', 20)).rejects.toThrow(
      'could not reach Redis at redis://:***@10.0.0.5:6379 in 0.02 s',
    );
    await expect(reachRedis(Promise.resolve('PONG'), 'redis://h:1', 20)).resolves.toBe('PONG');
  });
});
