import { randomUUID } from 'node:crypto';
import type { RawData, WebSocket } from 'ws';
import { findTooDeep } from '../shared/json-depth.js';
import { encodePreviewFrame, encodePreviewFrameWithMetadata, type PreviewMimeType } from '../shared/preview-frame.js';
import { clientFeatureFlagsMessageSchema, type WsMessage } from '../shared/protocol.js';

interface Client {
  readonly socket: WebSocket;
  flags: Record<string, unknown>;
}

export interface PreviewTarget {
  readonly promptId: string;
  readonly nodeId: string;
}

/** A preview image as its frame carries it. */
export interface EncodedPreview {
  readonly mimeType: PreviewMimeType;
  readonly bytes: Uint8Array;
}

/**
 * What a client may have waiting to be sent before the hub stops feeding it: step previews are skipped past the
 * first limit (they are replaced by the next step's anyway), and past the second the client is disconnected (a
 * client that never reads would otherwise hold every message of every run in the server's memory). It may reconnect
 * and catch up: the queue, history and images are all on the server.
 */
export const PREVIEW_SKIP_BUFFERED_BYTES = 2 * 1024 * 1024;
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** A text frame's UTF-8 (ws hands it over as one Buffer, a list of them, or an ArrayBuffer). */
function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * The WebSocket clients by clientId. A reconnect with the same id replaces the old socket; a closing socket
 * removes its entry only if the entry is still its own (ComfyUI's race, avoided).
 */
export class WsHub {
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly serverFlags: Record<string, unknown>,
    private readonly log: (line: string) => void = () => {},
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Registers a socket; returns its client id. `greet` sends the first messages. */
  attach(socket: WebSocket, requestedId: string | null, greet: (clientId: string) => WsMessage[]): string {
    const clientId =
      requestedId && requestedId.length > 0 && requestedId.length <= 200
        ? requestedId
        : randomUUID().replaceAll('-', '');
    const client: Client = { socket, flags: {} };
    this.clients.set(clientId, client);
    let firstFrame = true;
    socket.on('message', (data, isBinary) => {
      if (!firstFrame || isBinary) return;
      firstFrame = false;
      try {
        const json: unknown = JSON.parse(frameText(data));
        // Flags live as long as the connection: nested deeper than a request body may be, they are ignored like non-JSON.
        if (findTooDeep(json) !== undefined) return;
        const parsed = clientFeatureFlagsMessageSchema.safeParse(json);
        if (parsed.success) {
          client.flags = parsed.data.data;
          this.sendTo(clientId, { type: 'feature_flags', data: this.serverFlags });
        }
      } catch {
        // Not JSON: ignored, as ComfyUI ignores every frame but a first feature_flags.
      }
    });
    socket.on('close', () => {
      if (this.clients.get(clientId) === client) this.clients.delete(clientId);
    });
    socket.on('error', () => socket.terminate());
    for (const message of greet(clientId)) this.sendTo(clientId, message);
    return clientId;
  }

  private sendRaw(client: Client, payload: string | Uint8Array): void {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return;
    // What is already queued counts, not this message: a large image a node sends still reaches a client that keeps up.
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log(`a WebSocket client fell ${socket.bufferedAmount} bytes behind; disconnected (it may reconnect)`);
      socket.terminate();
      return;
    }
    socket.send(payload);
  }

  /** A step preview is not worth queueing behind megabytes the client has not read yet. */
  private wantsPreview(client: Client, droppable: boolean): boolean {
    return !droppable || client.socket.bufferedAmount <= PREVIEW_SKIP_BUFFERED_BYTES;
  }

  sendTo(clientId: string, message: WsMessage): void {
    const client = this.clients.get(clientId);
    if (client) this.sendRaw(client, JSON.stringify(message));
  }

  broadcast(message: WsMessage): void {
    const text = JSON.stringify(message);
    for (const client of this.clients.values()) this.sendRaw(client, text);
  }

  /** To one client, or (ComfyUI's rule for progress and previews) to everyone when the prompt has none. */
  sendToOrBroadcast(clientId: string | undefined, message: WsMessage): void {
    if (clientId === undefined) this.broadcast(message);
    else this.sendTo(clientId, message);
  }

  /**
   * A preview as event 4 to clients that asked for metadata, event 1 to the rest. `encode` runs once, and only when
   * some client will receive the frame: with nobody listening, no step pays for an image encoding. A `droppable`
   * frame (a step preview, not an image a node sends as its result) is skipped for a client far behind.
   */
  sendPreview(
    clientId: string | undefined,
    target: PreviewTarget,
    encode: () => EncodedPreview,
    droppable = true,
  ): void {
    let encoded: EncodedPreview | undefined;
    let plain: Uint8Array | undefined;
    let withMetadata: Uint8Array | undefined;
    const frameFor = (client: Client): Uint8Array => {
      const { mimeType, bytes } = (encoded ??= encode());
      if (client.flags.supports_preview_metadata === true) {
        withMetadata ??= encodePreviewFrameWithMetadata(
          {
            node_id: target.nodeId,
            prompt_id: target.promptId,
            display_node_id: target.nodeId,
            parent_node_id: null,
            real_node_id: target.nodeId,
            image_type: mimeType,
          },
          bytes,
        );
        return withMetadata;
      }
      plain ??= encodePreviewFrame(mimeType, bytes);
      return plain;
    };
    if (clientId === undefined) {
      for (const client of this.clients.values())
        if (this.wantsPreview(client, droppable)) this.sendRaw(client, frameFor(client));
      return;
    }
    const client = this.clients.get(clientId);
    if (client && this.wantsPreview(client, droppable)) this.sendRaw(client, frameFor(client));
  }

  closeAll(): void {
    for (const client of this.clients.values()) client.socket.terminate();
    this.clients.clear();
  }
}
