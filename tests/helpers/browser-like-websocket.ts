import WebSocket from 'ws';

type Listener = Parameters<WebSocket['addEventListener']>[1];

/**
 * `ws` fires every message of one socket read synchronously, one after the other. A browser queues one task per
 * message instead, so a client's `await blob.arrayBuffer()` for a preview finishes before the next message is
 * handled. Clients written for browsers (@stable-canvas/comfyui-client) rely on that; this subclass gives Node the
 * browser's scheduling for 'message' listeners, and changes nothing else.
 */
export class BrowserLikeWebSocket extends WebSocket {
  private readonly deferred = new Map<Listener, Listener>();

  override addEventListener(
    type: Parameters<WebSocket['addEventListener']>[0],
    listener: Listener,
    options?: Parameters<WebSocket['addEventListener']>[2],
  ): void {
    if (type !== 'message') {
      super.addEventListener(type, listener, options);
      return;
    }
    const inOwnTask = ((event: WebSocket.MessageEvent) => {
      setImmediate(() => (listener as (event: WebSocket.MessageEvent) => void).call(this, event));
    }) as Listener;
    this.deferred.set(listener, inOwnTask);
    super.addEventListener(type, inOwnTask, options);
  }

  override removeEventListener(type: Parameters<WebSocket['removeEventListener']>[0], listener: Listener): void {
    const inOwnTask = type === 'message' ? this.deferred.get(listener) : undefined;
    if (inOwnTask) this.deferred.delete(listener);
    super.removeEventListener(type, inOwnTask ?? listener);
  }
}
