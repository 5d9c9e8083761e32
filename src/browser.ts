// The browser entry point (`exports` conditions "browser" and "default"): `WebSocket` connects
// through the native WebSocket. Nothing here imports `ws` or any `node:` module.

import { type LifecycleSource, pageLifecycle } from './lifecycle.js';
import type { NetworkLab } from './network/lab.js';
import { ReconnectingWebSocket as CoreReconnectingWebSocket, type SocketClass } from './reconnecting.js';
import type { TransportFactory } from './transport.js';
import { createBrowserTransport } from './transports/browser.js';
import { WebSocket as CoreWebSocket, type WebSocketOptions } from './websocket.js';

export * from './index.js';

/**
 * Options of a socket in a browser: those of every platform (browsers set no headers). The
 * `network` option takes a lab from `networkLab()`, so the lab is bundled only where imported.
 */
export interface BrowserWebSocketOptions extends WebSocketOptions {
  network?: NetworkLab;
}
export { createWorkerTransport } from './transports/worker.js';
export { createBrowserTransport };

/**
 * A WebSocket client whose handlers run inside `update()`; in browsers it wraps the native
 * WebSocket.
 *
 * @example
 * ```ts
 * import { WebSocket } from 'ticksocket';
 * const socket = new WebSocket('wss://game.example/room');
 * socket.on('binary', (s, data) => applySnapshot(data, s.eventTime)).open();
 * requestAnimationFrame(function frame() { socket.update(); render(); requestAnimationFrame(frame); });
 * ```
 */
export class WebSocket extends CoreWebSocket<BrowserWebSocketOptions> {
  static override defaultTransport: TransportFactory<never> | undefined = createBrowserTransport;
  static override lifecycle: (() => LifecycleSource | undefined) | undefined = pageLifecycle;
}

/**
 * A {@link WebSocket} that reconnects by itself (see the core `ReconnectingWebSocket`).
 *
 * @example
 * ```ts
 * const socket = new ReconnectingWebSocket(url, { reconnect: { sendPolicy: 'queue' } }).open();
 * ```
 */
export class ReconnectingWebSocket extends CoreReconnectingWebSocket<BrowserWebSocketOptions> {
  static override socketClass: SocketClass | undefined = WebSocket;
}
