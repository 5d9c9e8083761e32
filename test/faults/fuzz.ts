// The seeded differential fuzz of the whole Node receive path: a raw server writes a random
// stream of frames (data of every length form, compressed or not, fragments, control frames, a
// fault or a close at the end) cut at random places; `ws` alone and ticksocket read it at once,
// ticksocket with a small queue pumped at random moments (so backpressure holds and resumes its
// parser mid-stream). Both must see the same messages in the same order, and the same ending.
// Used by receive-fuzz.test.ts (npm test) and the soak run (more seeds).
import type { Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { constants, deflateRawSync } from 'node:zlib';
import { WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../src/node.js';
import { sleep } from '../support/helpers.js';
import { closeFrame, frame, onClientFrames, startFaultServer } from './fault-server.js';

/** Deterministic pseudo-random numbers (mulberry32), so a failing seed can be replayed. */
export function random(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

type Next = (below: number) => number;

const MAX_PAYLOAD = 200_000;
const words = ['snapshot', 'héllo', '玩家', '🎮', 'x', ''];
const bytes = (next: Next, length: number): Buffer => Buffer.from(Array.from({ length }, () => next(256)));
const sentence = (next: Next, count: number): Buffer =>
  Buffer.from(Array.from({ length: count }, () => words[next(words.length)]).join(' '));

/** permessage-deflate's form of `payload`: raw deflate, flushed, without the final 00 00 ff ff. */
const deflate = (payload: Buffer): Buffer =>
  deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);

/** A message as 1 to 3 frames; `compressed`: RSV1 on the first, the compressed bytes cut across them. */
function message(next: Next, opcode: number, payload: Buffer, compressed: boolean): Buffer[] {
  const body = compressed ? deflate(payload) : payload;
  const rsv1 = compressed ? 0x40 : 0;
  const parts = next(3) === 0 ? 1 + next(3) : 1;
  if (parts === 1) return [frame(0x80 | rsv1 | opcode, body)];
  const frames: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < parts; i++) {
    const end = i === parts - 1 ? body.length : at + next(body.length - at + 1);
    const first = i === 0 ? rsv1 | opcode : 0;
    frames.push(frame((i === parts - 1 ? 0x80 : 0) | first, body.subarray(at, end)));
    if (next(3) === 0 && i < parts - 1) frames.push(frame(0x89, 'p')); // a ping between fragments
    at = end;
  }
  return frames;
}

/** A server's byte stream for `seed`. */
export function fuzzStream(seed: number, compression: boolean): Buffer {
  const next = random(seed);
  const frames: Buffer[] = [];
  const count = 10 + next(50);
  for (let i = 0; i < count; i++) {
    const pick = next(12);
    const compressed = compression && next(2) === 0;
    if (pick < 4) frames.push(...message(next, 0x02, bytes(next, next(126)), compressed));
    else if (pick < 7) frames.push(...message(next, 0x01, sentence(next, next(12)), compressed));
    else if (pick < 9) frames.push(...message(next, 0x02, bytes(next, 126 + next(4000)), compressed));
    else if (pick === 9) frames.push(frame(next(2) === 0 ? 0x89 : 0x8a, bytes(next, next(20))));
    else if (pick === 10 && next(3) === 0)
      frames.push(...message(next, 0x02, Buffer.alloc(65_536 + next(60_000), i), compressed));
    else frames.push(...message(next, 0x01, Buffer.from('é'.repeat(next(3000))), compressed));
  }
  const endings = [
    () => [frame(0x81, Buffer.from([0x68, 0xc3, 0x28]))], // invalid UTF-8
    () => [frame(0x82, Buffer.alloc(MAX_PAYLOAD + 1))], // over maxPayload
    () => [frame(0x82, 'masked', { masked: true })],
    () => [frame(0xc2, compression ? Buffer.from([0xff, 0xfe, 0x00]) : 'rsv1')], // corrupt, or no extension
    () => [frame(0x80, 'a continuation of nothing')],
  ];
  const ending = next(10);
  frames.push(...(endings[ending]?.() ?? [closeFrame(4000 + ending, 'done'), frame(0x82, 'after the close')]));
  return Buffer.concat(frames);
}

/** Write `data` in pieces cut at random places (some inside headers), a turn of the event loop apart. */
function cutAndWrite(seed: number, data: Buffer): (socket: Socket) => void {
  return (socket) => {
    socket.setNoDelay(true);
    onClientFrames(socket, (opcode) => {
      if (opcode === 0x08) socket.end(); // the client's close frame: done
    });
    const next = random(seed ^ 0x5eed);
    void (async () => {
      for (let at = 0; at < data.length && !socket.destroyed; ) {
        const size = next(4) === 0 ? 1 + next(8) : 1 + next(6000);
        socket.write(data.subarray(at, at + size));
        at += size;
        await nextTurn();
      }
    })();
  };
}

/** What a client saw: every message, and how it ended. */
export interface Outcome {
  messages: string[];
  /** The close code of the failure (1002, 1007, 1009...), or 0. */
  failure: number;
  closeCode: number;
}

const describeMessage = (data: string | Uint8Array): string =>
  typeof data === 'string' ? `text ${data}` : `binary ${data.length} ${Buffer.from(data).toString('base64')}`;

/** `ws`'s own status for the errors of its parser (a symbol-keyed property). */
function statusOf(error: Error): number {
  const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === 'status-code');
  return symbol === undefined ? 1002 : Number((error as unknown as Record<symbol, unknown>)[symbol]);
}

