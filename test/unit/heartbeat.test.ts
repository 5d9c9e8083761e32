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
  const { clock, advanceTo, sleep } = virtualClock(0.3);
  const pings: number[] = [];
  const failures: { at: number; error: WebSocketError }[] = [];
  const host = {
    get paused() {
      return options.paused?.() ?? false;
    },
    hasEnded: false,
    fail: (error: WebSocketError) => failures.push({ at: clock.now(), error }),
  };
  const transport = { ping: (sentAt: number) => pings.push(sentAt) } as unknown as Transport;
  const heartbeat = new Heartbeat(
    { pingInterval: INTERVAL, closeAfterNoMessage: LIMIT, appPing: undefined },
    transport,
    host,
    clock,
  );
  heartbeat.start();
  return { heartbeat, failures, pings, advanceTo, sleep, now: () => clock.now() };
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

  it('does not count a stall of its own as silence (a sleeping laptop, a held thread): it asks the server, and waits the limit from the wake', () => {
    const { heartbeat, failures, pings, advanceTo, sleep, now } = silenceWatch();
    heartbeat.heard(0);
    advanceTo(150);
    sleep(10_000); // nothing here ran: every timer comes late, once
    const woke = now();
    expect(failures).toEqual([]);
    expect(pings).toContain(woke); // the probe, at once
    for (let time = woke; time <= woke + 2_000; time += 1) advanceTo(time);
    expect(failures).toHaveLength(1); // the server did not answer it either
    expect(failures[0]!.at).toBeGreaterThan(woke + LIMIT);
    expect(failures[0]!.at).toBeLessThanOrEqual(woke + LIMIT + LIMIT / 4);
  });

  it('keeps a connection whose server answers the probe after the stall', () => {
    const { heartbeat, failures, advanceTo, sleep, now } = silenceWatch();
    heartbeat.heard(0);
    advanceTo(150);
    sleep(10_000);
    const woke = now();
    heartbeat.heard(woke + 5); // the reply to the probe
    for (let time = woke; time <= woke + 300; time += 1) advanceTo(time);
    heartbeat.heard(woke + 300);
    for (let time = woke + 300; time <= woke + 600; time += 1) advanceTo(time);
    expect(failures).toEqual([]);
    heartbeat.stop();
  });
});
