// closeAfterNoMessage on a virtual clock: when silence is detected is about time, so time is
// stepped (the real-server tests in test/node/heartbeat.test.ts show it on a real connection).
import { describe, expect, it } from 'vitest';
import type { WebSocketError } from '../../src/errors.js';
import { Heartbeat } from '../../src/heartbeat.js';
import type { Transport } from '../../src/transport.js';
import { virtualClock } from '../support/virtual-clock.js';

const LIMIT = 400;
const INTERVAL = 100;

function silenceWatch(options: { paused?: () => boolean } = {}) {
  const { clock, advanceTo } = virtualClock(0.3);
  const failures: { at: number; error: WebSocketError }[] = [];
  const host = {
    get paused() {
      return options.paused?.() ?? false;
    },
    hasEnded: false,
    fail: (error: WebSocketError) => failures.push({ at: clock.now(), error }),
  };
  const transport = { ping: () => {} } as unknown as Transport;
  const heartbeat = new Heartbeat(
    { pingInterval: INTERVAL, closeAfterNoMessage: LIMIT, appPing: undefined },
    transport,
    host,
    clock,
  );
  heartbeat.start();
  return { heartbeat, failures, advanceTo };
}

describe('closeAfterNoMessage', () => {
  it('fails a silent connection once, after the limit and within a quarter of it more', () => {
    const { heartbeat, failures, advanceTo } = silenceWatch();
    heartbeat.heard(0);
    for (let time = 0; time <= 2_000; time += 1) advanceTo(time);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error.code).toBe('timeout');
    expect(failures[0]!.at).toBeGreaterThan(LIMIT);
    expect(failures[0]!.at).toBeLessThanOrEqual(LIMIT + LIMIT / 4);
    expect(failures[0]!.error.message).toMatch(/closeAfterNoMessage 400 ms/);
  });

  it('keeps a connection that is heard within the limit, however long it lasts', () => {
    const { heartbeat, failures, advanceTo } = silenceWatch();
    for (let time = 0; time <= 10_000; time += 350) {
      heartbeat.heard(time);
      advanceTo(time);
    }
    expect(failures).toEqual([]);
    heartbeat.stop();
  });

  it('does not count the game’s own pause of reading as the server’s silence', () => {
    let paused = true;
    const { heartbeat, failures, advanceTo } = silenceWatch({ paused: () => paused });
    heartbeat.heard(0);
    advanceTo(1_500); // paused: the server may be talking, the game is not reading
    expect(failures).toEqual([]);
    paused = false;
    for (let time = 1_500; time <= 3_000; time += 1) advanceTo(time);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.at).toBeGreaterThan(1_500 + LIMIT - LIMIT / 4); // the limit counts from the last pause check
    expect(failures[0]!.at).toBeLessThanOrEqual(1_500 + LIMIT + LIMIT / 4);
  });

  it('does not start counting before the connection opens (nothing heard yet)', () => {
    const { failures, advanceTo } = silenceWatch();
    advanceTo(5_000);
    expect(failures).toEqual([]);
  });
});
