// The Node entry point (`exports` condition "node"): `WebSocket` connects through `ws`.

import { networkLab } from './network/lab.js';
import type { NetworkMaker } from './options.js';
import { ReconnectingWebSocket as CoreReconnectingWebSocket, type SocketClass } from './reconnecting.js';
import type { TransportFactory } from './transport.js';
import type { NodeTransportOptions } from './transports/node/options.js';
import { createNodeTransport } from './transports/node/transport.js';
import { WebSocket as CoreWebSocket, type WebSocketOptions } from './websocket.js';

export * from './index.js';
export type { NodeTlsOptions, NodeTransportOptions } from './transports/node/options.js';
export { createNodeTransport };

/** Options of a socket in Node: those of every platform, and the `ws` transport's own. */
export interface NodeWebSocketOptions extends WebSocketOptions, NodeTransportOptions {}

/**
 * A WebSocket client whose handlers run inside `update()`; in Node it connects through `ws`.
 *
 * @example
 * ```ts
 * import { WebSocket } from 'ticksocket';
 * const socket = new WebSocket('ws://127.0.0.1:8080', { headers: { authorization: 'Bearer …' } });
 * socket.on('message', (s, text) => console.log(text)).open();
 * setInterval(() => socket.update(), 50); // a 20 Hz server tick
 * ```
 */
export class WebSocket extends CoreWebSocket<NodeWebSocketOptions> {
  static override defaultTransport: TransportFactory<never> | undefined = createNodeTransport;
  static override createNetwork: NetworkMaker | undefined = networkLab;
}

/**
 * A {@link WebSocket} that reconnects by itself (see the core `ReconnectingWebSocket`).
 *
 * @example
 * ```ts
 * const socket = new ReconnectingWebSocket(url, { reconnect: { sendPolicy: 'queue' } }).open();
 * ```
 */
export class ReconnectingWebSocket extends CoreReconnectingWebSocket<NodeWebSocketOptions> {
  static override socketClass: SocketClass | undefined = WebSocket;
}
