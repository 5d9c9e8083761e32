// The zero-allocation receive path: a `binaryView` handler sees the same bytes a `binary` handler
// would have got, for every size class and every way a message reaches the queue (whole frames
// of a read, frames cut across reads, the byte log, large messages by reference), through
// coalescing, the manager, a reconnecting socket, replay and the network lab; a view used after
// its handler throws; and the path allocates nothing per message.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as CoreWebSocket } from '../../src/index.js';
import {
  type BinaryView,
  createReplay,
  networkLab,
  ReconnectingWebSocket,
  recordEvents,
  SocketManager,
  WebSocket,
} from '../../src/node.js';
import {
  closeAllServers,
  onGo,
  openSocket,
  pumpUntil,
  pumpUntilClosed,
  startServer,
  thrownBy,
  waitFor,
} from '../support/helpers.js';

afterEach(closeAllServers);

/** 0 B, small, around the 7- and 16-bit length forms and the 4 KiB log limit, larger than a read. */
const SIZES = [0, 1, 7, 64, 125, 126, 127, 4095, 4096, 4097, 65_535, 65_536, 70_000, 300_000];
/** Then 200 messages of 4000 B: they fill log blocks (16 per block) and are cut across TCP reads. */
const STRADDLING = 200;

/** Message `index`: its index in the first 4 bytes (when it has room), then a pattern of both. */
function message(index: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (index * 31 + i * 7) & 0xff;
  if (size >= 4) bytes.writeUInt32LE(index, 0);
  return bytes;
}
const sequence = (): Buffer[] => [
  ...SIZES.map((size, i) => message(i, size)),
  ...Array.from({ length: STRADDLING }, (_, i) => message(SIZES.length + i, 4000)),
];

/** A server that sends the whole sequence (in writes that cut frames) each time the client says go. */
function sequenceServer() {
  return startServer((client) =>
    client.on('message', () => {
      for (const bytes of sequence()) client.send(bytes);
      client.send('end');
    }),
  );
}

/** `seen` is the sequence, message by message (compared as bytes: toEqual on large buffers is slow). */
function expectSequence(seen: readonly Uint8Array[]): void {
  const expected = sequence();
  expect(seen.map((bytes) => bytes.length)).toEqual(expected.map((bytes) => bytes.length));
  const differing = expected.findIndex((bytes, i) => !bytes.equals(seen[i]!));
  expect(differing).toBe(-1);
}

/** What a handler reads through the view, checked against DataView reads of a copy. */
function readAll(view: BinaryView): Buffer {
  const copy = Buffer.from(view.copy());
  const shared = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  if (!shared.equals(copy)) throw new Error('buffer/byteOffset do not show the copied bytes');
  const data = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  for (const at of [0, 1, 3, view.byteLength - 8]) {
    if (at < 0 || at + 8 > view.byteLength) continue;
    const pairs: [number, number][] = [
      [view.u8(at), data.getUint8(at)],
      [view.i8(at), data.getInt8(at)],
      [view.u16(at), data.getUint16(at, true)],
      [view.i16(at), data.getInt16(at, true)],
      [view.u32(at), data.getUint32(at, true)],
      [view.i32(at), data.getInt32(at, true)],
      [view.f32(at), data.getFloat32(at, true)],
      [view.f64(at), data.getFloat64(at, true)],
    ];
    for (const [got, want] of pairs) if (!Object.is(got, want)) throw new Error(`read at ${at}: ${got} !== ${want}`);
  }
  const into = new Uint8Array(view.byteLength + 3);
  expect(view.copyTo(into, 3)).toBe(view.byteLength);
  if (!Buffer.from(into.subarray(3)).equals(copy)) throw new Error('copyTo() copied other bytes');
  return copy;
}

/** Pump `target` until `socket` got `end`; returns the binary messages its view handler read. */
async function receiveSequence(of: WebSocket | ReconnectingWebSocket, target: { update(): number } = of) {
  const socket = of as WebSocket; // the same handler API
  const seen: Buffer[] = [];
  let ended = false;
  socket.on('binaryView', (_s, view) => seen.push(readAll(view)));
  socket.on('message', (_s, text) => (ended = text === 'end'));
  socket.on('binary', () => {
    throw new Error('a binary message reached "binary" although "binaryView" has a handler');
  });
  await pumpUntil(target, () => socket.isOpen, { what: 'open' });
  socket.send('go');
  await pumpUntil(target, () => ended, { what: `the whole sequence (${seen.length} so far)` });
  return seen;
}

