import { decodeFrame } from '../../../shared/preview-frame.js';
import { wsMessageSchema, type WsMessage } from '../../../shared/protocol.js';
import { authToken } from './server-api.js';

export interface PreviewEvent {
  readonly nodeId: string | undefined;
  readonly promptId: string | undefined;
  readonly blob: Blob;
}

export interface SocketHandlers {
  readonly onMessages: (messages: WsMessage[]) => void;
  readonly onPreview: (preview: PreviewEvent) => void;
  readonly onConnection: (connected: boolean) => void;
}

/**
 * The editor's WebSocket: asks for event-4 previews (with their node), and batches messages so a fast run
 * updates the page at most once per animation frame. Reconnects with the same client id.
 */
export function connectSocket(clientId: string, handlers: SocketHandlers): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let pending: WsMessage[] = [];
  let frame: number | undefined;
  let lastPreview: PreviewEvent | undefined;
  let retry = 500;

  const flush = (): void => {
    frame = undefined;
    // The frame's preview first: a node's last step preview comes before the `executed` images that replace it.
    if (lastPreview) {
      handlers.onPreview(lastPreview);
      lastPreview = undefined;
    }
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      handlers.onMessages(batch);
    }
  };
  const schedule = (): void => {
    frame ??= requestAnimationFrame(flush);
  };

  const open = (): void => {
    const token = authToken();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?clientId=${encodeURIComponent(clientId)}${token ? `&token=${encodeURIComponent(token)}` : ''}`;
    socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      retry = 500;
      socket?.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      handlers.onConnection(true);
    };
    socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
      if (typeof event.data === 'string') {
        const parsed = wsMessageSchema.safeParse(JSON.parse(event.data));
        if (parsed.success) pending.push(parsed.data);
      } else {
        const decoded = decodeFrame(new Uint8Array(event.data));
        if (!decoded.ok) return;
        const frameValue = decoded.value;
        if (frameValue.event === 4)
          lastPreview = {
            nodeId: frameValue.metadata.node_id,
            promptId: frameValue.metadata.prompt_id,
            blob: new Blob([frameValue.image.slice()], { type: frameValue.metadata.image_type }),
          };
        else if (frameValue.event === 1)
          lastPreview = {
            nodeId: undefined,
            promptId: undefined,
            blob: new Blob([frameValue.image.slice()], { type: frameValue.mimeType }),
          };
      }
      schedule();
    };
    socket.onclose = () => {
      handlers.onConnection(false);
      if (!closed) {
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 5000);
      }
    };
  };
  open();
  return () => {
    closed = true;
    socket?.close();
  };
}
