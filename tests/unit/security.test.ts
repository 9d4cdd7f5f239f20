import { describe, expect, it } from 'vitest';
import {
  checkHost,
  checkOrigin,
  isLoopbackBind,
  parseHost,
  redactArgv,
  tokensEqual,
  type HostPolicy,
} from '../../server/security.js';

const loopback = (port = 8188, allowedHosts: string[] = []): HostPolicy => ({
  loopbackOnly: true,
  port: () => port,
  allowedHosts,
});

describe('Host check (DNS rebinding)', () => {
  it("lets through this server's loopback names and port", () => {
    for (const host of ['127.0.0.1:8188', 'localhost:8188', 'LOCALHOST:8188', '[::1]:8188', '127.1.2.3:8188'])
      expect(checkHost(host, loopback()), host).toBeUndefined();
    expect(checkHost('localhost', loopback(80))).toBeUndefined();
  });

  it('refuses other names, spellings and ports whatever the Origin', () => {
    for (const host of [
      'evil.example:8188',
      '0.0.0.0:8188',
      'localhost.:8188',
      '127.0.0.1:9999',
      'localhost',
      '[::ffff:7f00:1]:8188',
      '127.0.0.1.nip.io:8188',
      'a b',
      '',
    ]) {
      const reason = checkHost(host, loopback());
      expect(reason, host).toBeDefined();
    }
    expect(checkHost(undefined, loopback())).toContain('no Host');
    expect(checkHost('evil.example:8188', loopback())).toContain('--allowed-hosts');
  });

  it('takes --allowed-hosts with or without a port', () => {
    expect(checkHost('inkgraph.example:443', loopback(8188, ['inkgraph.example']))).toBeUndefined();
    expect(checkHost('inkgraph.example', loopback(8188, ['inkgraph.example']))).toBeUndefined();
    expect(checkHost('inkgraph.example:8443', loopback(8188, ['inkgraph.example:443']))).toBeDefined();
    expect(checkHost('inkgraph.example:443', loopback(8188, ['INKGRAPH.example:443']))).toBeUndefined();
  });

  it('on the network, restricts the Host only when --allowed-hosts is given', () => {
    expect(checkHost('anything:1', { loopbackOnly: false, port: () => 8188, allowedHosts: [] })).toBeUndefined();
    expect(checkHost('anything:1', { loopbackOnly: false, port: () => 8188, allowedHosts: ['art.lan'] })).toBeDefined();
    expect(
      checkHost('art.lan:8188', { loopbackOnly: false, port: () => 8188, allowedHosts: ['art.lan'] }),
    ).toBeUndefined();
  });

  it('parses hosts strictly', () => {
    expect(parseHost('[::1]:8188')).toEqual({ name: '[::1]', port: 8188 });
    expect(parseHost('Example.COM')).toEqual({ name: 'example.com', port: undefined });
    expect(parseHost('host:99999')).toBeUndefined();
    expect(parseHost('a:b:c')).toBeUndefined();
  });

  it('knows loopback binds', () => {
    expect(isLoopbackBind('127.0.0.1')).toBe(true);
    expect(isLoopbackBind('::1')).toBe(true);
    expect(isLoopbackBind('localhost')).toBe(true);
    expect(isLoopbackBind('0.0.0.0')).toBe(false);
    expect(isLoopbackBind('::')).toBe(false);
    expect(isLoopbackBind('192.168.1.4')).toBe(false);
  });
});

describe('Origin check', () => {
  it('allows same-origin and no Origin, refuses others and null', () => {
    expect(checkOrigin({ host: '127.0.0.1:8188', origin: 'http://127.0.0.1:8188' })).toBeUndefined();
    expect(checkOrigin({ host: '127.0.0.1:8188' })).toBeUndefined();
    expect(checkOrigin({ host: '127.0.0.1:8188', origin: 'http://evil.example' })).toContain('evil.example');
    expect(checkOrigin({ host: '127.0.0.1:8188', origin: 'null' })).toContain('not a URL');
    expect(checkOrigin({ host: '10.0.0.2:8188', origin: 'http://evil.example:8188' })).toBeDefined();
  });

  it('allows an origin named in --allowed-hosts (a reverse proxy that rewrites Host)', () => {
    expect(
      checkOrigin({ host: '127.0.0.1:8188', origin: 'https://inkgraph.example' }, ['inkgraph.example']),
    ).toBeUndefined();
  });
});

describe('secrets', () => {
  it('redacts --auth-token in both spellings', () => {
    expect(redactArgv(['node', 'inkgraph.js', 'serve', '--auth-token', 'hunter2', '--port', '1'])).toEqual([
      'node',
      'inkgraph.js',
      'serve',
      '--auth-token',
      '<redacted>',
      '--port',
      '1',
    ]);
    expect(redactArgv(['serve', '--auth-token=hunter2'])).toEqual(['serve', '--auth-token=<redacted>']);
    expect(redactArgv(['serve', '--auth-token'])).toEqual(['serve', '--auth-token']);
  });

  it('compares tokens of any length without throwing', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('a', 'a much longer token')).toBe(false);
    expect(tokensEqual('', 'x')).toBe(false);
  });
});
