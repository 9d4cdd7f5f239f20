import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodePreviewFrame,
  encodePreviewFrameWithMetadata,
  encodeTextFrame,
} from '../../shared/preview-frame.js';

const image = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);

describe('binary preview frames', () => {
  it('writes event 1 with an 8-byte big-endian header', () => {
    const frame = encodePreviewFrame('image/jpeg', image);
    expect([...frame.subarray(0, 8)]).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    expect([...frame.subarray(8)]).toEqual([...image]);
    const png = encodePreviewFrame('image/png', image);
    expect([...png.subarray(4, 8)]).toEqual([0, 0, 0, 2]);
  });

  it('round-trips event 1', () => {
    const decoded = decodeFrame(encodePreviewFrame('image/png', image));
    expect(decoded).toEqual({ ok: true, value: { event: 1, mimeType: 'image/png', image } });
  });

  it('writes event 4 with its metadata length and JSON', () => {
    const metadata = {
      node_id: '3',
      prompt_id: 'p',
      display_node_id: '3',
      parent_node_id: null,
      real_node_id: '3',
      image_type: 'image/jpeg' as const,
    };
    const frame = encodePreviewFrameWithMetadata(metadata, image);
    const view = new DataView(frame.buffer);
    expect(view.getUint32(0)).toBe(4);
    const length = view.getUint32(4);
    expect(JSON.parse(new TextDecoder().decode(frame.subarray(8, 8 + length)))).toEqual(metadata);
    const decoded = decodeFrame(frame);
    expect(decoded.ok && decoded.value).toEqual({ event: 4, metadata, image });
  });

  it('round-trips event 3 text', () => {
    const decoded = decodeFrame(encodeTextFrame('12', 'héllo 世界'));
    expect(decoded.ok && decoded.value).toEqual({ event: 3, nodeId: '12', text: 'héllo 世界' });
  });

  it('refuses short, unknown and malformed frames with reasons', () => {
    expect(decodeFrame(new Uint8Array(3))).toEqual({ ok: false, reason: 'binary frame too short: 3 bytes' });
    expect(decodeFrame(Uint8Array.from([0, 0, 0, 9, 0, 0, 0, 1])).ok).toBe(false);
    expect(decodeFrame(Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 7])).ok).toBe(false);
    expect(decodeFrame(Uint8Array.from([0, 0, 0, 4, 0, 0, 1, 0, 1])).ok).toBe(false);
    const notJson = Uint8Array.from([0, 0, 0, 4, 0, 0, 0, 2, 0x7b, 0x7b]);
    expect(decodeFrame(notJson)).toEqual({ ok: false, reason: 'preview metadata is not JSON' });
  });
});
