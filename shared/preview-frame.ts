import { z } from 'zod';
import { err, ok, type Result } from './result.js';

/**
 * Binary WebSocket frames: a 4-byte big-endian event type, then the payload.
 * Event 1: u32 BE image format (1 = JPEG, 2 = PNG) + image bytes.
 * Event 4: u32 BE metadata length + UTF-8 JSON metadata + image bytes.
 */
export const BinaryEvent = { PreviewImage: 1, Text: 3, PreviewImageWithMetadata: 4 } as const;
export const ImageFormat = { JPEG: 1, PNG: 2 } as const;

export type PreviewMimeType = 'image/jpeg' | 'image/png';

export const previewMetadataSchema = z.object({
  node_id: z.string(),
  prompt_id: z.string(),
  display_node_id: z.string(),
  parent_node_id: z.string().nullable(),
  real_node_id: z.string(),
  image_type: z.enum(['image/jpeg', 'image/png']),
});
export type PreviewMetadata = z.infer<typeof previewMetadataSchema>;

export type DecodedFrame =
  | { event: 1; mimeType: PreviewMimeType; image: Uint8Array }
  | { event: 3; nodeId: string; text: string }
  | { event: 4; metadata: PreviewMetadata; image: Uint8Array };

function header(size: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer) };
}

export function encodePreviewFrame(mimeType: PreviewMimeType, image: Uint8Array): Uint8Array {
  const { bytes, view } = header(8 + image.byteLength);
  view.setUint32(0, BinaryEvent.PreviewImage, false);
  view.setUint32(4, mimeType === 'image/png' ? ImageFormat.PNG : ImageFormat.JPEG, false);
  bytes.set(image, 8);
  return bytes;
}

export function encodePreviewFrameWithMetadata(metadata: PreviewMetadata, image: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(metadata));
  const { bytes, view } = header(8 + json.byteLength + image.byteLength);
  view.setUint32(0, BinaryEvent.PreviewImageWithMetadata, false);
  view.setUint32(4, json.byteLength, false);
  bytes.set(json, 8);
  bytes.set(image, 8 + json.byteLength);
  return bytes;
}

export function encodeTextFrame(nodeId: string, text: string): Uint8Array {
  const id = new TextEncoder().encode(nodeId);
  const body = new TextEncoder().encode(text);
  const { bytes, view } = header(8 + id.byteLength + body.byteLength);
  view.setUint32(0, BinaryEvent.Text, false);
  view.setUint32(4, id.byteLength, false);
  bytes.set(id, 8);
  bytes.set(body, 8 + id.byteLength);
  return bytes;
}

export function decodeFrame(frame: Uint8Array): Result<DecodedFrame> {
  if (frame.byteLength < 8) return err(`binary frame too short: ${frame.byteLength} bytes`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const event = view.getUint32(0, false);
  const word = view.getUint32(4, false);
  const decoder = new TextDecoder();
  if (event === BinaryEvent.PreviewImage) {
    if (word !== ImageFormat.JPEG && word !== ImageFormat.PNG) return err(`unknown preview image format ${word}`);
    return ok({ event: 1, mimeType: word === ImageFormat.PNG ? 'image/png' : 'image/jpeg', image: frame.subarray(8) });
  }
  if (event === BinaryEvent.Text) {
    if (8 + word > frame.byteLength) return err('text frame node id runs past the end');
    return ok({
      event: 3,
      nodeId: decoder.decode(frame.subarray(8, 8 + word)),
      text: decoder.decode(frame.subarray(8 + word)),
    });
  }
  if (event === BinaryEvent.PreviewImageWithMetadata) {
    if (8 + word > frame.byteLength) return err('preview metadata runs past the end of the frame');
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(frame.subarray(8, 8 + word)));
    } catch {
      return err('preview metadata is not JSON');
    }
    const metadata = previewMetadataSchema.safeParse(json);
    if (!metadata.success) return err(`preview metadata is malformed: ${metadata.error.issues[0]?.message ?? ''}`);
    return ok({ event: 4, metadata: metadata.data, image: frame.subarray(8 + word) });
  }
  return err(`unknown binary event ${event}`);
}
