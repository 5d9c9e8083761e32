// Type tests: checked by `tsc --noEmit` (npm run typecheck), never run. Each @ts-expect-error
// line is a usage that must NOT compile; if it ever compiles, tsc fails on the unused directive.
import { expectTypeOf } from 'vitest';
import { WebSocket as BrowserWebSocket, createWorkerTransport } from '../../src/browser.js';
import {
  attachToAnimationFrame,
  type BinaryView,
  type BinaryWriter,
  type ErrorCode,
  type InvalidCloseCodeError,
  type InvalidStateError,
  type InvalidUrlError,
  type LifecycleState,
  type NetworkErrorCode,
  SocketManager,
  type SocketStats,
  startFixedStep,
  type UsageErrorCode,
  WebSocket,
  type WebSocketError,
  type WebSocketState,
} from '../../src/node.js';
import type { WebSocket as CoreWebSocket } from '../../src/websocket.js';

declare const socket: WebSocket;

// ---- handler signatures, per event ----
socket.on('open', (s) => expectTypeOf(s).toEqualTypeOf<CoreWebSocket>());
socket.on('message', (_s, text) => expectTypeOf(text).toEqualTypeOf<string>());
socket.on('binary', (_s, data) => expectTypeOf(data).toEqualTypeOf<Uint8Array>());
socket.on('closed', (_s, code, reason) => {
  expectTypeOf(code).toEqualTypeOf<number>();
  expectTypeOf(reason).toEqualTypeOf<string>();
});
socket.on('error', (_s, error) => {
  expectTypeOf(error).toEqualTypeOf<WebSocketError>();
  expectTypeOf(error.code).toEqualTypeOf<NetworkErrorCode>();
  expectTypeOf(error.closeCode).toEqualTypeOf<number>();
});
socket.on('errorDesc', (_s, description) => expectTypeOf(description).toEqualTypeOf<string>());
socket.on('binaryView', (_s, view) => {
  expectTypeOf(view).toEqualTypeOf<BinaryView>();
  expectTypeOf(view.u32(0)).toEqualTypeOf<number>();
  expectTypeOf(view.copy()).toEqualTypeOf<Uint8Array>();
});
socket.on('lifecycle', (_s, state, awayMs) => {
  expectTypeOf(state).toEqualTypeOf<LifecycleState>();
  expectTypeOf(awayMs).toEqualTypeOf<number>();
});
expectTypeOf(socket.beginBinary(8).u8(1).f32(2)).toEqualTypeOf<BinaryWriter>();
socket.send(new Uint8Array(8), 2, 6);
// @ts-expect-error: a range needs bytes, and numbers
socket.send(new Uint8Array(8), '2');
socket.on('incompleteFrame', (_s, fragment, isFinal) => {
  expectTypeOf(fragment).toEqualTypeOf<string | Uint8Array>();
  expectTypeOf(isFinal).toEqualTypeOf<boolean>();
});
// Handlers may take fewer parameters, and on/off chain.
expectTypeOf(socket.on('open', () => {}).off('open')).toEqualTypeOf<WebSocket>();

// ---- wrong handler signatures are compile errors ----
// @ts-expect-error a text message is a string, not bytes
socket.on('message', (_s: CoreWebSocket, text: Uint8Array) => text);
// @ts-expect-error binary data is bytes, not a string
socket.on('binary', (_s: CoreWebSocket, data: string) => data);
// @ts-expect-error closed passes a numeric code
socket.on('closed', (_s: CoreWebSocket, code: string) => code);
// @ts-expect-error the socket comes first, as in the seed
socket.on('message', (text: string) => text);
// @ts-expect-error unknown event name
socket.on('mesage', () => {});

// ---- send ----
socket.send('text');
socket.send(new Uint8Array(4));
socket.send(new ArrayBuffer(4));
socket.send(new DataView(new ArrayBuffer(4)));
socket.send(Float32Array.of(1));
socket.send(Buffer.from('x'));
// @ts-expect-error numbers are not payloads
socket.send(42);
// @ts-expect-error Blobs are not supported (they are read asynchronously)
socket.send(new Blob(['x']));

