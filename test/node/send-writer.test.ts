// The zero-copy send path: `send(bytes, start, end)` sends the range and owns a copy of it when it
// returns; `beginBinary(size)` builds a message in place, and its frame is byte for byte the one
// `send()` makes of the same bytes (unmasked: masks are random), with the shortest length form.
// Frames built by the library leave in the order the game sent them, before a close, through
// the slab's renewal; where a transport has no send buffer of its own the writer still works.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { networkLab } from '../../src/node.js';
import { closeFaultServers, startFaultServer } from '../faults/fault-server.js';
import { closeAllServers, openSocket, pumpUntil, pumpUntilClosed, startServer, thrownBy } from '../support/helpers.js';

afterEach(async () => {
  await closeAllServers();
  await closeFaultServers();
});

/** A client frame as it came: first byte, the length field's form, and the unmasked payload. */
interface RawFrame {
  first: number;
  lengthForm: 'short' | '16-bit' | '64-bit';
  payload: Buffer;
}

/** Every frame the client writes, parsed from the raw TCP bytes. */
function captureFrames(socket: Socket, frames: RawFrame[]): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      let length = pending[1]! & 0x7f;
      let at = 2;
      let lengthForm: RawFrame['lengthForm'] = 'short';
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        [at, lengthForm] = [4, '16-bit'];
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        [at, lengthForm] = [10, '64-bit'];
      }
      if ((pending[1]! & 0x80) === 0) throw new Error('an unmasked client frame');
      if (pending.length < at + 4 + length) return;
      const mask = pending.subarray(at, at + 4);
      const payload = Buffer.from(pending.subarray(at + 4, at + 4 + length).map((byte, i) => byte ^ mask[i % 4]!));
      frames.push({ first: pending[0]!, lengthForm, payload });
      pending = pending.subarray(at + 4 + length);
    }
  });
}

async function rawServer() {
  const frames: RawFrame[] = [];
  const server = await startFaultServer((socket) => captureFrames(socket, frames));
  const socket = await openSocket(server.url);
  return { socket, frames };
}

const pattern = (size: number, seed = 1) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 13 + seed) & 0xff));

describe('send(bytes, start, end)', () => {
  it('sends exactly the range, and owns a copy of it when send() returns', async () => {
    const { socket, frames } = await rawServer();
    const source = pattern(300);
    socket.send(source, 10, 20);
    socket.send(source, 100); // to the end
    socket.send(source, 5, 5); // empty
    socket.send(new Uint16Array([1, 2, 3]), 2, 6); // any ArrayBufferView, in bytes
    source.fill(0); // reused at once: what was sent does not change
    await pumpUntil(socket, () => frames.length === 4);
    expect(frames.map((f) => f.payload)).toEqual([
      pattern(300).subarray(10, 20),
      pattern(300).subarray(100),
      Buffer.alloc(0),
      Buffer.from([2, 0, 3, 0]),
    ]);
    expect(frames.every((f) => f.first === 0x82)).toBe(true);
    expect(socket.stats.bytesOut).toBe(10 + 200 + 0 + 4);
  });

  it('refuses a bad range with out_of_range, and a range of text with invalid_argument, before sending', async () => {
    const { socket, frames } = await rawServer();
    const bytes = new Uint8Array(8);
    for (const [start, end] of [
      [-1, 2],
      [3, 2],
      [0, 9],
      [1.5, 4],
      [Number.NaN, 4],
      [0, Number.POSITIVE_INFINITY],
    ]) {
      const error = thrownBy(() => socket.send(bytes, start, end));
      expect(error.code).toBe('out_of_range');
      expect(error.message).toMatch(/0 <= start <= end <= 8/);
    }
    expect(thrownBy(() => socket.send('text', 0, 2)).code).toBe('invalid_argument');
    socket.send('after');
    await pumpUntil(socket, () => frames.length === 1);
    expect(frames[0]!.payload.toString()).toBe('after');
  });
});

