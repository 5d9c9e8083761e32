// The network lab over real `ws` servers on loopback: half-open and dropped connections end in
// the documented events with exactly one `closed`, a reconnecting socket keeps its lab across
// connections, refused connects fail as refused, sends are the socket's own copy, and bad
// conditions are typed errors.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as CoreWebSocket, createVirtualClock, InvalidOptionError, networkLab } from '../../src/index.js';
import { ReconnectingWebSocket, WebSocket } from '../../src/node.js';
import { closeFaultServers, startPinningServer } from '../faults/fault-server.js';
import {
  closeAllServers,
  collectGarbage,
  kinds,
  pumpUntil,
  record,
  sleep,
  startServer,
  thrownBy,
  waitFor,
} from '../support/helpers.js';
import { createLoopback } from '../support/loopback.js';

afterEach(closeAllServers);
afterEach(closeFaultServers);

const echo = (socket: import('ws').WebSocket) =>
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));

describe('network lab on real connections', () => {
  it('takes a preset name in Node; socket.network is the lab and shows its conditions', async () => {
    const server = await startServer(echo);
    const socket = new WebSocket(server.url, { network: { preset: '3g', latency: 30, jitter: 0, loss: 0, seed: 5 } });
    expect(socket.network?.conditions.preset).toBe('3g');
    expect(socket.network?.conditions.down).toMatchObject({ latency: 30, bandwidth: 250_000 });
    expect(socket.network?.seed).toBe(5);
    const log = record(socket);
    socket.on('open', (s) => s.send('hello'));
    socket.open();
    await pumpUntil(socket, () => log.some(([kind]) => kind === 'message'));
    expect(log[1]).toEqual(['message', 'hello']);
    expect(socket.network!.stats.down.lastDelay).toBeGreaterThanOrEqual(30);
    expect(socket.network!.stats.up.messages).toBe(1);
    expect(new WebSocket(server.url).network).toBeUndefined();
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('a send is the socket’s own: a buffer changed after send() is not what the server gets', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { network: { up: { latency: 40 }, seed: 1 } });
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    const client = await server.nextClient();
    const got: Buffer[] = [];
    client.on('message', (data) => got.push(data as Buffer));
    const buffer = new Uint8Array(1000).fill(1);
    socket.send(buffer);
    buffer.fill(9);
    // A Node Buffer too: its slice() is a view, not a copy.
    const nodeBuffer = Buffer.alloc(1000, 2);
    socket.send(nodeBuffer);
    nodeBuffer.fill(9);
    await pumpUntil(socket, () => got.length === 2);
    expect([...new Set(got[0])]).toEqual([1]);
    expect([...new Set(got[1])]).toEqual([2]);
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('a round trip gains both latencies: heartbeat latency is at least 2 × 40 ms', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { network: { latency: 40, seed: 1 }, pingInterval: 30 });
    socket.open();
    await pumpUntil(socket, () => socket.latency > 0, { timeoutMs: 5_000, what: 'a pong' });
    expect(socket.latency).toBeGreaterThanOrEqual(80);
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('half-open: nothing arrives, sends vanish; the heartbeat ends it with timeout, then one closed', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { network: 'lan', pingInterval: 40, closeAfterNoMessage: 250 });
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    const client = await server.nextClient();
    const reached: string[] = [];
    client.on('message', (data) => reached.push(String(data)));
    socket.send('before');
    await pumpUntil(socket, () => reached.length === 1);
    socket.network!.halfOpen();
    socket.send('after');
    client.send('lost on the way');
    await pumpUntil(socket, () => socket.state === 'closed', { timeoutMs: 5_000, what: 'the heartbeat' });
    expect(reached).toEqual(['before']);
    expect(kinds(log)).toEqual(['open', 'error', 'errorDesc', 'closed']);
    expect(log[1]).toEqual(['error', 'timeout']);
    expect(log[3]).toEqual(['closed', 1006, '']);
    socket.update();
    expect(kinds(log).filter((kind) => kind === 'closed')).toHaveLength(1);
  });

  it('half-open while the server also closes: the socket still ends once, through its heartbeat', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { network: {}, pingInterval: 40, closeAfterNoMessage: 200 });
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    const client = await server.nextClient();
    socket.network!.halfOpen();
    client.terminate();
    await pumpUntil(socket, () => socket.state === 'closed', { timeoutMs: 5_000, what: 'the heartbeat' });
    expect(kinds(log)).toEqual(['open', 'error', 'errorDesc', 'closed']);
    expect(log[1]).toEqual(['error', 'timeout']);
  });

  it('close() on a half-open connection ends it at once with 1006 (the close frame would vanish)', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { network: {} });
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    socket.network!.halfOpen();
    socket.close(1000);
    await pumpUntil(socket, () => socket.state === 'closed');
    expect(log.at(-1)).toEqual(['closed', 1006, '']);
    expect(kinds(log).filter((kind) => kind === 'closed')).toHaveLength(1);
  });

  it('disconnect: connection_lost, then one closed 1006; a scripted drop does the same', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url, { network: { latency: 10, seed: 2 } });
    const log = record(socket);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    socket.network!.disconnect();
    await pumpUntil(socket, () => socket.state === 'closed');
    expect(kinds(log)).toEqual(['open', 'error', 'errorDesc', 'closed']);
    expect(log[1]).toEqual(['error', 'connection_lost']);
    expect(log[3]).toEqual(['closed', 1006, '']);

    const scripted = new WebSocket(server.url, { network: { faults: [{ at: 150, fault: 'disconnect' }], seed: 2 } });
    const scriptedLog = record(scripted);
    scripted.open();
    await pumpUntil(scripted, () => scripted.state === 'closed', { timeoutMs: 5_000, what: 'the scripted drop' });
    expect(kinds(scriptedLog)).toEqual(['open', 'error', 'errorDesc', 'closed']);
    expect(scriptedLog[1]).toEqual(['error', 'connection_lost']);
  });

  it('a reconnecting socket keeps its lab across connections: refused connects, then open with the same conditions', async () => {
    const server = await startServer();
    const socket = new ReconnectingWebSocket(server.url, {
      network: { latency: 15, seed: 3 },
      reconnect: { minDelay: 20, maxDelay: 40, minUptime: 0 },
    });
    const events: string[] = [];
    socket.on('open', () => events.push('open'));
    socket.on('reconnecting', (_s, attempt) => events.push(`reconnecting ${attempt}`));
    socket.on('error', (_s, error) => events.push(error.code));
    const lab = socket.network!;
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    lab.refuse(2);
    lab.disconnect();
    await pumpUntil(socket, () => events.filter((e) => e === 'open').length === 2, {
      timeoutMs: 5_000,
      what: 'the reconnect',
    });
    expect(events).toEqual([
      'open',
      'connection_lost',
      'reconnecting 1',
      'connection_refused',
      'reconnecting 2',
      'connection_refused',
      'reconnecting 3',
      'open',
    ]);
    expect(socket.network).toBe(lab);
    expect(lab.conditions.down.latency).toBe(15);
    expect(server.clients).toHaveLength(2); // the refused ones never reached the server
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('a reconnecting socket on a half-open connection: the heartbeat ends it (timeout), then it reconnects', async () => {
    const server = await startServer();
    const socket = new ReconnectingWebSocket(server.url, {
      network: { seed: 4 },
      pingInterval: 40,
      closeAfterNoMessage: 200,
      reconnect: { minDelay: 20, maxDelay: 40, minUptime: 0 },
    });
    const events: string[] = [];
    socket.on('open', () => events.push('open'));
    socket.on('reconnecting', () => events.push('reconnecting'));
    socket.on('error', (_s, error) => events.push(error.code));
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    socket.network!.halfOpen();
    await pumpUntil(socket, () => events.filter((e) => e === 'open').length === 2, {
      timeoutMs: 5_000,
      what: 'the reconnect',
    });
    expect(events).toEqual(['open', 'timeout', 'reconnecting', 'open']);
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('bad conditions are typed errors that name the field; browsers-style entries ask for a lab', () => {
    const bad = [
      { network: 'dialup' },
      { network: { latency: -1 } },
      { network: { jitter: Number.NaN } },
      { network: { distribution: 'gauss' } },
      { network: { loss: 120 } },
      { network: { spikes: { every: 100, duration: 100 } } },
      { network: { faults: [{ at: 0, fault: 'explode' }] } },
      { network: { lag: 100 } },
      { network: { seed: -1 } },
    ];
    for (const options of bad) {
      const error = thrownBy(() => new WebSocket('ws://127.0.0.1:1', options as never));
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionError);
      expect(error.code).toBe('invalid_option');
      expect(error.message).toMatch(/network/);
    }
    const core = thrownBy(
      () => new CoreWebSocket('ws://127.0.0.1:1', { transport: () => ({}) as never, network: '3g' as never }),
    );
    expect(core.code).toBe('invalid_option');
    expect(core.message).toContain('networkLab(');
    expect(() => networkLab('3g').spike(-5)).toThrow(/spike\(\) takes a duration/);
    expect(() => networkLab('3g').set({ seed: 1 } as never)).toThrow(/keeps its seed/);
  });
});

describe('network lab buffer', () => {
  it('what waits in the lab counts what it keeps alive: 1-byte messages that each pin a 60 KB read do not hold the reads', async () => {
    const count = 1000;
    const pinning = await startPinningServer(count);
    await collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    // Everything waits in the lab for 30 s: long past the writes.
    const socket = new WebSocket(pinning.server.url, {
      perMessageDeflate: false,
      network: { down: { latency: 30_000 }, seed: 1 },
    });
    socket.open();
    await waitFor(() => pinning.written() === count, { timeoutMs: 20_000, what: 'the writes' });
    await sleep(200); // the last reads
    await collectGarbage();
    const held = process.memoryUsage().arrayBuffers - before;
    const { inFlightBytes } = socket.network!.stats.down;
    expect(inFlightBytes).toBeGreaterThan(count * 64); // every message waits, each counted with its record
    expect(inFlightBytes).toBeLessThan(count * 200); // ...and not with the read it came in
    expect(held).toBeLessThan(16 * 1024 * 1024); // holding the reads: 60 MB
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });

  it('the downlink holds about `buffer` bytes: beyond it reading pauses (TCP holds the server back), nothing lost', async () => {
    const count = 1000;
    const server = await startServer((client) => {
      for (let i = 0; i < count; i++) {
        // A buffer each: ws writes the server's frames without a copy, and a socket held back by
        // TCP keeps them queued, so one reused buffer would send its last contents many times.
        const payload = Buffer.alloc(4096);
        payload.writeUInt32LE(i, 0);
        client.send(payload);
      }
    });
    const buffer = 64 * 1024;
    const socket = new WebSocket(server.url, { network: { down: { bandwidth: 4_000_000 }, buffer, seed: 1 } });
    const order: number[] = [];
    socket.on('binary', (_s, data) => order.push(Buffer.from(data).readUInt32LE(0)));
    socket.open();
    await pumpUntil(socket, () => order.length === count, { timeoutMs: 10_000, what: '4 MB through 4 MB/s' });
    expect(order).toEqual(Array.from({ length: count }, (_, i) => i));
    const { peakInFlightBytes } = socket.network!.stats.down;
    expect(peakInFlightBytes).toBeLessThanOrEqual(buffer + 2 * 4096);
    expect(peakInFlightBytes).toBeGreaterThan(buffer / 2);
    socket.close();
    await pumpUntil(socket, () => socket.state === 'closed');
  });
});

describe('network lab controls', () => {
  it('clear() cancels the faults still to come (virtual clock)', () => {
    const clock = createVirtualClock();
    const loopback = createLoopback(clock);
    const script = (clear: boolean) => {
      const lab = networkLab({ faults: [{ at: 100, fault: 'disconnect' }], latency: 5, seed: 1, clock });
      const socket = new CoreWebSocket('ws://lab.invalid/', { transport: loopback.transport, network: lab }).open();
      clock.advanceBy(50);
      socket.update();
      if (clear) lab.clear();
      clock.advanceBy(1000);
      socket.update();
      return socket.state;
    };
    expect(script(false)).toBe('closed'); // the script runs...
    expect(script(true)).toBe('open'); // ...unless cleared
  });
});
