/**
 * A socket that comes back. An instance of `WebSocket` is never reused, so this makes a fresh
 * one for each attempt, keeps the game's handlers on itself (they get this object, which stays
 * the same), backs off exponentially with jitter between attempts, and reports `reconnecting`
 * and `reconnected` through `update()` like every other event. Sends made while disconnected
 * follow a policy: dropped (counted), queued (capped, and expired when stale), or refused.
 */

import { nextArrival } from './arrival.js';
import type { BinaryView } from './binary-view.js';
import { checkCloseArguments } from './close.js';
import { asText, InvalidStateError, type WebSocketError } from './errors.js';
import { type AnyHandler, Handlers } from './handlers.js';
import type { LifecycleSource, LifecycleState } from './lifecycle.js';
import type { ManagedSocket, SocketManager } from './manager.js';
import type { NetworkLab } from './network/lab.js';
import { kManagedAs, type SocketEvents } from './options.js';
import { Outbox } from './outbox.js';
import { type EventSource, pump, type UpdateBudget } from './pump.js';
import { ReconnectingReadings, type ReconnectingState } from './reconnecting-readings.js';
import { checkRetry, DEFAULTS, delayFor, isFinalEnd, type ReconnectOptions, type SendPolicy } from './retry.js';
import type { BinaryWriter } from './sender.js';

export type { ReconnectingState } from './reconnecting-readings.js';

import { addTotals } from './stats.js';
import { timerDelay } from './timers.js';
import { checkSendRange, toPayload } from './validate.js';
import { WebSocket, type WebSocketOptions } from './websocket.js';

/** Options of a {@link ReconnectingWebSocket}: those of each socket it makes, plus `reconnect`. */
export interface ReconnectingWebSocketOptions extends WebSocketOptions {
  /** Retry and send policy. */
  reconnect?: ReconnectOptions;
}

/** Handler signatures: those of a `WebSocket`, with this object first, plus the reconnect events. */
export interface ReconnectingWebSocketEvents
  extends Omit<SocketEvents<ReconnectingWebSocket>, 'incompleteFrame' | 'closed'> {
  /** The end, for good: the game closed it, the server closed with a final code, or retries ran out. */
  closed: (socket: ReconnectingWebSocket, code: number, reason: string) => void;
  /** The connection was lost; attempt number `attempt` starts in `delayMs`. */
  reconnecting: (socket: ReconnectingWebSocket, attempt: number, delayMs: number, code: number) => void;
  /** A connection opened again after `attempts` attempts (right after its `open`). */
  reconnected: (socket: ReconnectingWebSocket, attempts: number) => void;
}

/** A `WebSocket` class: the platform's, or the core one with an injected transport. */
export type SocketClass = new (url: string | URL, options?: never) => WebSocket;

const EVENTS: ReadonlySet<string> = new Set<keyof ReconnectingWebSocketEvents>([
  'open',
  'message',
  'binary',
  'binaryView',
  'error',
  'errorDesc',
  'closed',
  'reconnecting',
  'reconnected',
  'lifecycle',
]);

/**
 * A WebSocket that reconnects, with the same API and pump (`update()`).
 *
 * @example
 * ```ts
 * const socket = new ReconnectingWebSocket('wss://game.example/room', {
 *   reconnect: { sendPolicy: 'queue', maxQueuedAge: 500 },
 * });
 * socket.on('open', (s) => s.send(join())); // runs again after each reconnect
 * socket.on('reconnecting', (s, attempt, delay) => hud.show(`reconnecting (${attempt})…`));
 * socket.open();
 * app.ticker.add(() => socket.update());
 * ```
 */
