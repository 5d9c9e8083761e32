// The Node transport parses whole data frames out of each TCP read itself and hands the rest of
// the read to `ws`'s parser (see `fastWrite` in src/transports/node/receiver-hook.ts). This checks the pair
// against `ws` alone: the same bytes, cut at the same places, must give the same messages in the
// same order and the same failure, whichever parser meets each frame.
import type { Socket } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../src/node.js';
import { closeAllServers, pumpUntil, pumpUntilClosed, sleep, startServer } from '../support/helpers.js';
import { closeFaultServers, closeFrame, frame, onClientFrames, startFaultServer } from './fault-server.js';
import { random } from './fuzz.js';

afterEach(closeFaultServers);

const MAX_PAYLOAD = 200_000;

const bytes = (next: (below: number) => number, length: number): Buffer =>
  Buffer.from(Array.from({ length }, () => next(256)));
const words = ['snapshot', 'héllo', '玩家', '🎮', 'x', ''];
const sentence = (next: (below: number) => number, count: number): string =>
  Array.from({ length: count }, () => words[next(words.length)]).join(' ');

/** A server's byte stream: data frames of every length form, control frames, fragments, and maybe a fault last. */
function stream(seed: number): Buffer {
  const next = random(seed);
  const frames: Buffer[] = [];
  const count = 20 + next(60);
  for (let i = 0; i < count; i++) {
    const pick = next(10);
    if (pick < 3) frames.push(frame(0x82, bytes(next, next(126))));
    else if (pick < 5) frames.push(frame(0x81, sentence(next, next(12))));
    else if (pick === 5)
      frames.push(frame(0x82, bytes(next, 126 + next(4000)))); // 16-bit length
    else if (pick === 6)
      frames.push(frame(next(2) === 0 ? 0x89 : 0x8a, bytes(next, next(20)))); // ping / pong
    else if (pick === 7 && next(4) === 0)
      frames.push(frame(0x82, bytes(next, 65_536 + next(100_000)))); // 64-bit length
    else {
      // a fragmented message, with a ping between its fragments
      const opcode = next(2) === 0 ? 0x01 : 0x02;
      const payload = opcode === 0x01 ? Buffer.from(sentence(next, 8)) : bytes(next, 10 + next(300));
      const cut = next(payload.length);
      frames.push(frame(opcode, payload.subarray(0, cut)), frame(0x89, 'p'), frame(0x80, payload.subarray(cut)));
    }
  }
  // the last frames: a fault, or a message of exactly maxPayload and a close frame with data after it
  const ending = next(8);
  const endings = [
    () => [frame(0x81, Buffer.from([0x68, 0xc3, 0x28]))], // invalid UTF-8
    () => [frame(0x82, Buffer.alloc(MAX_PAYLOAD + 1))], // over maxPayload
    () => [frame(0x82, 'masked', { masked: true })],
    () => [frame(0xc2, 'rsv1')], // compressed, without the extension
  ];
  const closing = () => [
    frame(0x82, Buffer.alloc(MAX_PAYLOAD)),
    closeFrame(4000 + ending, 'done'),
    frame(0x82, 'after the close: ignored'),
  ];
  frames.push(...(endings[ending] ?? closing)());
  return Buffer.concat(frames);
}

/** Write `data` in pieces cut at random places, one TCP write each, apart in time so reads split there. */
function cutAndWrite(seed: number, data: Buffer): (socket: Socket) => void {
  return (socket) => {
    socket.setNoDelay(true);
    onClientFrames(socket, (opcode) => {
      if (opcode === 0x08) socket.end(); // the client's close frame: done
    });
    const next = random(seed ^ 0x5eed);
    void (async () => {
      let at = 0;
      while (at < data.length && !socket.destroyed) {
        const size = next(4) === 0 ? 1 + next(8) : 1 + next(3000); // some cuts inside headers
        socket.write(data.subarray(at, at + size));
        at += size;
        await sleep(next(3) === 0 ? 2 : 0);
      }
    })();
  };
}

interface Outcome {
  messages: string[];
  /** Close code of the failure (1002, 1007, 1009), or 0. */
  failure: number;
  closeCode: number;
}

const describeMessage = (data: string | Uint8Array): string =>
  typeof data === 'string' ? `text ${data}` : `binary ${Buffer.from(data).toString('hex')}`;

const WS_FAILURE: Record<string, number> = { WS_ERR_INVALID_UTF8: 1007, WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009 };

