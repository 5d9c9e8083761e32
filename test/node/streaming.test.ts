// The seed's streaming (incompleteFrame): with a handler registered before open(), each
// fragment of a fragmented message is dispatched as it arrives; without one, the assembled
// message is. Unfragmented messages always go to message/binary.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBrowserTransport } from '../../src/browser.js';
import { StreamingUnsupportedError, WebSocket } from '../../src/node.js';
import {
  closeAllServers,
  onGo,
  openSocket,
  pumpUntil,
  pumpUntilClosed,
  startServer,
  type TestServer,
} from '../support/helpers.js';

afterEach(closeAllServers);

// 'héllo wörld' in UTF-8 split so that 'é' and 'ö' are cut across fragments.
const TEXT = 'héllo wörld';
const TEXT_BYTES = Buffer.from(TEXT);
const TEXT_PARTS = [TEXT_BYTES.subarray(0, 2), TEXT_BYTES.subarray(2, 9), TEXT_BYTES.subarray(9)];
const BINARY_PARTS = [Buffer.from([1, 2]), Buffer.from([]), Buffer.from([3, 4, 5])];

function sendFragmented(client: import('ws').WebSocket, parts: Buffer[], binary: boolean): void {
  for (const [i, part] of parts.entries()) client.send(part, { binary, fin: i === parts.length - 1 });
}

function fragmentServer(options: { perMessageDeflate?: boolean } = {}): Promise<TestServer> {
  return startServer(
    onGo((client) => {
      client.send('whole text');
      sendFragmented(client, TEXT_PARTS, false);
      sendFragmented(client, BINARY_PARTS, true);
      client.send(Buffer.from([9]), { binary: true });
    }),
    options.perMessageDeflate ? { perMessageDeflate: { threshold: 0 } } : {},
  );
}

type Seen = [string, string | number[], boolean?];

function collect(socket: WebSocket, seen: Seen[]): void {
  socket.on('message', (_s, text) => seen.push(['message', text]));
  socket.on('binary', (_s, data) => seen.push(['binary', [...data]]));
}

describe('incompleteFrame', () => {
  it.each([false, true])(
    'dispatches each fragment in order with its final flag (permessage-deflate: %s)',
    async (deflate) => {
      const server = await fragmentServer({ perMessageDeflate: deflate });
      const socket = new WebSocket(server.url);
      const seen: Seen[] = [];
      collect(socket, seen);
      socket.on('incompleteFrame', (_s, fragment, isFinal) =>
        seen.push(['fragment', typeof fragment === 'string' ? fragment : [...fragment], isFinal]),
      );
      socket.on('open', (s) => s.send('go'));
      socket.open();
      await pumpUntil(socket, () => seen.length === 8, { what: '8 events' });
      expect(socket.extensions.includes('permessage-deflate')).toBe(deflate);
      // Text fragments are decoded as a stream: a character cut in two arrives whole, later.
      expect(seen).toEqual([
        ['message', 'whole text'],
        ['fragment', 'h', false],
        ['fragment', 'éllo w', false],
        ['fragment', 'örld', true],
        ['fragment', [1, 2], false],
        ['fragment', [], false],
        ['fragment', [3, 4, 5], true],
        ['binary', [9]],
      ]);
      expect(
        seen
          .filter((entry) => entry[0] === 'fragment')
          .map((entry) => entry[1])
          .slice(0, 3)
          .join(''),
      ).toBe(TEXT);
      socket.close();
      await pumpUntilClosed(socket);
    },
  );

  it('without a handler, the assembled messages arrive', async () => {
    const server = await fragmentServer();
    const socket = new WebSocket(server.url);
    const seen: Seen[] = [];
    collect(socket, seen);
    socket.on('open', (s) => s.send('go'));
    socket.open();
    await pumpUntil(socket, () => seen.length === 4, { what: '4 messages' });
    expect(seen).toEqual([
      ['message', 'whole text'],
      ['message', TEXT],
      ['binary', [1, 2, 3, 4, 5]],
      ['binary', [9]],
    ]);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('invalid UTF-8 across fragments fails with protocol_error 1007, after the valid fragments', async () => {
    const server = await startServer(
      onGo((client) => {
        const tcp = (client as unknown as { _socket: Socket })._socket;
        // Fragment 1: "ab" + first byte of a 2-byte sequence; fragment 2 (final): a bad continuation.
        tcp.write(Buffer.from([0x01, 0x03, 0x61, 0x62, 0xc3]));
        tcp.write(Buffer.from([0x80, 0x01, 0x28]));
      }),
    );
    const socket = new WebSocket(server.url);
    const seen: unknown[] = [];
    socket.on('incompleteFrame', (_s, fragment, isFinal) => seen.push(['fragment', fragment, isFinal]));
    socket.on('error', (_s, error) => seen.push(['error', error.code, error.closeCode]));
    socket.on('closed', () => seen.push(['closed']));
    socket.on('open', (s) => s.send('go'));
    socket.open();
    await pumpUntilClosed(socket);
    expect(seen).toEqual([['fragment', 'ab', false], ['error', 'protocol_error', 1007], ['closed']]);
  });

  it('a handler added after open() does not switch streaming on', async () => {
    const server = await fragmentServer();
    const socket = await openSocket(server.url);
    const seen: Seen[] = [];
    collect(socket, seen);
    const fragments: unknown[] = [];
    socket.on('incompleteFrame', (_s, fragment) => fragments.push(fragment));
    socket.send('go');
    await pumpUntil(socket, () => seen.length === 4);
    expect(fragments).toEqual([]);
    expect(seen[1]).toEqual(['message', TEXT]);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('a transport that cannot see fragments (the browser one) refuses the handler with streaming_unsupported', () => {
    // The real browser transport: it touches no browser global until it connects.
    const socket = new WebSocket('ws://127.0.0.1:9', { transport: createBrowserTransport as never });
    let thrown: unknown;
    try {
      socket.on('incompleteFrame', () => {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StreamingUnsupportedError);
    expect((thrown as StreamingUnsupportedError).code).toBe('streaming_unsupported');
  });
});