export class ReconnectingWebSocket<Options extends WebSocketOptions = WebSocketOptions>
  extends ReconnectingReadings
  implements ManagedSocket
{
  /** The `WebSocket` class of the platform (set by the entry point). */
  static socketClass: SocketClass | undefined = undefined;

  /** The URL, normalized as `WebSocket` does. */
  readonly url: string;
  /** The simulated network every connection runs through (`options.network`), or undefined. */
  readonly network: NetworkLab | undefined;
  private readonly handlers: Handlers<ReconnectingWebSocket>;
  private readonly retry: Required<ReconnectOptions>;
  private socketOptions: WebSocketOptions;
  private readonly SocketClass: new (
    url: string | URL,
    options?: WebSocketOptions,
  ) => WebSocket;
  private readonly manager: SocketManager | null;
  /** Failed attempts in a row: connections refused, and those that dropped before `minUptime`. */
  private failures = 0;
  /** When the current connection opened (0: not open). */
  private openedAt = 0;
  private everOpened = false;
  private closeRequested = false;
  private lastError: WebSocketError | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The page froze while this connection was up: its loss is the page's, not the server's. */
  private frozeWhileUp = false;
  private readonly lifecycle: LifecycleSource | undefined;

  /** @throws as `new WebSocket(url, options)` does, plus {@link InvalidOptionError} for bad `reconnect` values. */
  constructor(url: string | URL, options: Options & { reconnect?: ReconnectOptions } = {} as Options) {
    super();
    this.retry = checkRetry({ ...DEFAULTS, ...options.reconnect });
    this.outbox = new Outbox(this.retry.maxQueuedSends, this.retry.maxQueuedAge);
    const { reconnect: _retry, ...socketOptions } = options;
    this.manager = options.manager ?? null;
    // Each connection joins the manager as this socket: the manager lists and pumps this one.
    this.socketOptions = { ...socketOptions, [kManagedAs]: this } as WebSocketOptions;
    // The platform's class (set by the entry point), or the core one, which needs options.transport.
    // (Each entry's class takes its own options; this one's were checked against them by its type.)
    const SocketClass = ((this.constructor as typeof ReconnectingWebSocket).socketClass ??
      WebSocket) as typeof WebSocket;
    this.SocketClass = SocketClass;
    this.lifecycle = SocketClass.lifecycle?.();
    this.socket = new this.SocketClass(url, this.socketOptions); // validates the URL and options now
    this.url = this.socket.url;
    // Every connection goes through the first one's lab: conditions, seed and fault script carry over.
    this.network = this.socket.network;
    if (this.network !== undefined) this.socketOptions = { ...this.socketOptions, network: this.network };
    // onHandlerError gets this object as the socket: the one the game's handlers receive.
    const onError = options.onHandlerError as ((error: unknown, socket: ReconnectingWebSocket) => void) | undefined;
    this.handlers = new Handlers<ReconnectingWebSocket>(this, EVENTS, onError);
  }

  /** Add a handler (see `WebSocket.on`); it stays through reconnects. */
  on<E extends keyof ReconnectingWebSocketEvents>(event: E, handler: ReconnectingWebSocketEvents[E]): this {
    this.handlers.add(event, handler);
    if (event === 'binaryView') this.forwardViews();
    return this;
  }

  /** Remove a handler added with `on`; without `handler`, every handler of `event`. */
  off<E extends keyof ReconnectingWebSocketEvents>(event: E, handler?: ReconnectingWebSocketEvents[E]): this {
    this.handlers.remove(event, handler);
    if (event === 'binaryView') this.forwardViews();
    return this;
  }

  /** Start connecting. @throws {@link InvalidStateError} if called twice or after `close()`. */
  open(): this {
    if (this.stateValue !== 'idle') {
      throw new InvalidStateError(
        'open() was already called: a ReconnectingWebSocket opens once and reconnects by itself.',
      );
    }
    this.stateValue = 'connecting';
    this.manager?.join(this);
    this.lifecycle?.add(this.pageReturned);
    this.connect(this.socket);
    return this;
  }

  /**
   * Send now if connected (for bytes, `start` and `end` send only that range, as
   * `WebSocket.send` does); otherwise apply `policy` (default: the `sendPolicy` option).
   *
   * @throws {@link InvalidStateError} before `open()` or after `close()`, or while disconnected under the `'fail'` policy.
   */
  send(data: string | ArrayBuffer | ArrayBufferView, policy?: SendPolicy): void;
  send(data: ArrayBuffer | ArrayBufferView, start: number | undefined, end?: number, policy?: SendPolicy): void;
  send(data: string | ArrayBuffer | ArrayBufferView, a?: number | SendPolicy, b?: number, c?: SendPolicy): void {
    const payload = toPayload(data); // bad data fails now, whatever the state, not later in a flush
    const [start, end, policy = this.retry.sendPolicy] = typeof a === 'string' ? [undefined, undefined, a] : [a, b, c];
    const length = checkSendRange(payload, start, end);
    const state = this.stateValue;
    if (state === 'open') {
      this.socket.send(payload, start, end);
      return;
    }
    this.checkConnecting(state, 'send()');
    this.outbox.offer(payload, start ?? 0, length, policy, state);
  }

  /**
   * Build a binary message in place on the current connection (see `WebSocket.beginBinary`).
   *
   * @throws {@link InvalidStateError} unless connected: while reconnecting, `send()` applies the send policy.
   */
  beginBinary(size: number): BinaryWriter {
    if (this.stateValue === 'open') return this.socket.beginBinary(size);
    this.checkConnecting(this.stateValue, 'beginBinary()');
    throw new InvalidStateError(
      `beginBinary() while ${this.stateValue}: build the message with send(), which follows the send policy until the connection is back.`,
    );
  }

  private checkConnecting(state: ReconnectingState, what: string): void {
    if (state === 'idle' || state === 'closing' || state === 'closed') {
      throw new InvalidStateError(`${what} needs an opened socket, but it is ${state}.`);
    }
  }

  /**
   * Close for good: no reconnect follows. During a wait between attempts, `closed` (with this
   * code and reason) comes in the next `update()`.
   */
  close(code = 1000, reason = ''): void {
    reason = asText(reason, 'The close reason');
    checkCloseArguments(code, reason);
    const state = this.stateValue;
    if (state === 'closing' || state === 'closed') return;
    this.closeRequested = true;
    this.outbox.clear();
    if (state === 'idle') {
      this.stateValue = 'closed';
      return;
    }
    this.stateValue = 'closing';
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.pendingClosed = [code, reason];
      this.pendingSeq = nextArrival();
      this.manager?.arrived(this, this.pendingSeq);
      return;
    }
    this.socket.close(code, reason);
  }

  /**
   * Dispatch what was queued before this call (see `WebSocket.update`); returns how many events ran.
   *
   * @throws {@link InvalidStateError} if it belongs to a manager (call the manager's `update()`).
   */
  update(budget?: UpdateBudget): number {
    return pump(this, budget, this.manager);
  }

  /** @internal Set while `update()` runs (see {@link EventSource}). */
  pumping = false;

  /** @internal The current connection's oldest event, or the `closed` it queued itself. */
  dispatchNext(): boolean {
    if (this.socket.waiting > 0) return this.socket.dispatchNext();
    const pending = this.pendingClosed;
    if (pending === null) return false;
    this.pendingClosed = null;
    this.finish(pending[0], pending[1]);
    return true;
  }

  private connect(socket: WebSocket): void {
    if (socket !== this.socket) addTotals(this.earlier, this.socket.stats);
    this.socket = socket;
    this.lastError = null;
    this.frozeWhileUp = false;
    socket.on('open', () => this.opened());
    socket.on('message', (_s, text) => this.emit('message', text));
    socket.on('binary', (_s, data) => this.emit('binary', data));
    this.forwardViews();
    socket.on('error', (_s, error) => {
      this.lastError = error;
      this.emit('error', error);
    });
    socket.on('errorDesc', (_s, description) => this.emit('errorDesc', description));
    socket.on('lifecycle', (_s, state, awayMs) => this.emit('lifecycle', state, awayMs));
    socket.on('closed', (_s, code, reason) => this.ended(code, reason));
    socket.open();
  }

  private opened(): void {
    const attempts = this.failures;
    this.openedAt = performance.now();
    this.stateValue = 'open';
    this.emit('open');
    this.outbox.flush((data) => this.socket.send(data)); // after the open handlers: a join they send goes first
    if (this.everOpened) {
      this.reconnects++;
      this.emit('reconnected', attempts);
    }
    this.everOpened = true;
  }

  private ended(code: number, reason: string): void {
    // Only a connection that stayed up resets the backoff (a server that accepts and drops at once does not).
    if (this.openedAt > 0 && performance.now() - this.openedAt >= this.retry.minUptime) this.failures = 0;
    this.openedAt = 0;
    if (this.isFinal(code)) {
      this.finish(code, reason);
      return;
    }
    this.failures++;
    // Chromium closes a frozen page's sockets (1001 to the server): no backoff is owed for that.
    const delay = this.frozeWhileUp ? 0 : delayFor(this.retry, this.failures);
    this.stateValue = 'reconnecting';
    this.emit('reconnecting', this.failures, delay, code);
    // The timer only makes and opens a socket: its events come through update(), as always.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect(new this.SocketClass(this.url, this.socketOptions));
    }, timerDelay(delay));
  }

  /** The end, for good. */
  private finish(code: number, reason: string): void {
    this.stateValue = 'closed';
    this.outbox.clear();
    this.manager?.leave(this);
    this.lifecycle?.remove(this.pageReturned);
    this.emit('closed', code, reason);
  }

  private isFinal(code: number): boolean {
    return this.closeRequested || isFinalEnd(this.retry, this.failures, code, this.lastError);
  }

  /**
   * The page froze: the connection up now is lost with it (Chromium closes a frozen page's
   * sockets), and is redialed at once. The page came back: a wait for the next attempt ends at
   * once, since what the backoff waited out (a dead network, a frozen page) may be over. Like the
   * timer, it only makes and opens a socket.
   */
  private readonly pageReturned = (state: LifecycleState): void => {
    if (this.closeRequested) return void this.lifecycle?.remove(this.pageReturned); // over: let go
    if (state === 'frozen' && this.timer === undefined) this.frozeWhileUp = true;
    if ((state === 'visible' || state === 'resumed' || state === 'online') && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.connect(new this.SocketClass(this.url, this.socketOptions));
    }
  };

  /** The connection takes the view path only while the game has `binaryView` handlers. */
  private forwardViews(): void {
    this.socket.off('binaryView', this.forwardView);
    if (this.handlers.count('binaryView') > 0) this.socket.on('binaryView', this.forwardView);
  }

  private readonly forwardView = (_socket: WebSocket, view: BinaryView): void => {
    this.emit('binaryView', view);
  };

  private emit(event: keyof ReconnectingWebSocketEvents, a?: unknown, b?: unknown, c?: unknown): void {
    this.handlers.emit(this.handlers.list(event) as AnyHandler[] | undefined, a, b, c);
  }
}
