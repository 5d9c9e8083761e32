// The loop helpers against the real objects they attach to: PixiJS's Ticker and Babylon's
// Observable (both run in Node), and a fixed-step loop with a real server.
import { Observable } from '@babylonjs/core/Misc/observable.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attachToObservable,
  attachToTicker,
  InvalidOptionError,
  ReconnectingWebSocket,
  SocketManager,
  startFixedStep,
  WebSocket,
} from '../../src/node.js';
import { closeAllServers, onGo, sleep, startServer, waitFor } from '../support/helpers.js';

afterEach(closeAllServers);

/** Counts update() calls and records them in `log`. */
function countingTarget(log: string[]) {
  return {
    calls: 0,
    update() {
      this.calls++;
      log.push('update');
      return 0;
    },
  };
}

// pixi.js reads `navigator` when it loads; Node 21+ has one, Node 20 gets the same shape here.
async function loadPixiTicker() {
  if (!('navigator' in globalThis)) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: `Node.js/${process.version}` },
      configurable: true,
    });
  }
  return import('pixi.js');
}

describe('attachToTicker (PixiJS Ticker)', () => {
  it('pumps before the game’s NORMAL-priority listeners, even ones added first, until detached', async () => {
    const { Ticker, UPDATE_PRIORITY } = await loadPixiTicker();
    const ticker = new Ticker();
    ticker.autoStart = false;
    const log: string[] = [];
    ticker.add(() => log.push('game logic'), undefined, UPDATE_PRIORITY.NORMAL);
    const target = countingTarget(log);
    const detach = attachToTicker(target, ticker);
    ticker.update(1000);
    ticker.update(1016);
    expect(log).toEqual(['update', 'game logic', 'update', 'game logic']);
    detach();
    ticker.update(1032);
    expect(target.calls).toBe(2);
    ticker.destroy();
  });
});

describe('attachToObservable (Babylon.js Observable)', () => {
  it('pumps on every notification until detached', () => {
    const beforeRender = new Observable<unknown>();
    const log: string[] = [];
    const target = countingTarget(log);
    const detach = attachToObservable(target, beforeRender);
    beforeRender.notifyObservers({});
    beforeRender.notifyObservers({});
    detach();
    beforeRender.notifyObservers({});
    expect(target.calls).toBe(2);
    expect(beforeRender.hasObservers()).toBe(false);
  });
});

describe('startFixedStep', () => {
  it('dispatches each step’s network events before the step’s game logic, and stops for good', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 3; i++) setTimeout(() => client.send(`m${i}`), 20 * i);
      }),
    );
    const manager = new SocketManager();
    const socket = new WebSocket(server.url, { manager });
    const log: string[] = [];
    socket.on('open', (s) => s.send('go'));
    socket.on('message', (_s, text) => log.push(`message ${text}`));
    let ticks = 0;
    const stop = startFixedStep(manager, {
      hz: 100,
      onTick: (dt, tick) => {
        expect(dt).toBeCloseTo(0.01);
        expect(tick).toBe(ticks++);
        log.push('tick');
      },
    });
    socket.open();
    await waitFor(() => log.filter((entry) => entry.startsWith('message')).length === 3, { what: '3 messages' });
    stop();
    const ticksWhenStopped = ticks;
    await sleep(50);
    expect(ticks).toBe(ticksWhenStopped);
    // Every message is followed by the tick of its own step (handlers run first in a step).
    for (const [index, entry] of log.entries()) {
      if (entry.startsWith('message')) expect(log.slice(index + 1).find((next) => next === 'tick')).toBe('tick');
    }
    expect(log.filter((entry) => entry.startsWith('message'))).toEqual(['message m0', 'message m1', 'message m2']);
    socket.close();
    manager.update();
  });

  it.each([0, -5, Number.NaN, Infinity])('refuses hz = %s with invalid_option', (hz) => {
    expect(() => startFixedStep({ update: () => 0 }, { hz })).toThrow(InvalidOptionError);
  });

  it('tells the game of a step that comes after a long stall, with the manager’s backlog, once', async () => {
    const server = await startServer(onGo((client) => client.send('after the stall')));
    const manager = new SocketManager();
    const socket = new WebSocket(server.url, { manager });
    socket.on('open', (s) => s.send('go'));
    const gaps: { gapMs: number; events: number }[] = [];
    let stalled = false;
    let ticks = 0;
    const stop = startFixedStep(manager, {
      hz: 50,
      longGapMs: 300,
      onLongGap: (gapMs, backlog) => gaps.push({ gapMs, events: backlog.events }),
      onTick: () => {
        ticks++;
        if (socket.isOpen && !stalled) {
          stalled = true;
          const until = performance.now() + 400; // the game stalls on this step
          while (performance.now() < until);
        }
      },
    });
    socket.open();
    await waitFor(() => stalled && ticks > 20, { what: 'steps after the stall' });
    stop();
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.gapMs).toBeGreaterThanOrEqual(400);
    socket.close();
    manager.update();
  });

  it.each([0, -1, Number.NaN])('refuses longGapMs = %s with invalid_option', (longGapMs) => {
    expect(() => startFixedStep({ update: () => 0 }, { hz: 10, longGapMs })).toThrow(InvalidOptionError);
    expect(() => attachToObservable({ update: () => 0 }, new Observable(), { longGapMs })).toThrow(InvalidOptionError);
  });
});

describe('backlog', () => {
  it('a manager and a reconnecting socket say what waits, as a socket does', async () => {
    const server = await startServer(onGo((client) => client.send('one')));
    const manager = new SocketManager();
    const plain = new WebSocket(server.url, { manager });
    const again = new ReconnectingWebSocket(server.url, { manager });
    plain.on('open', (s) => s.send('go'));
    again.on('open', (s) => s.send('go'));
    plain.open();
    again.open();
    await waitFor(() => manager.queuedEvents >= 2, { what: 'both open' });
    manager.update(); // the opens; the gos go out
    await waitFor(() => manager.queuedEvents === 2, { what: 'both messages queued' });
    expect(plain.backlog.events).toBe(1);
    expect(again.backlog.events).toBe(1);
    expect(manager.backlog).toMatchObject({ events: 2, bytes: 6 });
    manager.update();
    expect(manager.backlog).toEqual({ events: 0, bytes: 0, oldestAgeMs: 0 });
    manager.closeAll();
    manager.update();
  });
});
