/**
 * The options and events of a socket, generic in the socket type so that `WebSocket` and
 * `ReconnectingWebSocket` share them (each names its own: `WebSocketOptions`,
 * `WebSocketEvents`, ...).
 */
import type { BinaryView } from './binary-view.js';
import { InvalidOptionError, type WebSocketError } from './errors.js';
import type { AppPing, HeartbeatOptions } from './heartbeat.js';
import type { LifecycleState } from './lifecycle.js';
import { type QueueLimits, type ResolvedLimits, resolveLimits } from './limits.js';
import type { ManagedSocket, SocketManager } from './manager.js';
import type { NetworkPresetName } from './network/conditions.js';
import type { NetworkLab, NetworkLabOptions } from './network/lab.js';
import type { Transport, TransportFactory, TransportOptions } from './transport.js';
import { checkProtocols, checkTimeout } from './validate.js';

/** @internal Option key: the socket a manager lists for this one (a reconnecting socket's connections). */
export const kManagedAs = Symbol('ticksocket.managedAs');

/** Where a socket is in its life. An instance goes through these once, in order. */
export type WebSocketState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';

/** The events of a socket and their handler signatures. Every handler gets the socket first, as in the seed. */
export interface SocketEvents<Socket> {
  /** The connection is open: `isOpen` is now true and `send()` works. */
  open: (socket: Socket) => void;
  /** A text message. */
  message: (socket: Socket, text: string) => void;
  /** A binary message (in Node a `Buffer`, which is a `Uint8Array`). */
  binary: (socket: Socket, data: Uint8Array) => void;
  /**
   * A binary message without allocation: one reused, read-only {@link BinaryView} of the bytes
   * where they wait, valid only during the call (keep bytes with `view.copy()`). A socket with a
   * `binaryView` handler dispatches its binary messages here, not to `binary`.
   */
  binaryView: (socket: Socket, view: BinaryView) => void;
  /** The last event of every opened socket, exactly once. `code` 1006: no close frame came. */
  closed: (socket: Socket, code: number, reason: string) => void;
  /** The connection failed; `errorDesc` and then `closed` follow. */
  error: (socket: Socket, error: WebSocketError) => void;
  /** A readable description of the error just dispatched. */
  errorDesc: (socket: Socket, description: string) => void;
  /**
   * One fragment of a fragmented message, when a handler is registered before `open()` (the seed's
   * streaming). Text fragments are decoded as a stream, so a character split across fragments
   * arrives whole in the later one. Unfragmented messages still go to `message` / `binary`.
   */
  incompleteFrame: (socket: Socket, fragment: string | Uint8Array, isFinal: boolean) => void;
  /**
   * The page went to the background (`hidden`), froze (`frozen`, also into the back/forward
   * cache) or lost the network (`offline`), or came back (`visible`, `resumed`, `online`, with
   * `awayMs`: how long it was away). Browsers only; dispatched in order with the rest. Back from a
   * long absence, `socket.backlog` says how old the oldest queued event is: fast-forward or resync.
   */
  lifecycle: (socket: Socket, state: LifecycleState, awayMs: number) => void;
}

/** The names of a socket's events, in the order the seed lists them. */
export const SOCKET_EVENT_NAMES = [
  'open',
  'message',
  'binary',
  'binaryView',
  'closed',
  'error',
  'errorDesc',
  'incompleteFrame',
  'lifecycle',
] as const satisfies readonly (keyof SocketEvents<unknown>)[];

