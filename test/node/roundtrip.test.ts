// Text and binary round trips through an echo server, 0 B to 16 MiB, checked byte for byte,
// and every binary input type send() accepts.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from '../../src/node.js';
import { closeAllServers, openSocket, pumpUntil, pumpUntilClosed, startServer } from '../support/helpers.js';

afterEach(closeAllServers);

const SIZES = [0, 1, 125, 126, 65_535, 65_536, 1024 * 1024, 16 * 1024 * 1024];

function echoServer() {
  return startServer((client) => client.on('message', (data, isBinary) => client.send(data, { binary: isBinary })), {
    maxPayload: 32 * 1024 * 1024,
  });
}

function pseudoRandomBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Text of `size` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters. */
function mixedText(size: number): string {
  const pieces = ['a', 'é', '€', '😀'];
  let text = '';
  let bytes = 0;
  for (let i = 0; bytes < size; i++) {
    const piece = pieces[i % 4]!;
    const length = Buffer.byteLength(piece);
    if (bytes + length > size) {
      text += 'a'.repeat(size - bytes);
      break;
    }
    text += piece;
    bytes += length;
  }
  return text;
}

const sha1 = (data: string | Uint8Array) => createHash('sha1').update(data).digest('hex');

async function echo(socket: WebSocket, data: string | Uint8Array): Promise<string | Uint8Array> {
  let reply: string | Uint8Array | undefined;
  const onText = (_s: WebSocket, text: string) => (reply = text);
  const onBinary = (_s: WebSocket, bytes: Uint8Array) => (reply = bytes);
  socket.on('message', onText).on('binary', onBinary);
  socket.send(data);
  await pumpUntil(socket, () => reply !== undefined, { timeoutMs: 20_000, what: 'echo' });
  socket.off('message', onText).off('binary', onBinary);
  return reply!;
}

describe('round trips', () => {
  it.each(SIZES)('binary of %i bytes comes back intact', async (size) => {
    const server = await echoServer();
    const socket = await openSocket(server.url, { maxPayload: 32 * 1024 * 1024 });
    const data = pseudoRandomBytes(size, size + 7);
    const reply = await echo(socket, data);
    expect(reply).toBeInstanceOf(Uint8Array);
    expect((reply as Uint8Array).length).toBe(size);
    expect(sha1(reply)).toBe(sha1(data));
    socket.close();
    await pumpUntilClosed(socket);
  });

  it.each(SIZES)('text of %i UTF-8 bytes comes back intact', async (size) => {
    const server = await echoServer();
    const socket = await openSocket(server.url, { maxPayload: 32 * 1024 * 1024 });
    const text = mixedText(size);
    const reply = await echo(socket, text);
    expect(typeof reply).toBe('string');
    expect((reply as string).length).toBe(text.length);
    expect(sha1(reply)).toBe(sha1(text));
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('accepts every binary input type and sends exactly the viewed bytes', async () => {
    const server = await echoServer();
    const socket = await openSocket(server.url);
    const backing = Uint8Array.from({ length: 16 }, (_, i) => i);
    const inputs: [string, ArrayBuffer | ArrayBufferView, number[]][] = [
      ['Uint8Array', backing, [...backing]],
      ['Uint8Array view with offset', backing.subarray(3, 7), [3, 4, 5, 6]],
      ['ArrayBuffer', backing.buffer.slice(0, 4), [0, 1, 2, 3]],
      ['DataView with offset', new DataView(backing.buffer, 10, 3), [10, 11, 12]],
      ['Int16Array', Int16Array.of(-1, 258), [0xff, 0xff, 0x02, 0x01]],
      ['Float64Array', Float64Array.of(1), [...new Uint8Array(Float64Array.of(1).buffer)]],
      ['Buffer', Buffer.from([9, 8, 7]), [9, 8, 7]],
      ['empty ArrayBuffer', new ArrayBuffer(0), []],
    ];
    for (const [name, input, expected] of inputs) {
      const reply = await echo(socket, input as Uint8Array);
      expect([name, [...(reply as Uint8Array)]]).toEqual([name, expected]);
    }
    expect(socket.stats.messagesOut).toBe(inputs.length);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('sends made in one turn arrive in order, written together', async () => {
    const server = await startServer((client) =>
      client.on('message', (data, isBinary) => client.send(data, { binary: isBinary })),
    );
    const socket = await openSocket(server.url);
    const seen: string[] = [];
    socket.on('message', (_s, text) => seen.push(text));
    for (let i = 0; i < 1000; i++) socket.send(`s${i}`);
    await pumpUntil(socket, () => seen.length === 1000);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => `s${i}`));
    socket.close();
    await pumpUntilClosed(socket);
  });
});
