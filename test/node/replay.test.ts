// Record and replay: a live session of a few thousand mixed events, recorded, encoded,
// decoded and replayed through update() with no network, gives the same handler call sequence
// (same events, order and eventTime).
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as CoreWebSocket } from '../../src/index.js';
import { createReplay, decodeRecording, recordEvents, WebSocket, type WebSocketError } from '../../src/node.js';
import { closeAllServers, onGo, pumpUntilClosed, startServer } from '../support/helpers.js';

afterEach(closeAllServers);

/** Hash every handler call: kind, payload and eventTime. */
function callHash(socket: CoreWebSocket): { digest(): string; count: number } {
  const hash = createHash('sha256');
  const state = { count: 0, digest: () => hash.copy().digest('hex') };
  const note = (...parts: unknown[]) => {
    state.count++;
    hash.update(JSON.stringify(parts));
  };
  socket.on('open', (s) => note('open', s.eventTime, s.protocol));
  socket.on('message', (s, text) => note('message', s.eventTime, text));
  socket.on('binary', (s, data) => note('binary', s.eventTime, Buffer.from(data).toString('base64')));
  socket.on('error', (s, error: WebSocketError) => note('error', s.eventTime, error.code, error.closeCode));
  socket.on('errorDesc', (s, text) => note('errorDesc', s.eventTime, text));
  socket.on('closed', (s, code, reason) => note('closed', s.eventTime, code, reason));
  return state;
}

describe('record and replay', () => {
  it('replays a recorded session to the same handler call sequence, with no network', async () => {
    const server = await startServer(
      onGo((client) => {
        let i = 0;
        const burst = () => {
          for (let j = 0; j < 500 && i < 3000; j++, i++) {
            if (i % 3 === 0) client.send(`text ${i} ${'é'.repeat(i % 7)}`);
            else client.send(Buffer.alloc((i * 37) % 5000, i & 0xff));
          }
          if (i < 3000) setTimeout(burst, 2);
          else client.close(4000, 'session over');
        };
        burst();
      }),
    );
    const live = new WebSocket(server.url);
    const recorder = recordEvents(live);
    const liveCalls = callHash(live);
    live.on('open', (s) => s.send('go'));
    live.open();
    await pumpUntilClosed(live, [live], 15_000);
    expect(recorder.events.length).toBe(3002); // open, 3000 messages, closed
    await server.close();

    const bytes = recorder.toBytes();
    const replay = createReplay(decodeRecording(bytes));
    const replayed = new CoreWebSocket('ws://replay.invalid/', { transport: replay.transport });
    const replayCalls = callHash(replayed);
    replayed.open();
    // Step the fake clock in 16 ms frames, pumping after each, like a game would.
    while (!replay.done || replayed.state !== 'closed') {
      replay.advanceBy(16);
      replayed.update();
    }
    expect(replayCalls.count).toBe(liveCalls.count);
    expect(replayCalls.digest()).toBe(liveCalls.digest());
  });

  it('rejects bytes that are not a recording', () => {
    expect(() => decodeRecording(new Uint8Array([1, 2, 3, 4]))).toThrow(/Not a ticksocket recording/);
  });

  it('plays in real time at a chosen speed', async () => {
    const events = [
      { kind: 'open' as const, time: 100, protocol: '', extensions: '' },
      { kind: 'message' as const, time: 120, data: 'a' },
      { kind: 'message' as const, time: 160, data: 'b' },
      { kind: 'closed' as const, time: 200, code: 1000, reason: '' },
    ];
    const replay = createReplay(events, { realtime: { speed: 4 } });
    const socket = new CoreWebSocket('ws://replay.invalid/', { transport: replay.transport });
    const seen: [string, number][] = [];
    socket.on('message', (s, text) => seen.push([text, s.eventTime]));
    socket.open();
    await pumpUntilClosed(socket, [socket], 2_000);
    expect(seen).toEqual([
      ['a', 120],
      ['b', 160],
    ]);
  });
});
