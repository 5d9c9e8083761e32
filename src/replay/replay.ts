/**
 * A recording played back: a transport that feeds the recorded events to the socket's queue
 * with their recorded arrival times, stepped by a fake clock or in real time.
 */
import { createVirtualClock, type VirtualClock } from '../clock.js';
import { InvalidArgumentError, InvalidRecordingError, quote, WebSocketError } from '../errors.js';
import { timerDelay } from '../timers.js';
import type { Transport, TransportSink } from '../transport.js';
import { copyOf } from '../validate.js';
import type { RecordedEvent } from './events.js';
import { checkRecording, decodeRecording } from './format.js';

/** A recording played back through a socket: `transport` goes into the socket's options. */
export interface Replay {
  /** Give this as `options.transport` to the socket that replays. */
  readonly transport: () => Transport;
  /** The fake clock: the recorded time up to which events were fed (start: the first event's). */
  readonly time: number;
  /**
   * The fake clock itself (stepped mode), for a network lab to time its delays on, so that a
   * replay through a lab is repeatable: `networkLab({ preset: '3g', seed: 1, clock: replay.clock })`.
   */
  readonly clock: VirtualClock;
  /** Feed every event recorded up to `time` (recorded clock); `update()` then dispatches them. */
  advanceTo(time: number): void;
  /** Move the fake clock by `ms`. */
  advanceBy(ms: number): void;
  /** Feed everything left. */
  finish(): void;
  /** Whether every event was fed. */
  readonly done: boolean;
}

/** How a replay runs. */
export interface ReplayOptions {
  /** The fake clock to step (default: one of its own, from the first event's time). */
  clock?: VirtualClock;
  /** Play in real time from `open()`; without it the game steps the fake clock. */
  realtime?: {
    /** 2: twice as fast. Default 1. */
    speed?: number;
  };
}

/**
 * Play `recording` back: events reach the socket's queue with their recorded arrival times, so
 * handlers see the same events, in the same order, with the same `eventTime`.
 *
 * @example
 * ```ts
 * const replay = createReplay(decodeRecording(bytes));
 * const socket = new WebSocket('ws://replay.invalid', { transport: replay.transport });
 * socket.on('binary', (s, data) => world.apply(data, s.eventTime)).open();
 * replay.advanceBy(16); socket.update(); // one frame of the recorded session
 * ```
 */
export function createReplay(recording: readonly RecordedEvent[] | Uint8Array, options: ReplayOptions = {}): Replay {
  if (!(recording instanceof Uint8Array) && !Array.isArray(recording)) {
    throw new InvalidRecordingError(`createReplay() takes recorded events or their bytes, got ${quote(recording)}.`);
  }
  const events = recording instanceof Uint8Array ? decodeRecording(recording) : checkRecording(recording);
  const speed = options.realtime?.speed ?? 1;
  if (typeof speed !== 'number' || !(speed > 0) || !Number.isFinite(speed)) {
    throw new InvalidArgumentError(
      `realtime.speed must be a finite number above 0 (2: twice as fast), got ${quote(speed)}.`,
    );
  }
  const fake = options.clock ?? createVirtualClock(events[0]?.time ?? 0);
  let next = 0;
  let clock = fake.now();
  let sink: TransportSink | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let fakeTimer: unknown;

  /** Stop feeding; the sink the replay had, for its last word. */
  const end = (): TransportSink | undefined => {
    clearTimeout(timer);
    fake.clearTimeout(fakeTimer);
    const last = sink;
    sink = undefined;
    next = events.length;
    return last;
  };
  const feed = (until: number): void => {
    if (sink === undefined) return;
    while (next < events.length && events[next]!.time <= until) deliver(sink, events[next++]!);
  };
  const schedule = (speed: number): void => {
    const startedAt = performance.now();
    const origin = clock;
    const step = (): void => {
      clock = origin + (performance.now() - startedAt) * speed;
      feed(clock);
      if (next < events.length) timer = setTimeout(step, timerDelay((events[next]!.time - clock) / speed));
    };
    step();
  };
  // Stepped: each event is fed when the fake clock reaches its time, exactly (a lab on the same
  // clock then sees the recorded arrival times).
  const stepFake = (): void => {
    clock = fake.now();
    feed(clock);
    if (sink !== undefined && next < events.length) fakeTimer = fake.setTimeout(stepFake, events[next]!.time - clock);
  };

  const transport = (): Transport => ({
    canPause: false,
    canStreamFragments: false,
    bufferedAmount: 0,
    connect(target) {
      sink = target;
      if (options.realtime !== undefined) schedule(speed);
      else stepFake();
    },
    send: () => true, // a replay has no one to send to; sends are accepted and go nowhere
    close(code, reason) {
      // The recorded server is not there to answer: the close completes as if it had, at once.
      end()?.closed(code, reason, true);
    },
    abort() {
      end()?.closed(1006, '', false);
    },
    pause() {},
    resume() {},
  });

  return {
    transport,
    get time() {
      return clock;
    },
    clock: fake,
    get done() {
      return next >= events.length;
    },
    advanceTo(time) {
      if (options.realtime !== undefined) {
        if (time > clock) clock = time;
        feed(clock);
      } else {
        fake.advanceTo(time);
        clock = fake.now();
      }
    },
    advanceBy(ms) {
      this.advanceTo(clock + ms);
    },
    finish() {
      this.advanceTo(Number.POSITIVE_INFINITY);
    },
  };
}

function deliver(sink: TransportSink, event: RecordedEvent): void {
  switch (event.kind) {
    case 'open':
      sink.open({ protocol: event.protocol, extensions: event.extensions, response: null }, event.time);
      break;
    case 'message':
      sink.text(event.data, event.time);
      break;
    case 'binary':
      sink.binary(copyOf(event.data), event.time);
      break;
    case 'error':
      sink.error(new WebSocketError(event.code, event.message, { closeCode: event.closeCode }), event.time);
      break;
    case 'closed':
      sink.closed(event.code, event.reason, true, event.time);
      break;
  }
}