/** Options every platform understands; `Socket` is what `onHandlerError` gets. */
export interface SocketOptions<Socket> {
  /** Subprotocols to offer; the chosen one is `socket.protocol`. */
  protocols?: string | readonly string[];
  /**
   * Fail with `handshake_timeout` if the server's 101 has not come this many ms after `open()`
   * (0: never). A deadline, not an idle timer: name resolution and TLS count, and a server that
   * trickles bytes does not extend it. Default 15 000.
   */
  handshakeTimeout?: number;
  /** After `close()`, drop the connection if the server has not answered within this many ms. Default 5 000. */
  closeTimeout?: number;
  /** Queue limits (see {@link QueueLimits}); missing ones take the defaults. */
  queue?: Partial<QueueLimits>;
  /**
   * Largest message accepted, in bytes; larger fails with `message_too_big` (1009) while it is
   * still being read (Node; browsers assemble messages themselves, and the queue's hard cap
   * bounds them). At most, and by default, the room between `queue.highWaterBytes` and
   * `queue.maxBytes` (56 MiB with the default limits), so that every message accepted fits.
   */
  maxPayload?: number;
  /** Pump this socket from a manager's `update()` instead of its own. */
  manager?: SocketManager;
  /** Make the transport yourself (tests, replay, a custom platform). */
  transport?: TransportFactory<never>;
  /**
   * Called with an exception a handler threw, instead of rethrowing it from `update()` once the
   * rest of the events have been dispatched.
   */
  onHandlerError?: (error: unknown, socket: Socket) => void;
  /**
   * Coalescing for a game back from the background: return a key for messages that replace
   * each other (state snapshots of one entity), undefined for the rest. Of the queued messages
   * with the same key only the newest is dispatched, in its place in arrival order; messages
   * without a key, `open`, `error` and `closed` are never dropped. Runs inside `update()`, on
   * the messages queued since the last time (at least once per message).
   *
   * @example
   * ```ts
   * // Binary snapshots start with a 4-byte entity id; chat (text) is never coalesced.
   * coalesce: (data) => (typeof data === 'string' ? undefined : new DataView(data.buffer, data.byteOffset).getUint32(0)),
   * ```
   */
  coalesce?: (data: string | Uint8Array) => unknown;
  /**
   * The coalescing key of a binary message, read from the reused {@link BinaryView} (valid only
   * during the call): no allocation per message. Given, it replaces `coalesce` for binary messages.
   *
   * @example
   * ```ts
   * coalesceBinary: (view) => view.u32(0), // the entity id
   * ```
   */
  coalesceBinary?: (view: BinaryView) => unknown;
  /**
   * Ping the server this often, in ms (0, the default: never). Node sends protocol ping frames;
   * browsers cannot, so there set `appPing` too. Round trips feed `latency` and `jitter`.
   */
  pingInterval?: number;
  /**
   * Fail the connection with a `timeout` error (then `closed` 1006) when nothing at all, not
   * even a pong, came from the server for this many ms (0, the default: never). With
   * `pingInterval` set, a dead or half-open server is noticed within this plus one interval.
   */
  closeAfterNoMessage?: number;
  /** An application-level ping for servers or platforms without ping frames (see {@link AppPing}). */
  appPing?: AppPing;
  /**
   * Read the server's clock from a message (its timestamp in ms), or undefined: feeds
   * `clockOffset` and `serverNow()`. Runs inside `update()`, before the message's handlers.
   */
  serverTime?: (data: string | Uint8Array) => number | undefined;
  /**
   * Run the connection through a simulated bad network (see {@link NetworkLab}): a lab from
   * `networkLab()`, or (where the entry point makes labs: Node) a preset name (`'3g'`) or
   * conditions (`{ preset: '3g', latency: 300, seed: 7 }`). `socket.network` is then the lab, to
   * change conditions while the game runs.
   */
  network?: NetworkLab | NetworkLabOptions | NetworkPresetName;
}

/** What makes a lab from conditions (the Node entry's `networkLab`; browsers import it where used). */
export type NetworkMaker = (conditions: NetworkLabOptions | NetworkPresetName) => NetworkLab;

/**
 * @internal The transport of a socket (its own factory, or the platform's), through its lab if
 * it has one.
 *
 * @throws {@link InvalidOptionError} when there is no transport, or conditions no lab can be made of.
 */