describe('beginBinary(size)', () => {
  it('builds the frame send() makes of the same bytes, with the shortest length form for what was written', async () => {
    const { socket, frames } = await rawServer();
    const cases: [reserved: number, written: number][] = [
      [0, 0],
      [13, 13],
      [300, 13], // reserved with a 16-bit length, written short: the header shrinks
      [70_000, 200], // 64-bit reserved, 16-bit written
      [70_000, 70_000],
    ];
    const expected: Buffer[] = [];
    for (const [reserved, written] of cases) {
      const bytes = pattern(written, reserved);
      const writer = socket.beginBinary(reserved);
      writer.write(bytes);
      writer.commit();
      socket.send(bytes); // the same bytes through send(), for comparison
      expected.push(bytes, bytes);
    }
    await pumpUntil(socket, () => frames.length === cases.length * 2);
    for (let i = 0; i < frames.length; i += 2) {
      const [built, sent] = [frames[i]!, frames[i + 1]!];
      expect(built).toEqual(sent);
      expect(built.payload.equals(expected[i]!)).toBe(true);
    }
    expect(frames.map((f) => f.lengthForm)).toEqual([
      'short',
      'short',
      'short',
      'short',
      'short',
      'short',
      '16-bit',
      '16-bit',
      '64-bit',
      '64-bit',
    ]);
  });

  it('writes little-endian numbers, seeks back to fill in a count, and chains', async () => {
    const { socket, frames } = await rawServer();
    const writer = socket.beginBinary(64).u8(0xfe).u16(0); // a count, filled in below
    writer.i8(-2).i16(-300).u32(0xdeadbeef).i32(-5).f32(1.5).f64(-Math.PI);
    const end = writer.position;
    writer.seek(1).u16(6).seek(end);
    writer.commit();
    await pumpUntil(socket, () => frames.length === 1);
    const expected = Buffer.alloc(30);
    expected.writeUInt8(0xfe, 0);
    expected.writeUInt16LE(6, 1);
    expected.writeInt8(-2, 3);
    expected.writeInt16LE(-300, 4);
    expected.writeUInt32LE(0xdeadbeef, 6);
    expected.writeInt32LE(-5, 10);
    expected.writeFloatLE(1.5, 14);
    expected.writeDoubleLE(-Math.PI, 18);
    expect(frames[0]!.payload.subarray(0, 26)).toEqual(expected.subarray(0, 26));
    expect(frames[0]!.payload.length).toBe(26);
  });

  it('keeps the rules: no write past the size, one message at a time, no use after commit', async () => {
    const { socket, frames } = await rawServer();
    const writer = socket.beginBinary(4);
    writer.u16(1);
    const past = thrownBy(() => writer.u32(2));
    expect(past.code).toBe('out_of_range');
    expect(past.message).toMatch(/largest size/);
    expect(thrownBy(() => socket.send('x')).code).toBe('invalid_state');
    expect(thrownBy(() => socket.beginBinary(1)).code).toBe('invalid_state');
    expect(thrownBy(() => writer.seek(3)).code).toBe('out_of_range');
    writer.cancel(); // nothing is sent
    expect(thrownBy(() => writer.u8(1)).code).toBe('invalid_state');
    expect(thrownBy(() => writer.commit()).code).toBe('invalid_state');
    for (const size of [-1, 1.5, Number.NaN, 2 ** 31, '8']) {
      expect(thrownBy(() => socket.beginBinary(size as number)).code).toBe('out_of_range');
    }
    socket.beginBinary(1).u8(9).commit();
    await pumpUntil(socket, () => frames.length === 1);
    expect(frames[0]!.payload).toEqual(Buffer.from([9]));
    socket.close();
    expect(thrownBy(() => socket.beginBinary(1)).code).toBe('invalid_state');
  });

  it('frames leave in send order across slab renewals and mixed sizes, all before the close frame', async () => {
    const { socket, frames } = await rawServer();
    const sent: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const size = [3, 200, 5000, 70_000][i % 4]!;
      const bytes = pattern(size, i);
      if (i % 3 === 0) socket.beginBinary(size).write(bytes).commit();
      else if (i % 3 === 1) socket.send(bytes);
      else socket.send(bytes.toString('latin1').replace(/[^\x20-\x7e]/g, 'x'));
      sent.push(i % 3 === 2 ? Buffer.from(bytes.toString('latin1').replace(/[^\x20-\x7e]/g, 'x')) : bytes);
    }
    socket.close(4000, 'done');
    await pumpUntil(socket, () => frames.length === 401, { timeoutMs: 10_000 });
    expect(frames.slice(0, 400).map((f) => f.first)).toEqual(sent.map((_, i) => (i % 3 === 2 ? 0x81 : 0x82)));
    expect(frames.slice(0, 400).findIndex((f, i) => !f.payload.equals(sent[i]!))).toBe(-1);
    expect(frames[400]!.first).toBe(0x88);
    expect(frames[400]!.payload.readUInt16BE(0)).toBe(4000);
  });

  it('a message begun before the connection dropped is counted as dropped, not sent', async () => {
    const server = await startServer();
    const socket = await openSocket(server.url);
    const writer = socket.beginBinary(8).u32(1);
    (await server.nextClient()).terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.commit();
    expect(socket.stats.droppedSends).toBe(1);
    await pumpUntilClosed(socket);
  });

  it('works where the transport has no send buffer of its own (through the network lab)', async () => {
    const received: Buffer[] = [];
    const server = await startServer((client) => client.on('message', (data) => received.push(data as Buffer)));
    const socket = await openSocket(server.url, { network: networkLab({ latency: 1 }) });
    socket.beginBinary(300).write(pattern(20)).commit();
    const source = pattern(50);
    socket.send(source, 10, 30);
    source.fill(0);
    await pumpUntil(socket, () => received.length === 2);
    expect(received).toEqual([pattern(20), pattern(50).subarray(10, 30)]);
  });
});
