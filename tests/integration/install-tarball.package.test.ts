import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../media/decode-image.js';
import type { ApiPrompt } from '../../shared/workflow.js';
import { textToImage } from '../helpers/diffusion.js';
import { TestSocket } from '../helpers/server.js';

/**
 * The package as a user gets it: `npm pack` (its prepare script builds dist/ and the editor), the tarball installed
 * globally into an empty prefix from npm's cache, then the installed `inkgraph serve` answering with its embedded
 * model and editor. Slow: npm builds better-sqlite3 for the install (about a minute and a half here).
 */

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'inkgraph-tarball-'));
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolveExit) => server?.once('exit', resolveExit));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

/** The environment without the npm settings of a surrounding `npm run` and without the tests' source switch. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^npm_/i.test(key) && key !== 'INKGRAPH_FROM_SOURCE' && key !== 'INIT_CWD') env[key] = value;
  return env;
}

/** ComfyUI's default graph on the embedded model: SaveImage is node 9. */
function prompt(): ApiPrompt {
  return textToImage({ ckpt: 'inkgraph-emoji', seed: 7, steps: 8, cfg: 5, size: 64, prefix: 'tarball' });
}

async function startInstalled(bin: string, cwd: string): Promise<string> {
  const child = spawn(bin, ['serve', '--port', '0'], { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  let seen = '';
  return new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the installed server did not start in 60 s:\n${seen}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      const match = /serving on (http:\/\/[^\s]+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the installed server exited with ${code} before it listened:\n${seen}`));
    });
  });
}

describe('the npm tarball', () => {
  it('packs what runs and no more, installs globally into an empty folder, and serves its model and editor', async () => {
    const packed = await run('npm', ['pack', '--pack-destination', work, '--json'], {
      cwd: root,
      env: cleanEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    // The prepare script's build log comes first on stdout, coloured where the terminal allows (its escape codes
    // hold '['), so the JSON is found as the line that is only '['.
    const [pack] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[$/m))) as {
      filename: string;
      files: { path: string; size: number }[];
    }[];
    const paths = pack!.files.map((file) => file.path);
    for (const needed of [
      'bin/inkgraph.js',
      'dist/server/cli/main.js',
      'dist/server/worker/worker.js',
      'dist/server/media/media-worker.js',
      'client/dist/index.html',
      'models/diffusion/inkgraph-emoji/unet/model.onnx',
      'workflows/text-to-image.json',
    ])
      expect(paths).toContain(needed);
    // No sources, tests, training data or build helpers: only what an installed Inkgraph runs.
    const unexpected = paths.filter(
      (path) =>
        !/^(bin\/inkgraph\.js|dist\/|client\/dist\/|models\/|workflows\/|package\.json|README\.md|LICENSE)/.test(path),
    );
    expect(unexpected).toEqual([]);
    const tarball = join(work, pack!.filename);
    expect(statSync(tarball).size).toBeLessThan(30 * 1024 * 1024);

    const prefix = join(work, 'prefix');
    const empty = join(work, 'empty');
    mkdirSync(empty);
    // From npm's cache (CI's `npm ci` filled it); better-sqlite3 is the one dependency whose install script must run.
    // onnxruntime-node ships its CPU binaries; its script would fetch GPU ones (this repo's .npmrc skips it too).
    await run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--allow-scripts=better-sqlite3',
        '--onnxruntime-node-install=skip',
        tarball,
      ],
      { cwd: empty, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 },
    );

    const url = await startInstalled(join(prefix, 'bin', 'inkgraph'), empty);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stats = (await (await fetch(`${url}/system_stats`)).json()) as { system: { os: string } };
    expect(typeof stats.system.os).toBe('string');
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toMatch(/<div id="root">/);

    const socket = await TestSocket.open(url, 'tarball');
    const queued = await fetch(`${url}/prompt`, {
      method: 'POST',
      body: JSON.stringify({ prompt: prompt(), client_id: 'tarball' }),
    });
    expect(queued.status).toBe(200);
    const { prompt_id: promptId } = (await queued.json()) as { prompt_id: string };
    const messages = await socket.waitForEnd(promptId);
    socket.close();
    expect(messages.some((m) => m.type === 'execution_success')).toBe(true);
    type Entry = { status: { status_str: string }; outputs: Record<string, { images?: { filename: string }[] }> };
    const history = (await (await fetch(`${url}/history/${promptId}`)).json()) as Record<string, Entry>;
    const entry = history[promptId];
    expect(entry?.status.status_str).toBe('success');
    const image = entry!.outputs['9']!.images![0]!;
    const view = await fetch(`${url}/view?filename=${encodeURIComponent(image.filename)}&type=output`);
    expect(view.status).toBe(200);
    const decoded = decodeImage(new Uint8Array(await view.arrayBuffer()));
    expect(decoded.ok && [decoded.value.raster.width, decoded.value.raster.height]).toEqual([64, 64]);
  }, 600_000);
});