describe('binaryView', () => {
  it('shows every size class as "binary" would give it, and reads little-endian at any offset', async () => {
    const server = await sequenceServer();
    const viewed = new WebSocket(server.url).open();
    const plain = await openSocket(server.url);
    const plainSeen: Buffer[] = [];
    plain.on('binary', (_s, data) => plainSeen.push(Buffer.from(data)));
    plain.send('go');
    const seen = await receiveSequence(viewed);
    await pumpUntil(plain, () => plainSeen.length === sequence().length);
    expectSequence(seen);
    expectSequence(plainSeen);
  });

  it('a view kept past its handler throws view_expired; a read outside the message throws out_of_range', async () => {
    const server = await startServer(onGo((client) => client.send(message(1, 10))));
    const socket = await openSocket(server.url);
    let kept: BinaryView | undefined;
    const inside: string[] = [];
    socket.on('binaryView', (_s, view) => {
      kept = view;
      inside.push(thrownBy(() => view.u32(7)).code!, thrownBy(() => view.u8(-1)).code!);
      inside.push(thrownBy(() => view.u8(1.5)).code!, thrownBy(() => view.copy(4, 2)).code!);
      inside.push(thrownBy(() => view.copyTo(new Uint8Array(9))).code!);
      inside.push(String(view.u16(8)));
    });
    socket.send('go');
    await pumpUntil(socket, () => kept !== undefined);
    const u16At8 = String(message(1, 10).readUInt16LE(8));
    expect(inside).toEqual(['out_of_range', 'out_of_range', 'out_of_range', 'out_of_range', 'out_of_range', u16At8]);
    for (const use of [
      () => kept!.u8(0),
      () => kept!.f64(0),
      () => kept!.buffer,
      () => kept!.byteOffset,
      () => kept!.copy(),
    ]) {
      const error = thrownBy(use);
      expect(error.code).toBe('view_expired');
      expect(error.message).toMatch(/view\.copy\(\)/);
    }
    expect(kept!.byteLength).toBe(0);
  });

  it('a handler that throws loses no message after it, and its view still expires', async () => {
    const server = await startServer(
      onGo((client) => {
        for (const i of [1, 2, 3]) client.send(message(i, 8));
      }),
    );
    const socket = await openSocket(server.url, { onHandlerError: () => {} });
    const seen: number[] = [];
    const views: BinaryView[] = [];
    socket.on('binaryView', (_s, view) => {
      views.push(view);
      seen.push(view.u32(0));
      if (view.u32(0) === 1) throw new Error('game bug');
    });
    socket.send('go');
    await pumpUntil(socket, () => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
    expect(new Set(views).size).toBe(1); // one view, reused
    expect(thrownBy(() => views[0]!.u8(0)).code).toBe('view_expired');
  });

  it('keeps arrival order with text in between, honours maxEvents, and a handler change applies from the next event', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 30; i++) client.send(i % 7 === 6 ? `text ${i}` : message(i, 8));
      }),
    );
    const socket = await openSocket(server.url);
    const seen: string[] = [];
    const times: number[] = [];
    const second = (_s: unknown, view: BinaryView) => seen.push(`second ${view.u32(0)}`);
    socket.on('binaryView', (s, view) => {
      seen.push(`view ${view.u32(0)}`);
      times.push(s.eventTime);
      if (view.u32(0) === 3) s.on('binaryView', second); // from message 4 on
      if (view.u32(0) === 9) s.off('binaryView'); // message 10 goes to "binary"
    });
    socket.on('binary', (_s, data) => seen.push(`binary ${Buffer.from(data).readUInt32LE(0)}`));
    socket.on('message', (_s, text) => seen.push(text));
    socket.send('go');
    await waitFor(() => socket.queuedEvents === 30, { what: 'all 30 queued' });
    expect(socket.update({ maxEvents: 5 })).toBe(5);
    expect(seen).toEqual(['view 0', 'view 1', 'view 2', 'view 3', 'view 4', 'second 4']);
    expect(socket.update()).toBe(25);
    expect(seen.slice(6, 12)).toEqual(['view 5', 'second 5', 'text 6', 'view 7', 'second 7', 'view 8']);
    expect(seen.slice(12)).toEqual([
      'second 8',
      'view 9',
      'second 9',
      ...Array.from({ length: 20 }, (_, j) => j + 10).map((i) => (i % 7 === 6 ? `text ${i}` : `binary ${i}`)),
    ]);
    expect(times.every((time, i) => time > 0 && (i === 0 || time >= times[i - 1]!))).toBe(true);
  });

  it('coalesceBinary keys read the view: the newest snapshot per entity, in arrival order, as coalesce gives', async () => {
    const snapshot = (entity: number, seq: number) => {
      const bytes = Buffer.alloc(8);
      bytes.writeUInt32LE(entity, 0);
      bytes.writeUInt32LE(seq, 4);
      return bytes;
    };
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 1000; i++) client.send(snapshot(i % 10, i));
        client.send('chat');
      }),
    );
    const results: string[][] = [];
    for (const options of [
      { coalesceBinary: (view: BinaryView) => view.u32(0) },
      {
        coalesce: (data: string | Uint8Array) =>
          typeof data === 'string' ? undefined : Buffer.from(data).readUInt32LE(0),
      },
    ]) {
      const socket = await openSocket(server.url, options);
      const seen: string[] = [];
      socket.on('binaryView', (_s, view) => seen.push(`${view.u32(0)}:${view.u32(4)}`));
      socket.on('message', (_s, text) => seen.push(text));
      socket.send('go');
      await waitFor(() => socket.queuedEvents === 1001);
      expect(socket.update()).toBe(11);
      expect(socket.stats.coalesced).toBe(990);
      results.push(seen);
      socket.close();
    }
    expect(results[0]).toEqual([...Array.from({ length: 10 }, (_, i) => `${i}:${990 + i}`), 'chat']);
    expect(results[1]).toEqual(results[0]);
  });

  it('works through the manager, a reconnecting socket and the network lab', async () => {
    const server = await sequenceServer();
    const manager = new SocketManager();
    const managed = [new WebSocket(server.url, { manager }).open(), new WebSocket(server.url, { manager }).open()];
    const [first = [], second = []] = await Promise.all(managed.map((socket) => receiveSequence(socket, manager)));
    expectSequence(first);
    expectSequence(second);

    const reconnecting = new ReconnectingWebSocket(server.url).open();
    expectSequence(await receiveSequence(reconnecting));
    // Without a binaryView handler, the reconnecting socket's binary messages go to "binary" again.
    reconnecting.off('binaryView');
    reconnecting.off('binary');
    const plain: Buffer[] = [];
    reconnecting.on('binary', (_s, data) => plain.push(Buffer.from(data)));
    reconnecting.send('go');
    await pumpUntil(reconnecting, () => plain.length === sequence().length);
    expectSequence(plain);
    reconnecting.close();

    const lab = new WebSocket(server.url, { network: networkLab({ latency: 2, jitter: 1, seed: 7 }) }).open();
    expectSequence(await receiveSequence(lab));
  });

  it('is recorded and replayed: a replayed binaryView sees what the live one saw', async () => {
    const server = await sequenceServer();
    const live = new WebSocket(server.url).open();
    const recorder = recordEvents(live);
    const liveSeen = await receiveSequence(live);
    live.close();
    await pumpUntilClosed(live);
    const replay = createReplay(recorder.events);
    const replayed = new CoreWebSocket('ws://replay.invalid/', { transport: replay.transport });
    const replayedSeen: Buffer[] = [];
    replayed.on('binaryView', (_s, view) => replayedSeen.push(Buffer.from(view.copy())));
    replayed.open();
    while (!replay.done || replayed.state !== 'closed') {
      replay.advanceBy(16);
      replayed.update();
    }
    expectSequence(liveSeen);
    expectSequence(replayedSeen);
  });

  it('allocates nothing per message (the binary handler path, in the same test, does)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const count = 2000;
    const server = await startServer((client) =>
      client.on('message', () => {
        for (let i = 0; i < count; i++) client.send(message(i, 64));
      }),
    );
    const perMessage: Record<string, number> = {};
    for (const path of ['binary', 'binaryView'] as const) {
      const socket = await openSocket(server.url);
      let sum = 0;
      if (path === 'binary') socket.on('binary', (_s, data) => (sum += data[4]!));
      else socket.on('binaryView', (_s, view) => (sum += view.u8(4)));
      const rounds: number[] = [];
      for (let round = 0; round < 10; round++) {
        socket.send('go');
        await waitFor(() => socket.queuedEvents === count, { what: 'the burst queued' });
        gc();
        const before = process.memoryUsage().heapUsed;
        const dispatched = socket.update();
        rounds.push((process.memoryUsage().heapUsed - before) / count);
        expect(dispatched).toBe(count);
      }
      // the first rounds allocate while V8 compiles the code they run: the steady state is the last rounds
      perMessage[path] = Math.min(...rounds.slice(-3));
      expect(sum).toBeGreaterThan(0);
      socket.close();
    }
    expect(perMessage.binary).toBeGreaterThan(40);
    expect(perMessage.binaryView).toBeLessThanOrEqual(8);
  });
});