async function throughWs(url: string, maxPayload = MAX_PAYLOAD, perMessageDeflate = false): Promise<Outcome> {
  const outcome: Outcome = { messages: [], failure: 0, closeCode: 0 };
  const client = new WsClient(url, { perMessageDeflate, maxPayload });
  client.on('message', (data: Buffer, isBinary) =>
    outcome.messages.push(describeMessage(isBinary ? data : data.toString())),
  );
  client.on('error', (error: Error & { code?: string }) => {
    outcome.failure = WS_FAILURE[error.code ?? ''] ?? 1002;
  });
  await new Promise<void>((resolve) =>
    client.on('close', (code) => {
      outcome.closeCode = code;
      resolve();
    }),
  );
  return outcome;
}

async function throughTicksocket(url: string, maxPayload = MAX_PAYLOAD, perMessageDeflate = false): Promise<Outcome> {
  const outcome: Outcome = { messages: [], failure: 0, closeCode: 0 };
  const socket = new WebSocket(url, { perMessageDeflate, maxPayload, closeTimeout: 1000 });
  socket.on('message', (_s, data) => outcome.messages.push(describeMessage(data)));
  socket.on('binary', (_s, data) => outcome.messages.push(describeMessage(data)));
  socket.on('error', (_s, error) => {
    outcome.failure = error.code === 'connection_lost' ? 0 : (error.closeCode ?? -1);
  });
  socket.on('closed', (_s, code) => {
    outcome.closeCode = code;
  });
  socket.open();
  await pumpUntilClosed(socket, [socket], 10_000);
  return outcome;
}

