/**
 * The facade a game talks to: the seed's `WebSocket` (open / send / close / isOpen and seven
 * events), with one difference that makes it a game client: handlers run only inside `update()`.
 *
 * State is one field, changed only at transitions, and only when the game can see why: `open`
 * when the `open` event is dispatched, `closed` when `closed` is, `closing` at once for the
 * game's own `close()` (pump rule 7).
 */
import type { BinaryView } from './binary-view.js';
import { checkCloseArguments } from './close.js';
import { Dispatcher } from './dispatch.js';
import {
  asText,
  type HandshakeResponse,
  InvalidOptionError,
  InvalidStateError,
  StreamingUnsupportedError,
  startFailedError,
  type WebSocketError,
} from './errors.js';
import { Handlers } from './handlers.js';
import { createHeartbeat } from './heartbeat.js';
import type { LifecycleSource, LifecycleState } from './lifecycle.js';
import type { ManagedSocket, SocketManager } from './manager.js';
import type { NetworkLab } from './network/lab.js';
import {
  makeTransport,
  type NetworkMaker,
  resolveSocketOptions,
  SOCKET_EVENT_NAMES,
  type SocketEvents,
  type SocketOptions,
} from './options.js';
import { type EventSource, pump, type UpdateBudget } from './pump.js';
import { EventQueue } from './queue.js';
import { type BinaryWriter, Outgoing } from './sender.js';
import {
  SocketReadings,
  STATE_CLOSED,
  STATE_CLOSING,
  STATE_CONNECTING,
  STATE_IDLE,
  STATE_OPEN,
} from './socket-readings.js';
import type { OpenInfo, TransportFactory } from './transport.js';
import { checkMessageSize, checkSendRange, normalizeUrl, toPayload } from './validate.js';

/** The events of a `WebSocket` and their handler signatures. */
export type WebSocketEvents = SocketEvents<WebSocket>;
/** Names of the events. */
export type WebSocketEventName = keyof WebSocketEvents;
/** Options of a `WebSocket` every platform understands (the entry points add their own). */
export type WebSocketOptions = SocketOptions<WebSocket>;

const EVENT_NAMES: ReadonlySet<string> = new Set<WebSocketEventName>(SOCKET_EVENT_NAMES);

/**
 * A WebSocket client whose handlers run inside `update()`, from the game loop.
 *
 * @example
 * ```ts
 * import { WebSocket } from 'ticksocket';
 *
 * const socket = new WebSocket('ws://127.0.0.1:8080/room');
 * socket.on('open', (s) => s.send('hello'));
 * socket.on('message', (s, text) => console.log('server says', text));
 * socket.on('closed', (s, code, reason) => console.log('closed', code, reason));
 * socket.open();
 *
 * ticker.add(() => socket.update()); // handlers run here, once per frame
 * ```
 */