export function makeTransport<Socket>(
  url: string,
  own: ResolvedSocketOptions<Socket>,
  platform: { readonly defaultTransport?: TransportFactory<never>; readonly createNetwork?: NetworkMaker },
): { transport: Transport; network: NetworkLab | undefined } {
  const factory = (own.factory ?? platform.defaultTransport) as TransportFactory | undefined;
  if (factory === undefined) {
    throw new InvalidOptionError(
      "No transport: import WebSocket from 'ticksocket' (Node or browser entry) or pass options.transport.",
    );
  }
  const network = labOf(own.network, platform.createNetwork);
  return { transport: (network?.wrap(factory) ?? factory)(url, own.transport), network };
}

/**
 * @internal The lab of a socket's `network` option: the one given, or one made from conditions.
 *
 * @throws {@link InvalidOptionError} for conditions where no maker is installed (browser entry).
 */
export function labOf(
  network: SocketOptions<unknown>['network'],
  make: NetworkMaker | undefined,
): NetworkLab | undefined {
  if (network === undefined) return undefined;
  if (typeof network === 'object' && network !== null && typeof (network as NetworkLab).wrap === 'function') {
    return network as NetworkLab;
  }
  if (make === undefined) {
    throw new InvalidOptionError(
      "Here network takes a lab, kept out of bundles that do not import it: pass networkLab(conditions) from 'ticksocket'.",
    );
  }
  return make(network as NetworkLabOptions | NetworkPresetName);
}

/** @internal A socket's options, checked and split: its own, and what goes to its transport. */
export interface ResolvedSocketOptions<Socket> {
  /** The transport options, with the platform's own (headers, TLS...) passed through. */
  readonly transport: TransportOptions;
  readonly factory: TransportFactory<never> | undefined;
  readonly limits: ResolvedLimits;
  readonly manager: SocketManager | null;
  readonly managedAs: ManagedSocket | undefined;
  readonly heartbeat: HeartbeatOptions;
  readonly onHandlerError: SocketOptions<Socket>['onHandlerError'];
  readonly coalesce: SocketOptions<Socket>['coalesce'];
  readonly coalesceBinary: SocketOptions<Socket>['coalesceBinary'];
  readonly serverTime: SocketOptions<Socket>['serverTime'];
  readonly network: SocketOptions<Socket>['network'];
}

/**
 * @internal Check a socket's options and split them: what the socket keeps, and what its
 * transport gets (never the queue, manager or netcode options).
 *
 * @throws {@link InvalidOptionError} for a bad option.
 */
export function resolveSocketOptions<Socket>(options: SocketOptions<Socket>): ResolvedSocketOptions<Socket> {
  const {
    protocols,
    handshakeTimeout = 15_000,
    closeTimeout = 5_000,
    queue,
    maxPayload,
    manager = null,
    transport,
    onHandlerError,
    coalesce,
    coalesceBinary,
    pingInterval = 0,
    closeAfterNoMessage = 0,
    appPing,
    serverTime,
    network,
    [kManagedAs]: managedAs,
    ...platform
  } = options as SocketOptions<Socket> & { [kManagedAs]?: ManagedSocket };
  for (const [name, value] of Object.entries({ handshakeTimeout, closeTimeout, pingInterval, closeAfterNoMessage })) {
    checkTimeout(name, value);
  }
  for (const [name, value] of Object.entries({ onHandlerError, coalesce, coalesceBinary, serverTime })) {
    if (value !== undefined && typeof value !== 'function') {
      throw new InvalidOptionError(`The ${name} option must be a function, got ${typeof value}.`);
    }
  }
  const limits = resolveLimits(queue, maxPayload);
  return {
    transport: {
      ...platform,
      protocols: checkProtocols(protocols),
      handshakeTimeout,
      closeTimeout,
      maxPayload: limits.maxPayload,
    },
    factory: transport,
    limits,
    manager,
    managedAs,
    heartbeat: { pingInterval, closeAfterNoMessage, appPing },
    onHandlerError,
    coalesce,
    coalesceBinary,
    serverTime,
    network,
  };
}