describe('whole frames taken from the read, the rest left to ws', () => {
  it.each(Array.from({ length: 24 }, (_, i) => 1000 + i))(
    'stream %i: the same messages, in order, and the same failure as ws alone',
    async (seed) => {
      const data = stream(seed);
      const server = await startFaultServer(cutAndWrite(seed, data));
      const [expected, actual] = await Promise.all([throughWs(server.url), throughTicksocket(server.url)]);
      expect(expected.messages.length).toBeGreaterThan(10);
      expect(actual.messages).toEqual(expected.messages);
      expect(actual.failure).toBe(expected.failure);
      expect(actual.closeCode).toBe(expected.closeCode);
    },
  );

  const small = (i: number) => frame(0x82, Buffer.from(`message ${i}`));
  const binary300 = frame(0x82, Buffer.alloc(300, 7));
  const badText300 = frame(0x81, Buffer.concat([Buffer.alloc(299, 0x61), Buffer.from([0xff])]));
  it.each([
    // name, the frame cut across the reads, the end of the second read, a third read, the failure
    ['invalid UTF-8', binary300, [frame(0x81, Buffer.from([0x68, 0xc3, 0x28]))], [], 1007],
    ['a frame over maxPayload', binary300, [frame(0x82, Buffer.alloc(MAX_PAYLOAD + 1))], [], 1009],
    ['a 16-bit length over maxPayload', binary300, [frame(0x82, Buffer.alloc(60_000))], [], 1009, 50_000],
    ['a masked frame', binary300, [frame(0x82, 'masked', { masked: true })], [], 1002],
    ['a compressed frame without the extension', binary300, [frame(0xc2, 'rsv1')], [], 1002],
    ['a close frame with messages after it', binary300, [closeFrame(4001, 'bye'), small(98)], [], 0],
    ['a close frame, and messages in the next read', binary300, [closeFrame(4001, 'bye')], [small(99)], 0],
    ['a fragmented message begun, a whole text frame next', binary300, [frame(0x02, 'begun')], [small(99)], 1002],
    ['whole frames, after a cut text frame with invalid UTF-8', badText300, [], [], 1007],
  ] as const)(
    'reads that end a frame, bring whole ones, then %s: as ws alone (%i)',
    async (_name, cut, fault, later, failure, maxPayload: number = MAX_PAYLOAD) => {
      const first = Buffer.concat([small(0), small(1), cut.subarray(0, 100)]);
      const second = Buffer.concat([cut.subarray(100), small(2), small(3), small(4), ...fault]);
      const server = await startFaultServer((socket) => {
        socket.setNoDelay(true);
        onClientFrames(socket, (opcode) => {
          if (opcode === 0x08) socket.end();
        });
        socket.write(first);
        setTimeout(() => socket.write(second), 20);
        if (later.length > 0) setTimeout(() => socket.write(Buffer.concat(later)), 40);
      });
      const [expected, actual] = await Promise.all([
        throughWs(server.url, maxPayload),
        throughTicksocket(server.url, maxPayload),
      ]);
      expect(expected.messages.length).toBeGreaterThanOrEqual(2);
      expect(expected.failure).toBe(failure);
      expect(actual).toEqual(expected);
    },
  );

  it('a compressed frame cut across reads, whole frames after it in the same read: the order kept while it inflates', async () => {
    // RFC 7692: the compressed payload, flushed, without the final 00 00 ff ff
    const compressed = deflateRawSync(Buffer.alloc(3000, 0x61), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(
      0,
      -4,
    );
    const big = frame(0xc1, compressed); // FIN, RSV1 (compressed), text
    const server = await startFaultServer(
      (socket) => {
        socket.setNoDelay(true);
        onClientFrames(socket, (opcode) => {
          if (opcode === 0x08) socket.end();
        });
        socket.write(Buffer.concat([small(0), big.subarray(0, 10)]));
        setTimeout(() => socket.write(Buffer.concat([big.subarray(10), small(1), small(2), small(3)])), 20);
        setTimeout(() => socket.write(closeFrame(4000, 'done')), 40);
      },
      { headers: ['Sec-WebSocket-Extensions: permessage-deflate'] },
    );
    const [expected, actual] = await Promise.all([
      throughWs(server.url, MAX_PAYLOAD, true),
      throughTicksocket(server.url, MAX_PAYLOAD, true),
    ]);
    expect(expected.messages).toHaveLength(5);
    expect(expected.messages[1]).toBe(`text ${'a'.repeat(3000)}`);
    expect(actual).toEqual(expected);
  });

  it('one read of many whole frames with pings among them: each message in order, each ping answered', async () => {
    const payloads = Array.from({ length: 500 }, (_, i) => Buffer.from(`m${i}`));
    const read = Buffer.concat(
      payloads.flatMap((payload, i) =>
        i % 50 === 0 ? [frame(0x89, `${i}`), frame(0x82, payload)] : [frame(0x82, payload)],
      ),
    );
    const pongs: string[] = [];
    const server = await startFaultServer((socket) => {
      onClientFrames(socket, (opcode, payload) => {
        if (opcode === 0x0a) pongs.push(payload.toString());
        if (opcode === 0x08) socket.end();
      });
      socket.write(read);
    });
    const socket = new WebSocket(server.url, { perMessageDeflate: false });
    const received: string[] = [];
    socket.on('binary', (_s, data) => received.push(Buffer.from(data).toString()));
    socket.open();
    await pumpUntil(socket, () => received.length === payloads.length && pongs.length === 10, {
      what: 'all messages and pongs',
    });
    expect(received).toEqual(payloads.map(String));
    expect(pongs).toEqual(Array.from({ length: 10 }, (_, i) => `${i * 50}`));
    socket.close();
    await pumpUntilClosed(socket, [socket], 5_000);
  });
});

describe('whole frames and compressed ones on one connection (permessage-deflate)', () => {
  afterEach(closeAllServers);

  it('small messages the server left uncompressed and large compressed ones, interleaved in bursts: all, in order', async () => {
    // The server compresses messages from 256 B: the small ones take the fast path, the large
    // ones ws's inflater, which finishes asynchronously while the frames after them wait.
    const next = random(7);
    const sent = Array.from({ length: 3000 }, (_, i) => {
      const size = next(3) === 0 ? 256 + next(4000) : next(200);
      const body = Buffer.alloc(size, i & 0xff);
      return next(2) === 0 ? body : `${i}:${'é'.repeat(size >> 1)}`;
    });
    const server = await startServer(
      (client) => {
        for (let i = 0; i < sent.length; i += 100) {
          setTimeout(() => {
            for (const message of sent.slice(i, i + 100)) client.send(message, { compress: message.length >= 256 });
          }, i / 50);
        }
      },
      { perMessageDeflate: true },
    );
    const socket = new WebSocket(server.url);
    const received: (string | Buffer)[] = [];
    socket.on('message', (_s, text) => received.push(text));
    socket.on('binary', (_s, data) => received.push(Buffer.from(data)));
    socket.open();
    await pumpUntil(socket, () => received.length === sent.length, { what: 'all messages', timeoutMs: 10_000 });
    expect(socket.extensions).toContain('permessage-deflate');
    expect(received).toEqual(sent);
    socket.close();
    await pumpUntilClosed(socket);
  });
});
