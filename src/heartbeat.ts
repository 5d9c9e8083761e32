/**
 * Heartbeat, latency and server clock of one connection. A timer sends pings (protocol ping
 * frames where the transport has them, else the game's application ping message) and fails the
 * connection with `timeout` when nothing at all was heard for `closeAfterNoMessage`. The timer
 * runs no game code: application ping replies are recognized inside `update()`, where they are
 * timed by their arrival, not by the frame.
 */
import type { MessageInspector } from './dispatch.js';
import { WebSocketError } from './errors.js';
import { timerDelay } from './timers.js';
import type { HeartbeatSink, KeepAlive, Transport } from './transport.js';

/** An application-level ping, for platforms without ping frames (browsers). */
export interface AppPing {
  /** The message sent every `pingInterval`. */
  message: string | Uint8Array;
  /**
   * Recognize the server's reply (called inside `update()` on each message): `true`, or
   * `{ serverTime }` when the reply carries the server's clock; anything else for other messages.
   * Replies are consumed: no handler sees them. The clock estimate assumes the server answers
   * at once: a reply held for h ms skews it by h/2.
   */
  reply: (data: string | Uint8Array) => boolean | PingReply | undefined;
}

/** A ping reply that carries the server's clock. */
export interface PingReply {
  /** The server's clock when it replied, in ms (any epoch: only differences matter). */
  serverTime: number;
}

/** Heartbeat settings of one socket (all in ms; 0: off). */
export interface HeartbeatOptions {
  pingInterval: number;
  closeAfterNoMessage: number;
  appPing: AppPing | undefined;
}

/** What the heartbeat needs of its socket (the socket's queue is one): it reports, never writes. */
export interface HeartbeatHost {
  /** The game's own backpressure paused reading: silence now is not the server's. */
  readonly paused: boolean;
  /** The connection is over. */
  readonly hasEnded: boolean;
  /** End the connection with `error` (the server is gone or half-open). */
  fail(error: WebSocketError): void;
}

