// The network lab's model, on a virtual clock: every delay is what the conditions say, order is
// kept and nothing is lost, bandwidth caps bytes per second, a spike holds what is behind it,
// and a seed gives the same trace every time. Arrivals come from a replay on the same clock,
// so they are exact and repeatable.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  WebSocket as CoreWebSocket,
  createReplay,
  createVirtualClock,
  type NetworkLabOptions,
  networkLab,
  type RecordedEvent,
} from '../../src/index.js';
import { jitterOf, seededRandom } from '../../src/network/random.js';
import { createLoopback } from '../support/loopback.js';

const START = 1000;
/** The first message: a second after the open, which the handshake's round trip delays. */
const FIRST = START + 1000;

/** A session: open at START, `count` binary messages (4-byte index, then `size − 4` bytes) from FIRST, one every `every` ms, then closed. */
function session(count: number, every: number, size = 8): RecordedEvent[] {
  const events: RecordedEvent[] = [{ kind: 'open', time: START, protocol: '', extensions: '' }];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(size);
    new DataView(data.buffer).setUint32(0, i);
    events.push({ kind: 'binary', time: FIRST + i * every, data });
  }
  events.push({ kind: 'closed', time: FIRST + count * every, code: 1000, reason: 'done' });
  return events;
}

interface Arrival {
  index: number;
  sent: number;
  at: number;
}

/** Replay `events` through a lab with `conditions`, stepping 16 ms frames until closed. */
function run(
  events: RecordedEvent[],
  conditions: NetworkLabOptions,
  during?: (time: number, lab: ReturnType<typeof networkLab>) => void,
) {
  const clock = createVirtualClock(START);
  const replay = createReplay(events, { clock });
  const lab = networkLab({ ...conditions, clock });
  const socket = new CoreWebSocket('ws://lab.invalid/', { transport: replay.transport, network: lab });
  const sentAt = new Map<number, number>(events.flatMap((e, i) => (e.kind === 'binary' ? [[i - 1, e.time]] : [])));
  const arrivals: Arrival[] = [];
  const hash = createHash('sha256');
  let closed = 0;
  socket.on('binary', (s, data) => {
    const index = new DataView(data.buffer, data.byteOffset).getUint32(0);
    arrivals.push({ index, sent: sentAt.get(index)!, at: s.eventTime });
    hash.update(`${index}:${s.eventTime};`);
    hash.update(data);
  });
  socket.on('closed', (s, code) => {
    closed++;
    hash.update(`closed ${code} ${s.eventTime}`);
  });
  socket.open();
  for (let frames = 0; socket.state !== 'closed' && frames < 10_000_000; frames++) {
    clock.advanceBy(16);
    during?.(clock.now(), lab);
    socket.update();
  }
  return { arrivals, closed, lab, digest: hash.digest('hex') };
}

function expectInOrderAndWhole(arrivals: Arrival[], count: number): void {
  expect(arrivals.length).toBe(count);
  for (let i = 0; i < count; i++) expect(arrivals[i]!.index).toBe(i);
}

