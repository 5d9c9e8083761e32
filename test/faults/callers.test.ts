// Careless callers and bad files: every public argument and option that the probes of issue 12
// got past the checks, now refused with a typed error and a stable code; recordings validated;
// heartbeat timing on a virtual clock (the ping schedule is about time, so time is stepped).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '../../src/heartbeat.js';
import {
  createReplay,
  decodeRecording,
  encodeRecording,
  MAX_TIMER_DELAY,
  type RecordedEvent,
  type Transport,
  WebSocket,
} from '../../src/node.js';
import { closeAllServers, openSocket, pumpUntilClosed, startServer, thrownBy } from '../support/helpers.js';
import { virtualClock } from '../support/virtual-clock.js';

afterEach(async () => {
  vi.useRealTimers();
  await closeAllServers();
});

describe('4. URLs in messages carry no user info and no query', () => {
  it('InvalidUrlError for a URL with credentials and a token', () => {
    const error = thrownBy(() => new WebSocket('ftp://alice:s3cret@example.com/room?token=abc123'));
    expect(error.code).toBe('invalid_url');
    expect(error.message).not.toMatch(/alice|s3cret|abc123/);
    expect(error.message).toMatch(/ftp:\/\/example\.com\/room\?…/);
  });

  it('a transport that cannot start: its exception (which names the URL) stays in error.cause only', () => {
    const url = 'ws://alice:s3cret@127.0.0.1:9/room?token=abc123';
    const failing = (): Transport => {
      throw new Error(`cannot connect to ${url}`);
    };
    const transport = (): Transport => ({
      canPause: false,
      canStreamFragments: false,
      bufferedAmount: 0,
      connect: () => failing(),
      send: () => false,
      close() {},
      abort() {},
      pause() {},
      resume() {},
    });
    const socket = new WebSocket(url, { transport });
    const texts: string[] = [];
    socket.on('error', (_s, error) => texts.push(error.message));
    socket.on('errorDesc', (_s, description) => texts.push(description));
    socket.open();
    socket.update();
    expect(texts).toHaveLength(2);
    for (const text of texts) expect(text).not.toMatch(/alice|s3cret|abc123/);
  });
});

describe('7. maxPayload is validated, and bounded by the queue', () => {
  it.each([2 ** 31, 2 ** 32, Number.NaN, -1, 0, 1.5, Number.POSITIVE_INFINITY, 'abc', 60 * 1024 * 1024])(
    'maxPayload %s: invalid_option',
    (maxPayload) => {
      const error = thrownBy(() => new WebSocket('ws://127.0.0.1:9/', { maxPayload: maxPayload as number }));
      expect(error.code).toBe('invalid_option');
      expect(error.message).toMatch(/maxPayload/);
    },
  );

  it('past 2^31 - 1 even with a queue large enough: ws would read it as no limit', () => {
    const queue = { maxBytes: 16 * 2 ** 30 };
    expect(thrownBy(() => new WebSocket('ws://127.0.0.1:9/', { queue, maxPayload: 2 ** 32 })).code).toBe(
      'invalid_option',
    );
    expect(() => new WebSocket('ws://127.0.0.1:9/', { queue, maxPayload: 2 ** 31 - 1 })).not.toThrow();
  });

  it.each([
    [{ maxBytes: Number.POSITIVE_INFINITY }],
    [{ maxBytes: 1.5 }],
    [{ highWaterBytes: 64 * 1024 * 1024 }], // at the hard cap: no room for the message that crosses it
  ])('queue %j: invalid_option', (queue) => {
    expect(thrownBy(() => new WebSocket('ws://127.0.0.1:9/', { queue })).code).toBe('invalid_option');
  });
});

