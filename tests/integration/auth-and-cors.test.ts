import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestSocket, type TestServer } from '../helpers/server.js';

describe('--auth-token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ authToken: 's3cret-token' });
  });
  afterAll(async () => server.stop());

  it('requires the token on every route, as a Bearer header or ?token=', async () => {
    for (const path of [
      '/prompt',
      '/api/queue',
      '/object_info',
      '/view?filename=test.png&type=input',
      '/',
      '/api/workflows',
    ]) {
      const refused = await fetch(`${server.url}${path}`);
      expect(refused.status, path).toBe(401);
      expect(await refused.json()).toHaveProperty('error.type', 'unauthorized');
    }
    expect((await fetch(`${server.url}/prompt`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/prompt`, { headers: { Authorization: 'Bearer s3cret-token' } })).status).toBe(
      200,
    );
    expect((await fetch(`${server.url}/prompt?token=s3cret-token`)).status).toBe(200);
  });

  it('requires it on the WebSocket too', async () => {
    await expect(TestSocket.open(server.url, 'nobody')).rejects.toThrow(/401/);
    const socket = await TestSocket.open(server.url, 'bearer', { headers: { Authorization: 'Bearer s3cret-token' } });
    socket.close();
    const query = await TestSocket.open(server.url, 'query', { query: '&token=s3cret-token' });
    query.close();
  });
});

describe('--enable-cors-header', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ corsOrigin: 'https://app.example' });
  });
  afterAll(async () => server.stop());

  it('answers preflights and allows the configured origin', async () => {
    const preflight = await fetch(`${server.url}/prompt`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const cross = await fetch(`${server.url}/prompt`, { headers: { Origin: 'https://app.example' } });
    expect(cross.status).toBe(200);
  });

  it('without the flag, a WebSocket from another origin is refused', async () => {
    const strict = await startTestServer();
    await expect(TestSocket.open(strict.url, 'x', { headers: { Origin: 'http://evil.example' } })).rejects.toThrow(
      /403/,
    );
    await strict.stop();
  });
});
