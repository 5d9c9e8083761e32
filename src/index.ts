// The platform-neutral public surface. The package entry points (`node.ts`, `browser.ts`) add a
// `WebSocket` that knows its platform's transport; this one needs `options.transport`.
export { WebSocket } from './websocket.js';
export type {
  SocketStats,
  UpdateBudget,
  WebSocketEventName,
  WebSocketEvents,
  WebSocketOptions,
  WebSocketState,
} from './websocket.js';
export {
  SocketManager,
  attachToAnimationFrame,
  attachToObservable,
  attachToTicker,
  startFixedStep,
} from './manager.js';
export type { AttachOptions, EngineCallback, FixedStepOptions, ObservableLike, Pumpable, TickerLike } from './manager.js';
export { DEFAULT_QUEUE_LIMITS } from './queue.js';
export type { QueueLimits } from './queue.js';
export { CloseCode, MAX_REASON_BYTES, isValidCloseCode, utf8ByteLength } from './close.js';
export {
  InvalidArgumentError,
  InvalidCloseCodeError,
  InvalidOptionError,
  InvalidPayloadError,
  InvalidStateError,
  InvalidUrlError,
  ReasonTooLongError,
  StreamingUnsupportedError,
  WebSocketError,
} from './errors.js';
export type {
  ErrorCode,
  HandshakeResponse,
  NetworkErrorCode,
  UsageErrorCode,
  WebSocketErrorDetails,
} from './errors.js';
export type { ConnectOptions, OpenInfo, Transport, TransportFactory, TransportSink } from './transport.js';