describe('13. every public argument checked', () => {
  it.each([[{ maxEvents: Number.NaN }], [{ maxEvents: -1 }], [{ maxMs: Number.NaN }], [{ maxMs: '2' }], [null], [5]])(
    'update(%j): invalid_argument, even with nothing queued',
    (budget) => {
      const socket = new WebSocket('ws://127.0.0.1:9/');
      const error = thrownBy(() => socket.update(budget as never));
      expect(error.code).toBe('invalid_argument');
    },
  );

  it('send() of a detached buffer or a view of one: invalid_payload, nothing sent', async () => {
    const received: unknown[] = [];
    const server = await startServer((client) => client.on('message', (data) => received.push(data)));
    const socket = await openSocket(server.url);
    const buffer = new ArrayBuffer(8);
    const view = new Uint8Array(buffer);
    const dataView = new DataView(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    expect(thrownBy(() => socket.send(buffer)).code).toBe('invalid_payload');
    expect(thrownBy(() => socket.send(view)).code).toBe('invalid_payload');
    expect(thrownBy(() => socket.send(dataView)).code).toBe('invalid_payload');
    expect(socket.stats.messagesOut).toBe(0);
    socket.close();
    await pumpUntilClosed(socket);
    expect(received).toEqual([]);
  });
});

describe('15 and 18. recordings are validated', () => {
  const open: RecordedEvent = { kind: 'open', time: 0, protocol: '', extensions: '' };
  const valid = encodeRecording([open, { kind: 'message', time: 5, data: 'hello' }]);

  it.each([
    ['empty', new Uint8Array(0)],
    ['garbage', new Uint8Array([9, 9, 9, 9, 9, 9])],
    ['truncated inside an event', valid.subarray(0, valid.length - 3)],
    ['truncated inside a time', valid.subarray(0, 6)],
    ['an unknown kind', Uint8Array.from([...valid.subarray(0, 4), 42])],
  ])('%s: invalid_recording from decodeRecording and createReplay', (_name, bytes) => {
    expect(thrownBy(() => decodeRecording(bytes)).code).toBe('invalid_recording');
    expect(thrownBy(() => createReplay(bytes)).code).toBe('invalid_recording');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('an event at time %s: invalid_recording', (time) => {
    const events = [open, { kind: 'message', time, data: 'x' } as RecordedEvent];
    expect(thrownBy(() => createReplay(events)).code).toBe('invalid_recording');
    expect(thrownBy(() => decodeRecording(encodeRecording(events))).code).toBe('invalid_recording');
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('realtime speed %s: invalid_argument', (speed) => {
    expect(thrownBy(() => createReplay([open], { realtime: { speed } })).code).toBe('invalid_argument');
  });

  it('an event far in the future waits on a timer that holds its delay, not a 1 ms spin', () => {
    vi.useFakeTimers();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const replay = createReplay([open, { kind: 'message', time: 1e300, data: 'late' }], { realtime: {} });
    const socket = new WebSocket('ws://replay.invalid/', { transport: replay.transport });
    socket.open();
    const delays = setTimeoutSpy.mock.calls.map((call) => call[1]);
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.every((delay) => (delay ?? 0) <= MAX_TIMER_DELAY)).toBe(true);
    expect(delays.at(-1)).toBe(MAX_TIMER_DELAY);
    socket.close();
  });
});

describe('17. a replay the game closes ends with closed', () => {
  it('close() on a replaying socket dispatches closed with the game’s code and reason, once', () => {
    const replay = createReplay([
      { kind: 'open', time: 0, protocol: '', extensions: '' },
      { kind: 'message', time: 10, data: 'one' },
      { kind: 'message', time: 20, data: 'two' },
    ]);
    const socket = new WebSocket('ws://replay.invalid/', { transport: replay.transport });
    const log: string[] = [];
    socket.on('open', () => log.push('open'));
    socket.on('message', (_s, text) => log.push(text));
    socket.on('closed', (_s, code, reason) => log.push(`closed ${code} ${reason}`));
    socket.open();
    replay.advanceTo(10);
    socket.update();
    socket.close(4000, 'leaving');
    socket.update();
    replay.finish();
    socket.update();
    expect(log).toEqual(['open', 'one', 'closed 4000 leaving']);
    expect(socket.state).toBe('closed');
  });
});

describe('16. pings go out every pingInterval, even when the timer fires a little early', () => {
  it('10 intervals, 10 pings (and silence checked on its own timer)', () => {
    const pings: number[] = [];
    const transport = { ping: (sentAt: number) => pings.push(sentAt) } as unknown as Transport;
    const host = { paused: false, hasEnded: false, fail: () => {} };
    const { clock, advanceTo } = virtualClock(0.3); // timers fire 0.3 ms early, as real ones may
    const heartbeat = new Heartbeat(
      { pingInterval: 100, closeAfterNoMessage: 1_000, appPing: undefined },
      transport,
      host,
      clock,
    );
    heartbeat.start();
    heartbeat.heard(0);
    advanceTo(1_000);
    heartbeat.stop();
    expect(pings).toHaveLength(10);
    const gaps = pings.slice(1).map((at, i) => at - pings[i]!);
    expect(gaps.every((gap) => Math.abs(gap - 100) < 1)).toBe(true);
  });
});
