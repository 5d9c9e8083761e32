/**
 * A transport between any transport and the socket's queue that makes its connection behave
 * like a bad network: what the inner transport reports goes down a {@link Link}, what the game
 * sends goes up one. With no condition set and no spike, everything passes straight through.
 */

import type { Clock } from '../clock.js';
import { WebSocketError } from '../errors.js';
import type {
  ByteArrayClass,
  ConnectOptions,
  HeartbeatSink,
  OpenInfo,
  Transport,
  TransportSink,
} from '../transport.js';
import { copyOf } from '../validate.js';
import type { ResolvedConditions } from './conditions.js';
import {
  BINARY,
  byteLength,
  CLOSE,
  CLOSED,
  deliverDown,
  deliverUp,
  ERROR,
  FRAGMENT,
  HEARD,
  ITEM_BYTES,
  MESSAGE,
  OPEN,
  PING,
  PONG,
  SEND,
  TEXT,
} from './items.js';
import { Link, type LinkStats, type Timeline } from './link.js';
import type { Random } from './random.js';

/** What a connection needs of its lab (the lab is one; this keeps the import one-way). */
export interface LabHost extends Timeline {
  readonly conditions: ResolvedConditions;
  readonly clock: Clock;
  readonly randomDown: Random;
  readonly randomUp: Random;
  readonly stats: { readonly down: LinkStats; readonly up: LinkStats };
  /** Where an arrival is on the lab's clock. */
  arrival(time: number | undefined): number;
  /** A connection starts: false if it is refused. */
  connecting(connection: ConditionedTransport): boolean;
  /** A connection ended. */
  ended(connection: ConditionedTransport): void;
}

export class ConditionedTransport implements Transport, TransportSink, HeartbeatSink {
  readonly byteArray: ByteArrayClass | undefined;
  readonly decodeText: Transport['decodeText'];
  readonly refuseCloseCode: Transport['refuseCloseCode'];
  readonly ping: Transport['ping'];
  readonly down: Link;
  readonly up: Link;
  private sink: TransportSink | undefined;
  private heartbeat: HeartbeatSink | undefined;
  /** Nothing more arrives and sends vanish, until the socket gives up on the connection. */
  private halfOpen = false;
  /** The socket ended the connection itself: what the inner transport reports now is not delayed. */
  private local = false;
  /** `closed` reached the sink: the connection is over for the socket. */
  private ended = false;
  /** The inner transport ended while the connection was half-open (the socket has not heard). */
  private innerEnded = false;
  private queuePaused = false;
  private bufferPaused = false;

  constructor(
    private readonly inner: Transport,
    private readonly lab: LabHost,
  ) {
    const { conditions, clock } = lab;
    this.down = new Link(conditions.down, lab.randomDown, lab, clock, lab.stats.down, (item, time) =>
      this.emitDown(item.kind, item.a, item.b, item.c, item.d, time),
    );
    this.up = new Link(conditions.up, lab.randomUp, lab, clock, lab.stats.up, (item) =>
      this.emitUp(item.kind, item.a, item.b, item.c),
    );
    this.byteArray = inner.byteArray;
    this.decodeText = inner.decodeText?.bind(inner);
    this.refuseCloseCode = inner.refuseCloseCode?.bind(inner);
    this.ping = inner.ping === undefined ? undefined : (sentAt) => this.carryUp(PING, sentAt, undefined, undefined, 0);
  }

  get canPause(): boolean {
    return this.inner.canPause;
  }
  get canStreamFragments(): boolean {
    return this.inner.canStreamFragments;
  }
  /** The inner transport's: what it holds for `update()` comes through the lab like the rest. */
  get inbox(): Transport['inbox'] {
    return this.inner.inbox;
  }
  /** What waits on the uplink counts: a saturated 3G uplink shows here, as it would in the socket's buffer. */
  get bufferedAmount(): number {
    return this.up.waitingBytes + this.inner.bufferedAmount;
  }

  connect(sink: TransportSink, options: ConnectOptions): void {
    this.sink = sink;
    this.heartbeat = options.heartbeat;
    if (this.lab.connecting(this)) {
      this.inner.connect(this, { streamFragments: options.streamFragments, heartbeat: options.heartbeat && this });
      return;
    }
    const refused = new WebSocketError(
      'connection_refused',
      'The network lab refused this connection (network.refuse() or a "refuse" fault): no request reached the server.',
    );
    const at = this.lab.clock.now() + this.up.sampleDelay(); // the refusal answers a request that went up
    this.down.carry(ERROR, refused, undefined, undefined, undefined, 0, at, ITEM_BYTES);
    this.down.carry(CLOSED, 1006, '', false, undefined, 0, at, ITEM_BYTES);
  }

  send(data: string | Uint8Array): boolean {
    if (this.ended || this.local) return false;
    if (this.halfOpen) return true; // accepted, and gone: the peer never sees it
    if (this.up.passes) {
      this.up.passed(data.length);
      return this.inner.send(data);
    }
    // The lab holds the data past send(): it takes its own copy, as the socket promises.
    const owned = typeof data === 'string' ? data : copyOf(data);
    this.carryUp(SEND, owned, undefined, undefined, typeof data === 'string' ? byteLength(data) : data.length);
    return true;
  }

  close(code: number, reason: string): void {
    if (this.ended || this.local) return;
    if (this.halfOpen) {
      // The close frame would vanish and the close time out: end it now, as that timeout would.
      this.endLocally();
      return;
    }
    this.carryUp(CLOSE, code, reason, undefined, 0);
  }

  abort(): void {
    if (this.ended || this.local) return;
    this.endLocally();
  }

  pause(): void {
    this.queuePaused = true;
    this.readOrNot();
  }