// ---- close, update, state ----
socket.close();
socket.close(4000);
socket.close(4000, 'bye');
// @ts-expect-error the reason is a string
socket.close(1000, 5);
expectTypeOf(socket.update()).toEqualTypeOf<number>();
socket.update({ maxEvents: 100, maxMs: 2 });
// @ts-expect-error budgets are numbers
socket.update({ maxEvents: '100' });
expectTypeOf(socket.state).toEqualTypeOf<WebSocketState>();
expectTypeOf<WebSocketState>().toEqualTypeOf<'idle' | 'connecting' | 'open' | 'closing' | 'closed'>();
expectTypeOf(socket.isOpen).toEqualTypeOf<boolean>();
expectTypeOf(socket.eventTime).toEqualTypeOf<number>();
expectTypeOf(socket.stats).toEqualTypeOf<SocketStats>();
expectTypeOf(socket.internalRequest.response?.statusCode).toEqualTypeOf<number | undefined>();
expectTypeOf(socket.open()).toEqualTypeOf<WebSocket>();

// ---- options per platform ----
new WebSocket('ws://127.0.0.1:1', { headers: { authorization: 'x' }, perMessageDeflate: false, tls: { ca: 'pem' } });
new WebSocket(new URL('ws://127.0.0.1:1'), {
  protocols: ['a', 'b'],
  handshakeTimeout: 1000,
  queue: { highWaterBytes: 1 },
});
new BrowserWebSocket('ws://127.0.0.1:1', { protocols: 'chat' });
// The worker transport is a transport factory: it goes in the `transport` option as it is.
new BrowserWebSocket('ws://127.0.0.1:1', { transport: createWorkerTransport });
// @ts-expect-error browsers cannot set request headers
new BrowserWebSocket('ws://127.0.0.1:1', { headers: { authorization: 'x' } });
// @ts-expect-error queue limits are numbers
new WebSocket('ws://127.0.0.1:1', { queue: { maxEvents: 'many' } });

// ---- manager and loops ----
const manager = new SocketManager();
new WebSocket('ws://127.0.0.1:1', { manager });
expectTypeOf(manager.update({ maxEvents: 10 })).toEqualTypeOf<number>();
expectTypeOf(startFixedStep(manager, { hz: 30 })).toEqualTypeOf<() => void>();
expectTypeOf(attachToAnimationFrame(socket)).toEqualTypeOf<() => void>();
// @ts-expect-error hz is required
startFixedStep(manager, {});

// ---- error codes ----
expectTypeOf<ErrorCode>().toEqualTypeOf<UsageErrorCode | NetworkErrorCode>();
expectTypeOf<InvalidUrlError['code']>().toEqualTypeOf<'invalid_url'>();
expectTypeOf<InvalidCloseCodeError['code']>().toEqualTypeOf<'invalid_close_code'>();
expectTypeOf<InvalidStateError['code']>().toEqualTypeOf<'invalid_state'>();
expectTypeOf<InvalidUrlError>().toExtend<SyntaxError>();
expectTypeOf<InvalidCloseCodeError>().toExtend<RangeError>();
expectTypeOf<'handshake_refused'>().toExtend<NetworkErrorCode>();
// @ts-expect-error not a code ticksocket uses
expectTypeOf<'teapot'>().toExtend<ErrorCode>();

// ---- the network lab: Node takes presets and conditions; a browser bundle takes a lab ----
import { networkLab as browserNetworkLab } from '../../src/browser.js';
import { type NetworkLab, networkLab, ReconnectingWebSocket } from '../../src/node.js';

new WebSocket('ws://x', { network: '3g' });
new WebSocket('ws://x', { network: { preset: 'edge', latency: 300, down: { bandwidth: 10_000 }, seed: 1 } });
new WebSocket('ws://x', { network: networkLab('satellite') });
new ReconnectingWebSocket('ws://x', { network: 'congested-wifi' });
expectTypeOf(new WebSocket('ws://x').network).toEqualTypeOf<NetworkLab | undefined>();
expectTypeOf(new ReconnectingWebSocket('ws://x').network).toEqualTypeOf<NetworkLab | undefined>();
new BrowserWebSocket('ws://x', { network: browserNetworkLab('3g') });
// @ts-expect-error a browser bundle keeps the lab out unless imported: pass networkLab('3g')
new BrowserWebSocket('ws://x', { network: '3g' });
// @ts-expect-error not a preset
new WebSocket('ws://x', { network: 'wifi' });
// @ts-expect-error distribution is one of uniform, normal, pareto
networkLab({ distribution: 'gauss' });

// ---- Bun and Deno: their entries' options ----
import { WebSocket as BunWebSocket } from '../../src/bun.js';
import { WebSocket as DenoWebSocket } from '../../src/deno.js';

new BunWebSocket('ws://x', { headers: { authorization: 'Bearer t' }, network: '3g' });
new DenoWebSocket('ws://x', { headers: { authorization: 'Bearer t' }, perMessageDeflate: false });
// @ts-expect-error Bun's native client takes no TLS options of Node's
new BunWebSocket('ws://x', { tls: { rejectUnauthorized: false } });
