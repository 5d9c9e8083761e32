// The platform-neutral public surface. The package entry points (`node.ts`, `browser.ts`) add a
// `WebSocket` that knows its platform's transport; this one needs `options.transport`.

export { BinaryView } from './binary-view.js';
export type { Clock, VirtualClock } from './clock.js';
export { createVirtualClock, realClock } from './clock.js';
export { CloseCode, isValidCloseCode, MAX_REASON_BYTES, utf8ByteLength } from './close.js';
export type {
  ErrorCode,
  HandshakeResponse,
  NetworkErrorCode,
  UsageErrorCode,
  WebSocketErrorDetails,
} from './errors.js';
export {
  InvalidArgumentError,
  InvalidCloseCodeError,
  InvalidOptionError,
  InvalidPayloadError,
  InvalidRecordingError,
  InvalidStateError,
  InvalidUrlError,
  OutOfRangeError,
  ReasonTooLongError,
  StreamingUnsupportedError,
  ViewExpiredError,
  WebSocketError,
} from './errors.js';
export type { AppPing, PingReply } from './heartbeat.js';
export type { LifecycleListener, LifecycleSource, LifecycleState } from './lifecycle.js';
export type { QueueLimits } from './limits.js';
export { DEFAULT_QUEUE_LIMITS } from './limits.js';
export type {
  AttachOptions,
  EngineCallback,
  FixedStepOptions,
  ObservableLike,
  Pumpable,
  TickerLike,
} from './loops.js';
export { attachToAnimationFrame, attachToObservable, attachToTicker, startFixedStep } from './loops.js';
export type { ManagedSocket } from './manager.js';
export { SocketManager } from './manager.js';
export * from './network/index.js';
export type { NetworkMaker, SocketEvents, SocketOptions, WebSocketState } from './options.js';
export type { UpdateBudget } from './pump.js';
export type {
  ReconnectingState,
  ReconnectingWebSocketEvents,
  ReconnectingWebSocketOptions,
  SocketClass,
} from './reconnecting.js';
export { ReconnectingWebSocket as CoreReconnectingWebSocket, ReconnectingWebSocket } from './reconnecting.js';
export * from './replay/index.js';
export type { ReconnectOptions, SendPolicy } from './retry.js';
export type { BinaryWriter } from './sender.js';
export type { Backlog, ManagerStats, ReconnectingStats, SocketStats } from './stats.js';
export { MAX_TIMER_DELAY } from './timers.js';
export type {
  ByteArrayClass,
  ConnectOptions,
  HeartbeatSink,
  Inbox,
  KeepAlive,
  OpenInfo,
  SendRoom,
  Transport,
  TransportFactory,
  TransportOptions,
  TransportSink,
} from './transport.js';
export type {
  WebSocketEventName,
  WebSocketEvents,
  WebSocketOptions,
} from './websocket.js';
// `CoreWebSocket` names the platform-neutral class where an entry point's own `WebSocket`
// (with its transport) hides it: handlers and `manager.sockets` are typed with it.
export { WebSocket, WebSocket as CoreWebSocket } from './websocket.js';
