import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/app.js';
import { makeTestEnv } from '../helpers/env.js';
import { rawRequest, websocketUpgradeHeaders } from '../helpers/raw-http.js';
import { startTestServer, testPng, type TestServer } from '../helpers/server.js';

const prompt = {
  prompt: {
    1: { class_type: 'LoadImage', inputs: { image: 'test.png' } },
    2: { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
  },
};

describe('Host and Origin on a loopback server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ allowedHosts: ['proxy.example'] });
  });
  afterAll(async () => server.stop());

  it('refuses DNS-rebinding Hosts on every route and the WebSocket, whatever the Origin', async () => {
    const port = server.port;
    const hostile: Record<string, string>[] = [
      { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` },
      { Host: `evil.example:${port}` },
      { Host: `0.0.0.0:${port}` },
      { Host: `localhost.:${port}` },
      { Host: `127.0.0.1:${port + 1}` },
    ];
    for (const headers of hostile) {
      const queue = await rawRequest(`${server.url}/queue`, { headers });
      expect(queue.status, JSON.stringify(headers)).toBe(403);
      expect(JSON.parse(queue.body)).toHaveProperty('error.type', 'forbidden_host');
      const queued = await rawRequest(`${server.url}/prompt`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(prompt),
      });
      expect(queued.status, JSON.stringify(headers)).toBe(403);
      const upgrade = await rawRequest(`${server.url}/ws?clientId=x`, {
        headers: { ...headers, ...websocketUpgradeHeaders() },
      });
      expect(upgrade.status, JSON.stringify(headers)).toBe(403);
    }
    expect((await getJsonQueue(server)).queue_pending).toHaveLength(0);
  });

  it('answers its own loopback names, and a reverse proxy named in --allowed-hosts', async () => {
    for (const Host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'proxy.example', 'proxy.example:443']) {
      expect((await rawRequest(`${server.url}/queue`, { headers: { Host } })).status, Host).toBe(200);
      expect(
        (await rawRequest(`${server.url}/ws?clientId=x`, { headers: { Host, ...websocketUpgradeHeaders() } })).status,
        Host,
      ).toBe(101);
    }
    // A proxy that rewrites Host to the upstream: the browser's Origin names the proxy.
    const proxied = await rawRequest(`${server.url}/queue`, {
      headers: { Host: `127.0.0.1:${server.port}`, Origin: 'https://proxy.example' },
    });
    expect(proxied.status).toBe(200);
    const crossSite = await rawRequest(`${server.url}/queue`, {
      headers: { Host: `127.0.0.1:${server.port}`, Origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.body)).toHaveProperty('error.type', 'forbidden_origin');
  });
});

async function getJsonQueue(server: TestServer): Promise<{ queue_pending: unknown[] }> {
  return (await (await fetch(`${server.url}/queue`)).json()) as { queue_pending: unknown[] };
}

describe('binding beyond loopback', () => {
  it('needs a token or --allow-unauthenticated-network', async () => {
    const dirs = makeTestEnv('inkgraph-bind-');
    const base = {
      port: 0,
      dataDir: join(dirs.root, 'data'),
      inputDir: dirs.inputDir,
      outputDir: dirs.outputDir,
      modelsDir: dirs.modelsDir,
      clientDir: join(dirs.root, 'none'),
      log: () => {},
    };
    try {
      await expect(startServer({ ...base, host: '0.0.0.0', authToken: undefined })).rejects.toThrow(
        /--auth-token.*--allow-unauthenticated-network/,
      );
      const tokened = await startServer({ ...base, host: '0.0.0.0', authToken: 'secret' });
      // Bound to the network, another Host is fine: the token is what guards it.
      const answer = await rawRequest(`http://127.0.0.1:${tokened.port}/queue`, {
        headers: { Host: `art.lan:${tokened.port}`, Authorization: 'Bearer secret' },
      });
      expect(answer.status).toBe(200);
      await tokened.close();
      const open = await startServer({
        ...base,
        host: '0.0.0.0',
        authToken: undefined,
        allowUnauthenticatedNetwork: true,
      });
      expect((await fetch(`http://127.0.0.1:${open.port}/queue`)).status).toBe(200);
      await open.close();
    } finally {
      dirs.cleanup();
    }
  });
});

describe('secrets', () => {
  it('/system_stats never shows the auth token of the command line', async () => {
    const saved = process.argv;
    process.argv = [...saved, '--auth-token', 'tok-in-argv', '--auth-token=tok-in-argv-2'];
    const server = await startTestServer({ authToken: 'tok-in-argv' });
    try {
      const stats = await rawRequest(`${server.url}/system_stats`, {
        headers: { Authorization: 'Bearer tok-in-argv' },
      });
      expect(stats.status).toBe(200);
      expect(stats.body).not.toContain('tok-in-argv');
      expect((JSON.parse(stats.body) as { system: { argv: string[] } }).system.argv).toContain('<redacted>');
    } finally {
      process.argv = saved;
      await server.stop();
    }
  });
});

describe('temp folders', () => {
  it('two servers with their own data folders keep their own PreviewImage files', async () => {
    const dirs = makeTestEnv('inkgraph-two-temp-');
    writeFileSync(join(dirs.inputDir, 'test.png'), testPng(8, 8));
    const start = (name: string) =>
      startServer({
        host: '127.0.0.1',
        port: 0,
        dataDir: join(dirs.root, name),
        inputDir: dirs.inputDir,
        outputDir: dirs.outputDir,
        modelsDir: dirs.modelsDir,
        clientDir: join(dirs.root, 'none'),
        log: () => {},
      });
    const first = await start('data-a');
    try {
      const response = await fetch(`${first.url}/prompt`, { method: 'POST', body: JSON.stringify(prompt) });
      const { prompt_id: promptId } = (await response.json()) as { prompt_id: string };
      let image: { filename: string; subfolder: string; type: string } | undefined;
      while (!image) {
        const history = (await (await fetch(`${first.url}/history/${promptId}`)).json()) as Record<
          string,
          { outputs: Record<string, { images?: { filename: string; subfolder: string; type: string }[] }> }
        >;
        image = history[promptId]?.outputs['2']?.images?.[0];
        if (!image) await new Promise((resolve) => setImmediate(resolve));
      }
      const view = `${first.url}/view?filename=${encodeURIComponent(image.filename)}&subfolder=${encodeURIComponent(image.subfolder)}&type=${image.type}`;
      expect((await fetch(view)).status).toBe(200);
      expect(first.context.env.tempDir).toBe(join(dirs.root, 'data-a', 'temp'));
      // The second server empties its own temp folder at start, not the first one's.
      const second = await start('data-b');
      expect(second.context.env.tempDir).not.toBe(first.context.env.tempDir);
      await second.close();
      expect(existsSync(join(first.context.env.tempDir, image.subfolder, image.filename))).toBe(true);
      expect((await fetch(view)).status).toBe(200);
    } finally {
      await first.close();
      dirs.cleanup();
    }
  });
});
