// The Bun entry point (`exports` condition "bun"): `WebSocket` connects through Bun's native
// WebSocket. Bun's `ws` is a compatibility layer without the parts of `ws` the Node transport
// reads (its socket and parser), so the Node entry would not work here.

import { networkLab } from './network/lab.js';
import type { NetworkMaker } from './options.js';
import { ReconnectingWebSocket as CoreReconnectingWebSocket, type SocketClass } from './reconnecting.js';
import type { TransportFactory } from './transport.js';
import { createRuntimeTransport, type RuntimeTransportOptions } from './transports/runtime.js';
import { WebSocket as CoreWebSocket, type WebSocketOptions } from './websocket.js';

export * from './index.js';
export type { RuntimeTransportOptions } from './transports/runtime.js';
export { createRuntimeTransport };

/** Options of a socket in Bun: those of every platform, and request headers. */
export interface RuntimeWebSocketOptions extends WebSocketOptions, RuntimeTransportOptions {}

/**
 * A WebSocket client whose handlers run inside `update()`; in Bun it wraps Bun's WebSocket
 * (headers, protocol pings; reading cannot pause, so the queue's hard cap bounds memory).
 *
 * @example
 * ```ts
 * import { WebSocket } from 'ticksocket';
 * const socket = new WebSocket('ws://127.0.0.1:8080', { headers: { authorization: 'Bearer …' } });
 * socket.on('message', (s, text) => console.log(text)).open();
 * setInterval(() => socket.update(), 50);
 * ```
 */
export class WebSocket extends CoreWebSocket<RuntimeWebSocketOptions> {
  static override defaultTransport: TransportFactory<never> | undefined = createRuntimeTransport;
  static override createNetwork: NetworkMaker | undefined = networkLab;
}

/** A {@link WebSocket} that reconnects by itself (see the core `ReconnectingWebSocket`). */
export class ReconnectingWebSocket extends CoreReconnectingWebSocket<RuntimeWebSocketOptions> {
  static override socketClass: SocketClass | undefined = WebSocket;
}