describe('network lab model (virtual clock)', () => {
  it('latency 100 ± 20 (uniform): every delay is the seeded draw, in bounds, in order, none lost over 10 000 messages', () => {
    const seed = 42;
    const { arrivals, closed } = run(session(10_000, 50), { latency: 100, jitter: 20, seed });
    expectInOrderAndWhole(arrivals, 10_000);
    expect(closed).toBe(1);
    // The model by hand: the down stream's draws, one per item (open first), and TCP order.
    const random = seededRandom(seed);
    let last = -Infinity;
    let min = Infinity;
    let max = -Infinity;
    const openDraw = 100 + jitterOf(random, 'uniform', 20);
    expect(openDraw).toBeGreaterThanOrEqual(80);
    for (const { sent, at } of arrivals) {
      const expected = Math.max(sent + 100 + jitterOf(random, 'uniform', 20), last);
      last = expected;
      expect(at).toBe(expected);
      const delay = at - sent;
      expect(delay).toBeGreaterThanOrEqual(80);
      expect(delay).toBeLessThanOrEqual(120);
      min = Math.min(min, delay);
      max = Math.max(max, delay);
    }
    expect(min).toBeLessThan(81); // the jitter is really there, across its whole range
    expect(max).toBeGreaterThan(119);
  });

  it('a delayed message holds back the ones behind it (TCP head-of-line), never reorders them', () => {
    const { arrivals } = run(session(5_000, 1), { latency: 50, jitter: 40, distribution: 'normal', seed: 3 });
    expectInOrderAndWhole(arrivals, 5_000);
    let held = 0;
    for (let i = 1; i < arrivals.length; i++) {
      expect(arrivals[i]!.at).toBeGreaterThanOrEqual(arrivals[i - 1]!.at);
      if (arrivals[i]!.at === arrivals[i - 1]!.at) held++;
    }
    expect(held).toBeGreaterThan(100); // messages 1 ms apart with 40 ms of jitter: many wait for the one ahead
  });

  it('normal and pareto jitter have the configured mean and spread (10 000 draws each)', () => {
    const normal = run(session(10_000, 500), { latency: 100, jitter: 20, distribution: 'normal', seed: 9 }).arrivals;
    const delays = normal.map((a) => a.at - a.sent);
    const mean = delays.reduce((sum, d) => sum + d, 0) / delays.length;
    const sd = Math.sqrt(delays.reduce((sum, d) => sum + (d - mean) ** 2, 0) / delays.length);
    expect(mean).toBeGreaterThan(99);
    expect(mean).toBeLessThan(101);
    expect(sd).toBeGreaterThan(19);
    expect(sd).toBeLessThan(21);
    const pareto = run(session(10_000, 500), { latency: 100, jitter: 20, distribution: 'pareto', seed: 9 }).arrivals;
    const tail = pareto.map((a) => a.at - a.sent - 100).sort((x, y) => x - y);
    expect(tail[0]).toBeGreaterThanOrEqual(0); // a tail above latency, never below
    const tailMean = tail.reduce((sum, d) => sum + d, 0) / tail.length;
    expect(tailMean).toBeGreaterThan(18);
    expect(tailMean).toBeLessThan(22);
    expect(tail[tail.length - 1]!).toBeGreaterThan(10 * tailMean); // heavy: the worst is far out
    expect(tail[tail.length - 1]!).toBeLessThanOrEqual(100 * 20); // and capped
  });

  it('bandwidth caps the bytes delivered per simulated second', () => {
    // 3 000 messages of 1 000 B offered at 10 000 B/ms, through 100 000 B/s: 30 s to drain.
    const { arrivals } = run(session(3_000, 0.1, 1000), { down: { bandwidth: 100_000 }, seed: 1 });
    expectInOrderAndWhole(arrivals, 3_000);
    const perSecond = new Map<number, number>();
    for (const { at } of arrivals) {
      const second = Math.floor((at - FIRST) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1000);
    }
    const last = Math.max(...perSecond.keys());
    expect(last).toBe(30); // the n-th is out at FIRST + 10 (n + 1) ms
    for (const [second, bytes] of perSecond) {
      expect(bytes).toBeLessThanOrEqual(100_000);
      if (second > 0 && second < last) expect(bytes).toBe(100_000);
    }
  });

  it('a spike holds everything behind it, then lets it out at once, in order', () => {
    let spiked = false;
    const { arrivals } = run(session(300, 10), { latency: 50, seed: 1 }, (time, lab) => {
      if (!spiked && time >= 3000) {
        spiked = true;
        lab.spike(500);
      }
    });
    expectInOrderAndWhole(arrivals, 300);
    const spikeAt = 3000; // a frame: START + 125 × 16
    const during = arrivals.filter((a) => a.at > spikeAt && a.at < spikeAt + 500);
    expect(during).toEqual([]);
    const released = arrivals.filter((a) => a.at === spikeAt + 500);
    expect(released.length).toBeGreaterThanOrEqual(49); // ~500 ms of 10 ms messages, held
    for (const a of arrivals) {
      if (a.at !== spikeAt + 500) expect(a.at - a.sent).toBe(50);
    }
  });

  it('scheduled spikes (every, duration) hold the link in each window', () => {
    const { arrivals } = run(session(2_000, 5), { spikes: { every: 1000, duration: 200 }, seed: 1 });
    expectInOrderAndWhole(arrivals, 2_000);
    for (const { at } of arrivals) {
      const phase = (at - START) % 1000;
      expect(phase === 0 || phase >= 200).toBe(true);
    }
  });

  it('the same seed gives the same trace 100 times; another seed another trace', () => {
    const events = session(500, 20);
    const digests = new Set<string>();
    for (let i = 0; i < 100; i++) digests.add(run(events, { preset: '3g', seed: 1234 }).digest);
    expect(digests.size).toBe(1);
    expect(run(events, { preset: '3g', seed: 1235 }).digest).not.toBe([...digests][0]);
  });

  it('a simulated hour of a 3G session at 20 Hz runs in seconds, with the same trace every run', () => {
    const events = session(72_000, 50, 64);
    const started = performance.now();
    const first = run(events, { preset: '3g', seed: 77 });
    const elapsed = performance.now() - started;
    expectInOrderAndWhole(first.arrivals, 72_000);
    expect(run(events, { preset: '3g', seed: 77 }).digest).toBe(first.digest);
    console.log(`one simulated hour (72 000 messages, 225 000 frames) in ${Math.round(elapsed)} ms of real time`);
  });

  it('up and down each have their own latency: a round trip gains both', () => {
    const clock = createVirtualClock(0);
    const loopback = createLoopback(clock);
    const lab = networkLab({ down: { latency: 30 }, up: { latency: 70 }, seed: 1, clock });
    const socket = new CoreWebSocket('ws://lab.invalid/', { transport: loopback.transport, network: lab });
    const echoes: number[] = [];
    let sentAt = 0;
    socket.on('open', (s) => {
      sentAt = clock.now();
      s.send('ping');
    });
    socket.on('message', (s) => echoes.push(s.eventTime - sentAt));
    socket.open();
    for (let i = 0; i < 100 && echoes.length === 0; i++) {
      clock.advanceBy(10);
      socket.update();
    }
    expect(loopback.received[0]!.at - sentAt).toBe(70);
    expect(echoes).toEqual([100]);
    socket.close();
  });
});
