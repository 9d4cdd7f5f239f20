import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { MAX_BUFFERED_BYTES, PREVIEW_SKIP_BUFFERED_BYTES, WsHub, type EncodedPreview } from '../../server/ws-hub.js';

/** Enough of a `ws` socket for the hub: open, recording what it is sent. */
class RecordingSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: (string | Uint8Array)[] = [];
  send(payload: string | Uint8Array): void {
    this.sent.push(payload);
  }
  terminate(): void {
    this.readyState = 3;
  }
}

function countingEncoder(): { encode: () => EncodedPreview; calls: () => number } {
  let calls = 0;
  return {
    encode: () => {
      calls += 1;
      return { mimeType: 'image/jpeg', bytes: Uint8Array.of(0xff, 0xd8, 0xff, 1, 2, 3) };
    },
    calls: () => calls,
  };
}

const target = { promptId: 'p', nodeId: '3' };

describe('WsHub.sendPreview', () => {
  it('encodes nothing when no client will receive the frame', () => {
    const hub = new WsHub({});
    const encoder = countingEncoder();
    hub.sendPreview(undefined, target, encoder.encode);
    hub.sendPreview('absent', target, encoder.encode);
    expect(encoder.calls()).toBe(0);
  });

  it('encodes once for all recipients, and sends the image in each client’s frame', () => {
    const hub = new WsHub({});
    const sockets = [new RecordingSocket(), new RecordingSocket()];
    sockets.forEach((socket, index) => hub.attach(socket as unknown as WebSocket, `c${index}`, () => []));
    const encoder = countingEncoder();
    hub.sendPreview(undefined, target, encoder.encode);
    expect(encoder.calls()).toBe(1);
    for (const socket of sockets) {
      const frame = socket.sent.at(-1) as Uint8Array;
      expect(Array.from(frame.subarray(frame.length - 6))).toEqual([0xff, 0xd8, 0xff, 1, 2, 3]);
    }
  });
});

describe('WsHub, a client’s first frame', () => {
  function firstFrame(text: string): (string | Uint8Array)[] {
    const hub = new WsHub({ supports_preview_metadata: true });
    const socket = new RecordingSocket();
    hub.attach(socket as unknown as WebSocket, 'c', () => []);
    socket.emit('message', Buffer.from(text), false);
    return socket.sent;
  }

  it('answers feature flags, and ignores flags nested deeper than a request body may be', () => {
    expect(firstFrame('{"type":"feature_flags","data":{"supports_preview_metadata":true}}')).toHaveLength(1);
    const deep = `{"type":"feature_flags","data":{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    expect(firstFrame(deep)).toEqual([]);
  });
});

describe('WsHub, a client that does not read', () => {
  class SlowSocket extends RecordingSocket {
    override send(payload: string | Uint8Array): void {
      super.send(payload);
      this.bufferedAmount += payload.length;
    }
  }

  it('a client that keeps up receives a frame larger than the limit', () => {
    const hub = new WsHub({});
    const socket = new SlowSocket();
    hub.attach(socket as unknown as WebSocket, 'big', () => []);
    hub.sendPreview(
      'big',
      target,
      () => ({ mimeType: 'image/png', bytes: new Uint8Array(MAX_BUFFERED_BYTES + 1) }),
      false,
    );
    expect(socket.sent).toHaveLength(1);
    expect(socket.readyState).toBe(1);
  });

  it('gets no step previews while it is megabytes behind, but still gets images a node sends as results', () => {
    const hub = new WsHub({});
    const socket = new SlowSocket();
    hub.attach(socket as unknown as WebSocket, 'slow', () => []);
    socket.bufferedAmount = PREVIEW_SKIP_BUFFERED_BYTES + 1;
    const encoder = countingEncoder();
    hub.sendPreview('slow', target, encoder.encode);
    hub.sendPreview(undefined, target, encoder.encode);
    expect(socket.sent).toHaveLength(0);
    hub.sendPreview('slow', target, encoder.encode, false);
    expect(socket.sent).toHaveLength(1);
    hub.sendTo('slow', { type: 'status', data: { status: { exec_info: { queue_remaining: 0 } } } });
    expect(socket.sent).toHaveLength(2);
  });

  it('is disconnected before it holds more than the limit in the server, and the others go on', () => {
    const lines: string[] = [];
    const hub = new WsHub({}, (line) => lines.push(line));
    const slow = new SlowSocket();
    const reader = new RecordingSocket();
    hub.attach(slow as unknown as WebSocket, 'slow', () => []);
    hub.attach(reader as unknown as WebSocket, 'reader', () => []);
    slow.bufferedAmount = MAX_BUFFERED_BYTES - 10;
    hub.broadcast({ type: 'status', data: { status: { exec_info: { queue_remaining: 1 } } } });
    expect(slow.sent).toHaveLength(1);
    hub.broadcast({ type: 'status', data: { status: { exec_info: { queue_remaining: 2 } } } });
    expect(slow.readyState).toBe(3);
    expect(slow.sent).toHaveLength(1);
    expect(reader.sent).toHaveLength(2);
    expect(lines[0]).toMatch(/fell \d+ bytes behind; disconnected/);
  });
});