/** The clock and timers the heartbeat runs on (injectable: tests step a virtual clock). */
export interface HeartbeatClock {
  now(): number;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const REAL_CLOCK: HeartbeatClock = {
  now: () => performance.now(),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/** The heartbeat of a socket with these settings, or undefined when it needs none. */
export function createHeartbeat(
  options: HeartbeatOptions,
  serverTime: unknown,
  transport: Transport,
  host: HeartbeatHost,
): Heartbeat | undefined {
  const { pingInterval, closeAfterNoMessage, appPing } = options;
  const needed = pingInterval > 0 || closeAfterNoMessage > 0 || appPing !== undefined || serverTime !== undefined;
  return needed ? new Heartbeat(options, transport, host) : undefined;
}

/** Samples kept for the clock offset and the minimum round trip. */
const WINDOW = 32;
/** Unanswered pings remembered, oldest first. */
const MAX_PENDING_PINGS = 16;

export class Heartbeat implements HeartbeatSink {
  /** Smoothed round-trip time in ms (RFC 6298 SRTT), 0 before the first sample. */
  latency = 0;
  /** Round-trip variation in ms (RFC 6298 RTTVAR). */
  jitter = 0;
  /** Round trips measured. */
  samples = 0;
  private lastHeard = Number.NaN;
  /** When the silence was last checked: a check far later than asked means this context did not run. */
  private lastCheck = 0;
  /** The page is hidden, frozen or offline: its timers lie, so no round trip is timed. */
  private suspended = false;
  private pingTimer: unknown;
  private silenceTimer: unknown;
  private readonly recentRtts: number[] = [];
  private readonly offsets: number[] = [];
  /**
   * Send times of the pings not answered yet, oldest first: only a pong or reply to one of them
   * is timed. NaN: a ping not to be timed (sent while the page was away), kept for its place.
   */
  private readonly pendingPings: number[] = [];

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly transport: Transport,
    private readonly host: HeartbeatHost,
    private readonly clock: HeartbeatClock = REAL_CLOCK,
  ) {}

  /** What the transport runs itself, where it keeps the connection alive (the worker transport). */
  get keepAlive(): KeepAlive | undefined {
    if (this.transport.keepsAlive !== true) return undefined;
    const { appPing, pingInterval, closeAfterNoMessage } = this.options;
    return { message: appPing?.message, pingInterval: appPing === undefined ? 0 : pingInterval, closeAfterNoMessage };
  }

  /** Start the timers (the clock of silence starts when the connection opens). */
  start(): void {
    if (this.transport.keepsAlive === true) return; // the transport's own timers, not the page's
    const { pingInterval, closeAfterNoMessage } = this.options;
    // Each on its own timer: a ping timer that also checks silence skips pings when it fires early.
    if (pingInterval > 0) this.pingTimer = this.clock.setInterval(this.ping, timerDelay(pingInterval));
    if (closeAfterNoMessage > 0) {
      this.lastCheck = this.clock.now();
      // Often enough to notice silence within a quarter of the limit.
      this.silenceTimer = this.clock.setInterval(this.checkSilence, timerDelay(Math.max(1, closeAfterNoMessage / 4)));
    }
  }

  stop(): void {
    if (this.pingTimer !== undefined) this.clock.clearInterval(this.pingTimer);
    if (this.silenceTimer !== undefined) this.clock.clearInterval(this.silenceTimer);
    this.pingTimer = this.silenceTimer = undefined;
  }

  heard(time: number): void {
    if (!(time <= this.lastHeard)) this.lastHeard = time;
  }

  /** The transport's keep-alive sent an application ping: its reply is timed like one of ours. */
  pinged(sentAt: number): void {
    this.pendingPings.push(this.suspended ? Number.NaN : sentAt);
    if (this.pendingPings.length > MAX_PENDING_PINGS) this.pendingPings.shift();
  }

  /** The transport's keep-alive heard nothing for too long. */
  silent(silentMs: number): void {
    if (!this.running()) return;
    this.failSilent(silentMs);
  }

  /**
   * The page went away or came back (see `LifecycleSource`). Pings out now are answered late by
   * the throttle or the freeze: none is timed. Back from a freeze the silence clock starts again
   * (the page's sleep was not the server's silence) and a probe goes out at once, so a connection
   * that died meanwhile is known within a round trip and `closeAfterNoMessage`.
   */
  lifecycle(state: string, time: number, suspended: boolean): void {
    this.suspended = suspended;
    this.pendingPings.fill(Number.NaN);
    if (state === 'resumed' && !Number.isNaN(this.lastHeard)) this.lastHeard = Math.max(this.lastHeard, time);
    if ((state === 'visible' || state === 'resumed' || state === 'online') && this.options.appPing !== undefined) {
      this.ping();
    }
  }

  /** A protocol pong: timed only when it answers a ping of ours (a forged or unsolicited one is not). */
  pong(sentAt: number, time: number): void {
    const index = this.pendingPings.indexOf(sentAt);
    if (index < 0) return;
    this.pendingPings.splice(0, index + 1); // older ones will not be answered now
    this.roundTrip(time - sentAt);
  }

  /**
   * Called inside `update()` for each message when an application ping is set: whether the
   * message was a ping reply (then it is consumed). `arrival` is when it reached the transport.
   */
  isPingReply(data: string | Uint8Array, arrival: number): boolean {
    const appPing = this.options.appPing;
    if (appPing === undefined) return false;
    const reply = appPing.reply(data);
    if (reply !== true && (typeof reply !== 'object' || reply === null)) return false;
    const sentAt = this.pendingPings.shift();
    if (sentAt !== undefined && !Number.isNaN(sentAt)) this.roundTrip(arrival - sentAt);
    if (typeof reply === 'object') this.serverTime(reply.serverTime, arrival);
    return true;
  }

  /**
   * What reads each message before its handlers: application ping replies (consumed) and server
   * timestamps. Both run the game's code, so what it throws goes to `report`.
   */
  inspector(
    {
      heartbeat,
      serverTime: serverTimeOf,
    }: { heartbeat: HeartbeatOptions; serverTime: ((data: string | Uint8Array) => number | undefined) | undefined },
    report: (error: unknown) => void,
  ): MessageInspector | undefined {
    if (heartbeat.appPing === undefined && serverTimeOf === undefined) return undefined; // nothing reads messages
    return (data, arrival) => {
      try {
        if (this.isPingReply(data, arrival)) return true;
        const serverTime = serverTimeOf?.(data);
        if (serverTime !== undefined) this.serverTime(serverTime, arrival);
      } catch (error) {
        report(error);
      }
      return false;
    };
  }

  /** A server timestamp that arrived at `arrival` (local `performance.now()` clock). */
  serverTime(serverTime: number, arrival: number): void {
    if (typeof serverTime !== 'number' || !Number.isFinite(serverTime)) return;
    this.offsets.push(arrival - serverTime);
    if (this.offsets.length > WINDOW) this.offsets.shift();
  }

  /**
   * Local clock minus server clock, in ms, or undefined before any server timestamp. NTP-style:
   * the smallest (arrival − server time) seen is the offset plus the shortest one-way delay,
   * taken as half the shortest round trip.
   */
  get clockOffset(): number | undefined {
    if (this.offsets.length === 0) return undefined;
    const oneWay = this.recentRtts.length > 0 ? Math.min(...this.recentRtts) / 2 : 0;
    return Math.min(...this.offsets) - oneWay;
  }

  private roundTrip(rtt: number): void {
    if (!(rtt >= 0 && rtt < Number.POSITIVE_INFINITY)) return;
    this.recentRtts.push(rtt);
    if (this.recentRtts.length > WINDOW) this.recentRtts.shift();
    if (this.samples++ === 0) {
      this.latency = rtt;
      this.jitter = rtt / 2;
    } else {
      this.jitter = 0.75 * this.jitter + 0.25 * Math.abs(this.latency - rtt);
      this.latency = 0.875 * this.latency + 0.125 * rtt;
    }
  }

  /** Whether the timers still have work: false once the connection ended. */
  private running(): boolean {
    if (!this.host.hasEnded) return true;
    this.stop();
    return false;
  }

  private readonly ping = (): void => {
    if (!this.running() || Number.isNaN(this.lastHeard)) return; // not open yet: handshakeTimeout covers that
    if (this.host.paused) {
      // Replies cannot be read now, and would be timed late by the game's pause: none is timed.
      this.pendingPings.length = 0;
      return;
    }
    const now = this.clock.now();
    const appPing = this.options.appPing;
    if (appPing === undefined && this.transport.ping !== undefined) this.transport.ping(now);
    else if (appPing === undefined || !this.transport.send(appPing.message)) return;
    this.pendingPings.push(this.suspended ? Number.NaN : now);
    if (this.pendingPings.length > MAX_PENDING_PINGS) this.pendingPings.shift();
  };

  private readonly checkSilence = (): void => {
    if (!this.running() || Number.isNaN(this.lastHeard)) return;
    const now = this.clock.now();
    // Due every quarter of the limit, it comes a whole limit late only when nothing here ran (a
    // sleeping laptop, a held thread, a frozen page without its events): that silence is ours, not
    // the server's. The server is asked at once, and has the limit from now to answer.
    const stalled = now - this.lastCheck > this.options.closeAfterNoMessage;
    this.lastCheck = now;
    if (this.host.paused) {
      this.lastHeard = now; // liveness means the server: the game's own pause does not count
      return;
    }
    if (stalled && now - this.lastHeard > this.options.closeAfterNoMessage) {
      this.lastHeard = now;
      this.pendingPings.fill(Number.NaN); // answered while nothing ran: their times would lie
      this.ping();
      return;
    }
    if (now - this.lastHeard <= this.options.closeAfterNoMessage) return;
    this.failSilent(now - this.lastHeard);
  };

  private failSilent(silentMs: number): void {
    this.stop();
    this.host.fail(
      new WebSocketError(
        'timeout',
        `Nothing came from the server for ${Math.round(silentMs)} ms (closeAfterNoMessage ${this.options.closeAfterNoMessage} ms): the connection is gone or half-open.`,
      ),
    );
  }
}