export class WebSocket<Options extends WebSocketOptions = WebSocketOptions>
  extends SocketReadings
  implements ManagedSocket
{
  /**
   * The transport a platform entry point gives its sockets (`ws` in Node, the native WebSocket in
   * browsers). The platform-neutral class has none: pass `options.transport`.
   */
  static defaultTransport: TransportFactory<never> | undefined = undefined;
  /** What makes a network lab from conditions given as `options.network` (set by the Node entry). */
  static createNetwork: NetworkMaker | undefined = undefined;
  /** The page's lifecycle (set by the browser entry): sockets follow it while live. */
  static lifecycle: (() => LifecycleSource | undefined) | undefined = undefined;

  /** The URL connected to, normalized (`http:` became `ws:`). */
  readonly url: string;
  /** The handshake's HTTP answer: `response` is set when the socket opens or is refused (Node). */
  readonly internalRequest: {
    /** The server's answer to the upgrade request, or null before one came (and in browsers). */
    response: HandshakeResponse | null;
  } = { response: null };
  /** The simulated network the connection runs through (`options.network`), to change it at run time. */
  readonly network: NetworkLab | undefined;

  private readonly handlers: Handlers<WebSocket>;
  private readonly manager: SocketManager | null;
  /** What the manager lists for this socket: itself, or the reconnecting socket it serves. */
  private readonly managedAs: ManagedSocket;
  private readonly lifecycle: LifecycleSource | undefined;

  /**
   * Create a socket; nothing connects until {@link WebSocket.open}.
   *
   * @param url `ws:` or `wss:` URL (`http:` and `https:` are mapped to them, as browsers do).
   * @throws {@link InvalidUrlError} for any other URL; {@link InvalidOptionError} for a bad option.
   */
  constructor(url: string | URL, options: Options = {} as Options) {
    super();
    this.url = normalizeUrl(url);
    const own = resolveSocketOptions(options);
    const { transport, network } = makeTransport(this.url, own, this.constructor as typeof WebSocket);
    this.transport = transport;
    this.outgoing = new Outgoing(transport);
    this.network = network;
    this.queue = new EventQueue(transport, own.limits.queue, this, () => transport.abort());
    this.manager = own.manager;
    this.managedAs = own.managedAs ?? this;
    this.handlers = new Handlers<WebSocket>(this, EVENT_NAMES, own.onHandlerError);
    const heartbeat = createHeartbeat(own.heartbeat, own.serverTime, transport, this.queue);
    this.heartbeat = heartbeat;
    const target = {
      opened: (info: OpenInfo) => this.opened(info),
      failed: (error: WebSocketError) => {
        if (error.response !== null) this.internalRequest.response = error.response;
      },
      ended: () => this.ended(),
    };
    const inspect = heartbeat?.inspector(own, (error) => this.handlers.report(error));
    this.dispatcher = new Dispatcher(this.queue, this.handlers, target, own, inspect);
    this.lifecycle = (this.constructor as typeof WebSocket).lifecycle?.();
  }

  /**
   * Add a handler. Several handlers per event run in the order they were added. Adding or removing
   * handlers from inside a handler takes effect from the next event.
   *
   * @throws {@link StreamingUnsupportedError} for `incompleteFrame` where the transport cannot see fragments.
   */
  on<E extends WebSocketEventName>(event: E, handler: WebSocketEvents[E]): this {
    if (event === 'incompleteFrame' && !this.transport.canStreamFragments) {
      throw new StreamingUnsupportedError(
        'This transport never sees message fragments (browsers assemble them): handle whole messages with "message" and "binary".',
      );
    }
    this.handlers.add(event, handler);
    return this;
  }

  /** Remove a handler added with `on`; without `handler`, remove every handler of `event`. */
  off<E extends WebSocketEventName>(event: E, handler?: WebSocketEvents[E]): this {
    this.handlers.remove(event, handler);
    return this;
  }

  /**
   * Start connecting. Events (`open`, or `error` then `closed`) arrive through `update()`.
   *
   * @throws {@link InvalidStateError} if called twice or after `close()`: a socket is never reused.
   */
  open(): this {
    if (this.stateValue !== STATE_IDLE) {
      throw new InvalidStateError(
        this.stateValue >= STATE_CLOSING
          ? 'This socket was closed; a WebSocket is never reused: create a new WebSocket(url) and open() it.'
          : 'open() was already called on this socket.',
      );
    }
    this.stateValue = STATE_CONNECTING;
    if (this.manager !== null) {
      this.manager.join(this.managedAs);
      this.queue.listener = this.manager;
    }
    this.heartbeat?.start();
    this.lifecycle?.add(this.followPage);
    try {
      this.transport.connect(this.queue, {
        streamFragments: this.handlers.count('incompleteFrame') > 0,
        heartbeat: this.heartbeat,
        keepAlive: this.heartbeat?.keepAlive,
      });
      if (this.manager !== null && this.transport.inbox !== undefined) this.manager.polls(this.managedAs);
    } catch (cause) {
      // A network failure never throws at the game: it arrives through update() like any other.
      this.queue.error(startFailedError(this.url, cause));
      this.queue.closed(1006, '', false);
    }
    return this;
  }

  /**
   * Send a text (string) or binary message; for bytes, `start` and `end` send only that range
   * (no `subarray` needed). The data is copied before this returns: the buffer may be reused at
   * once. Sends made in the same turn of the event loop are written together.
   *
   * @throws {@link InvalidStateError} unless the socket is open (or while a `beginBinary()` message is
   *   not committed); {@link InvalidPayloadError} for other data types; {@link OutOfRangeError} for a bad range.
   */
  send(data: string | ArrayBuffer | ArrayBufferView, start?: number, end?: number): void {
    const payload = toPayload(data); // what is wrong with the data is said first, whatever the state
    const length = checkSendRange(payload, start, end);
    this.outgoing.check('send()', this.stateValue === STATE_OPEN, this.state);
    this.outgoing.send(payload, start ?? 0, length);
  }

  /**
   * Build a binary message of up to `size` bytes in place, with no intermediate buffer: in Node the
   * writes go straight into the frame the transport sends. Finish it with `commit()` (or `cancel()`)
   * before any other send; the writer is reused for the next message.
   *
   * @example
   * ```ts
   * socket.beginBinary(13).u8(MOVE).u32(tick).f32(x).f32(y).commit();
   * ```
   * @throws {@link InvalidStateError} unless the socket is open, or while the previous message is not committed.
   */
  beginBinary(size: number): BinaryWriter {
    checkMessageSize(size);
    this.outgoing.check('beginBinary()', this.stateValue === STATE_OPEN, this.state);
    return this.outgoing.begin(size);
  }

  /**
   * Close the connection with a code and reason, which the server usually echoes in `closed`.
   * Closing a socket that is closing or closed does nothing. Closing before the `open` event
   * cancels the connection: only `closed` (1006) follows.
   *
   * @throws {@link InvalidCloseCodeError} or {@link ReasonTooLongError}, before anything is sent.
   */
  close(code = 1000, reason = ''): void {
    reason = asText(reason, 'The close reason');
    checkCloseArguments(code, reason, this.transport.refuseCloseCode?.bind(this.transport));
    switch (this.stateValue) {
      case STATE_IDLE:
        this.stateValue = STATE_CLOSED;
        return;
      case STATE_CONNECTING:
        this.stateValue = STATE_CLOSING;
        this.queue.abort(1006, 'closed before the connection opened');
        this.transport.close(code, reason);
        return;
      case STATE_OPEN:
        this.stateValue = STATE_CLOSING;
        this.transport.close(code, reason);
        return;
      default:
        return;
    }
  }

  /**
   * Dispatch the events queued before this call, in arrival order. Call it once per frame.
   * Exceptions from handlers do not stop the dispatch; the first is rethrown at the end (several
   * as an `AggregateError`), unless `onHandlerError` was given.
   *
   * @returns how many events were dispatched.
   * @throws {@link InvalidStateError} if the socket belongs to a manager (call the manager's
   *   `update()`), or if called from one of this socket's handlers.
   *
   * @example
   * ```ts
   * app.ticker.add(() => socket.update());             // PixiJS
   * socket.update({ maxEvents: 200, maxMs: 2 });      // a budget; the rest waits, in order
   * ```
   */
  update(budget?: UpdateBudget): number {
    return pump(this, budget, this.manager);
  }

  /** @internal Set while `update()` runs (see {@link EventSource}). */
  pumping = false;

  /** @internal Events waiting (see {@link EventSource}). */
  get waiting(): number {
    return this.queue.length;
  }

  /** @internal Dispatch the oldest queued event (see {@link EventSource}). */
  dispatchNext(): boolean {
    return this.dispatcher.next();
  }

  /** @internal Dispatch a run of binary messages to `binaryView` handlers (see {@link EventSource}). */
  dispatchRun(max: number): number {
    return this.dispatcher.run(max);
  }

  /** @internal A socket of a manager takes its inbox through the manager's, in arrival order across its sockets. */
  override poll(): void {
    if (this.manager === null) super.poll();
    else this.manager.poll();
  }

  /** The page went away or came back: the heartbeat adapts now, the game hears of it in `update()`. */
  private readonly followPage = (state: LifecycleState, time: number, awayMs: number): void => {
    if (this.queue.hasEnded) {
      // over, though the game has not pumped its `closed` yet: the page need not keep it
      this.lifecycle!.remove(this.followPage);
      return;
    }
    this.heartbeat?.lifecycle(state, time, this.lifecycle!.suspended);
    this.queue.lifecycle(state, awayMs, time);
  };

  /** The `open` event: the game's view opens (state only moves forward). */
  private opened(info: OpenInfo): void {
    if (this.stateValue === STATE_CONNECTING) this.stateValue = STATE_OPEN;
    this.protocolValue = info.protocol;
    this.extensionsValue = info.extensions;
    if (info.response !== null) this.internalRequest.response = info.response;
  }

  /** The `closed` event: the end. */
  private ended(): void {
    this.stateValue = STATE_CLOSED;
    this.heartbeat?.stop();
    this.lifecycle?.remove(this.followPage);
    if (this.manager !== null && this.managedAs === this) this.manager.leave(this);
  }

  /** @internal See every binary message dispatched, before its handlers (the recorder); null: stop. */
  tapBinary(tap: ((view: BinaryView, time: number) => void) | null): void {
    this.dispatcher.binaryTap = tap;
  }

  /** @internal Arrival sequence number of the oldest queued event, -1 when none. */
  get headSeq(): number {
    return this.queue.headSeq;
  }
}