async function throughWs(url: string, compression: boolean): Promise<Outcome> {
  const outcome: Outcome = { messages: [], failure: 0, closeCode: 0 };
  const client = new WsClient(url, { perMessageDeflate: compression, maxPayload: MAX_PAYLOAD });
  const receiver = client as unknown as { _receiver: { _errored: boolean } | null };
  client.on('message', (data: Buffer, isBinary) => {
    // ws parses reads its stream had buffered even after its parser failed (the stream flushes
    // its buffer in a loop that does not stop on an error), and may emit a message after the
    // failure; ticksocket parses nothing after it. Such a message is not part of the oracle.
    if (receiver._receiver?._errored) return;
    outcome.messages.push(describeMessage(isBinary ? data : data.toString()));
  });
  client.on('error', (error) => {
    outcome.failure = statusOf(error);
  });
  await new Promise<void>((resolve) =>
    client.on('close', (code) => {
      outcome.closeCode = code;
      resolve();
    }),
  );
  return outcome;
}

async function throughTicksocket(url: string, seed: number, compression: boolean): Promise<Outcome> {
  const next = random(seed ^ 0xbac4);
  const highWaterBytes = 1024 * (1 + next(64));
  const outcome: Outcome = { messages: [], failure: 0, closeCode: 0 };
  const socket = new WebSocket(url, {
    perMessageDeflate: compression,
    maxPayload: MAX_PAYLOAD,
    closeTimeout: 1000,
    queue: { highWaterBytes, maxBytes: highWaterBytes + MAX_PAYLOAD },
  });
  socket.on('message', (_s, data) => outcome.messages.push(describeMessage(data)));
  socket.on('binary', (_s, data) => outcome.messages.push(describeMessage(data)));
  socket.on('error', (_s, error) => {
    outcome.failure = error.code === 'connection_lost' ? 0 : error.closeCode;
  });
  socket.on('closed', (_s, code) => {
    outcome.closeCode = code;
  });
  socket.open();
  // A game whose frames come at odd moments and sometimes stall: reading holds and resumes.
  const deadline = Date.now() + 10_000;
  while (socket.state !== 'closed') {
    if (Date.now() > deadline) throw new Error(`seed ${seed}: not closed within 10 s`);
    if (next(4) === 0) await sleep(next(15));
    socket.update({ maxEvents: 1 + next(40) });
    await nextTurn();
  }
  return outcome;
}

/** One seed: the outcomes of `ws` alone and of ticksocket, for the same cut stream. */
export async function fuzzSeed(seed: number): Promise<{ expected: Outcome; actual: Outcome }> {
  const compression = seed % 2 === 1;
  const server = await startFaultServer(
    cutAndWrite(seed, fuzzStream(seed, compression)),
    compression ? { headers: ['Sec-WebSocket-Extensions: permessage-deflate'] } : {},
  );
  try {
    const [expected, actual] = await Promise.all([
      throughWs(server.url, compression),
      throughTicksocket(server.url, seed, compression),
    ]);
    return { expected, actual };
  } finally {
    await server.close();
  }
}