  resume(): void {
    this.queuePaused = false;
    this.readOrNot();
  }

  /** @internal The lab's `disconnect()`: the network drops the connection. */
  drop(): void {
    if (this.ended || this.local) return;
    this.local = true;
    this.discard();
    this.sink!.error(
      new WebSocketError(
        'connection_lost',
        'The network lab dropped the connection (network.disconnect() or a "disconnect" fault).',
      ),
    );
    this.endSink(1006, '');
    this.inner.abort();
  }

  /** @internal The lab's `halfOpen()`: the connection stays up underneath, and nothing crosses it. */
  goHalfOpen(): void {
    if (this.ended || this.local) return;
    this.halfOpen = true;
    this.discard();
  }

  /** @internal The lab's conditions changed. */
  conditionsChanged(): void {
    this.down.conditions = this.lab.conditions.down;
    this.up.conditions = this.lab.conditions.up;
  }

  // ---- what the inner transport reports ----

  open(info: OpenInfo, time?: number): void {
    // The 101 answers a request that went up first: the handshake gains a round trip.
    this.carryDown(OPEN, info, undefined, undefined, 0, time, this.up.sampleDelay());
  }
  text(data: string | Uint8Array, time?: number): void {
    this.carryDown(TEXT, data, undefined, undefined, typeof data === 'string' ? byteLength(data) : data.length, time);
  }
  binary(data: Uint8Array, time?: number): void {
    this.carryDown(BINARY, data, undefined, undefined, data.length, time);
  }
  message(source: Uint8Array, start: number, end: number, isText: boolean, time?: number): void {
    if (this.down.passes && !this.halfOpen) {
      this.down.passed(end - start);
      this.sink!.message(source, start, end, isText, time);
    } else {
      this.carryDown(MESSAGE, source, start, end, end - start, time, 0, isText);
    }
  }
  fragment(data: string | Uint8Array, isFinal: boolean, time?: number): void {
    this.carryDown(FRAGMENT, data, isFinal, undefined, data.length, time);
  }
  error(error: WebSocketError, time?: number): void {
    if (this.local) this.sink!.error(error, time);
    else this.carryDown(ERROR, error, undefined, undefined, 0, time);
  }
  closed(code: number, reason: string, wasClean: boolean, time?: number): void {
    if (this.local) this.endSink(code, reason, wasClean, time);
    else if (this.halfOpen)
      this.innerEnded = true; // the socket cannot know: its heartbeat must notice
    else this.carryDown(CLOSED, code, reason, wasClean, 0, time);
  }
  heard(time: number): void {
    this.carryDown(HEARD, time, undefined, undefined, 0, time);
  }
  pong(sentAt: number, time: number): void {
    this.carryDown(PONG, sentAt, undefined, undefined, 2, time);
  }

  // ---- the links ----

  private carryDown(
    kind: number,
    a: unknown,
    b: unknown,
    c: unknown,
    size: number,
    time?: number,
    extra = 0,
    d?: unknown,
  ): void {
    if (this.ended || this.halfOpen || this.local) return;
    const down = this.down;
    if (extra === 0 && down.passes) {
      down.passed(size);
      this.emitDown(kind, a, b, c, d, time ?? this.lab.clock.now());
      return;
    }
    // What the lab holds is what `buffer` counts: a message that is a small part of a large read is
    // copied out, so it does not keep the whole read alive while it waits.
    let kept = size;
    if (a instanceof Uint8Array) {
      const start = kind === MESSAGE ? (b as number) : 0;
      const end = kind === MESSAGE ? (c as number) : a.length;
      if (a.buffer.byteLength > 2 * (end - start) + ITEM_BYTES) {
        a = copyOf(a, start, end);
        if (kind === MESSAGE) [b, c] = [0, end - start];
      }
      kept = (a as Uint8Array).buffer.byteLength;
    }
    down.carry(kind, a, b, c, d, size, this.lab.arrival(time) + extra, kept + ITEM_BYTES);
    if (!this.bufferPaused && down.queuedBytes > this.lab.conditions.buffer) {
      this.bufferPaused = true;
      this.readOrNot();
    }
  }

  private carryUp(kind: number, a: unknown, b: unknown, c: unknown, size: number): void {
    if (this.up.passes) {
      this.up.passed(size);
      this.emitUp(kind, a, b, c);
    } else {
      this.up.carry(kind, a, b, c, undefined, size, this.lab.clock.now(), size + ITEM_BYTES);
    }
  }

  private emitDown(kind: number, a: unknown, b: unknown, c: unknown, d: unknown, time: number): void {
    if (kind === CLOSED) this.endSink(a as number, b as string, c as boolean, time);
    else deliverDown(this.sink!, this.heartbeat, kind, a, b, c, d, time);
    if (this.bufferPaused && this.down.queuedBytes <= this.lab.conditions.buffer / 2) {
      this.bufferPaused = false;
      this.readOrNot();
    }
  }

  private emitUp(kind: number, a: unknown, b: unknown, _c: unknown): void {
    if (this.ended || this.halfOpen || this.local) return;
    deliverUp(this.inner, kind, a, b);
  }

  private readOrNot(): void {
    if (this.ended) return;
    if (this.queuePaused || this.bufferPaused) this.inner.pause();
    else this.inner.resume();
  }

  private endLocally(): void {
    this.local = true;
    this.discard();
    if (this.innerEnded) this.endSink(1006, '', false);
    else this.inner.abort();
  }

  private endSink(code: number, reason: string, wasClean = false, time?: number): void {
    if (this.ended) return;
    this.ended = true;
    this.discard();
    this.lab.ended(this);
    this.sink!.closed(code, reason, wasClean, time);
  }

  private discard(): void {
    this.down.discard();
    this.up.discard();
  }
}
