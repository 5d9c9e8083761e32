// A hostile or broken server against a game using ticksocket: each case is one way the probes of
// issue 12 broke a promise, produced for real on loopback (raw TCP or a `ws` server), and checked
// through what the game can see: events, error codes and messages, and the queue's own accounting.
import { createServer, type Server, type Socket } from 'node:net';
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type WebSocketError } from '../../src/node.js';
import {
  closeAllServers,
  collectGarbage,
  kinds,
  pumpUntil,
  pumpUntilClosed,
  record,
  sleep,
  startServer,
  waitFor,
} from '../support/helpers.js';
import {
  closeFaultServers,
  closeFrame,
  frame,
  onClientFrames,
  startFaultServer,
  startPinningServer,
  text,
} from './fault-server.js';

const rawServers = new Set<{ server: Server; sockets: Set<Socket> }>();
afterEach(async () => {
  await closeFaultServers();
  await closeAllServers();
  for (const raw of rawServers) {
    for (const socket of raw.sockets) socket.destroy();
    await new Promise((resolve) => raw.server.close(resolve));
  }
  rawServers.clear();
});

/** A TCP server on loopback that does whatever `onSocket` does from the first byte (no handshake). */
async function startRawServer(onSocket: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  rawServers.add({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

/** Write `bytes` one byte every `everyMs`, forever (until the socket closes). */
function trickle(socket: Socket, bytes: Buffer, everyMs = 20): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return;
    socket.write(bytes.subarray(at % bytes.length, (at % bytes.length) + 1));
    at++;
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

interface Ending {
  log: ReturnType<typeof record>;
  error: WebSocketError | undefined;
  description: string;
}

async function endingOf(socket: WebSocket, timeoutMs = 5_000): Promise<Ending> {
  const log = record(socket);
  const ending: Ending = { log, error: undefined, description: '' };
  socket.on('error', (_s, error) => {
    ending.error = error;
  });
  socket.on('errorDesc', (_s, description) => {
    ending.description = description;
  });
  if (socket.state === 'idle') socket.open();
  await pumpUntilClosed(socket, [socket], timeoutMs);
  return ending;
}

describe('1. the handshake deadline is a deadline', () => {
  it('a server trickling its 101 one byte at a time: handshake_timeout, then closed 1006', async () => {
    const url = await startRawServer((socket) =>
      socket.once('data', () => trickle(socket, Buffer.from('HTTP/1.1 101 Switching Protocols\r\nX-Slow: '))),
    );
    const ending = await endingOf(new WebSocket(url, { handshakeTimeout: 300 }));
    expect(kinds(ending.log)).toEqual(['error', 'errorDesc', 'closed']);
    expect(ending.error?.code).toBe('handshake_timeout');
    expect(ending.error?.message).toMatch(/300 ms from open\(\)/);
  });

  it('a refusal without Content-Length whose body never ends: handshake_refused with the status, soon', async () => {
    const url = await startRawServer((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n\r\ntoken expired');
        trickle(socket, Buffer.from('.'));
      }),
    );
    // The default deadline (15 s) is far off: the body is read for a while, not forever.
    const ending = await endingOf(new WebSocket(url), 5_000);
    expect(ending.error?.code).toBe('handshake_refused');
    expect(ending.error?.statusCode).toBe(401);
    expect(ending.error?.response?.body).toMatch(/^token expired/);
    expect(ending.log.at(-1)).toEqual(['closed', 1006, '']);
  });
});

describe('2. send() owns a snapshot of its data', () => {
  it('with permessage-deflate, a buffer refilled after send() still sends what it held', async () => {
    const received: Buffer[] = [];
    const server = await startServer((client) => client.on('message', (data) => received.push(data as Buffer)), {
      perMessageDeflate: true,
    });
    const socket = new WebSocket(server.url);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    expect(socket.extensions).toMatch(/permessage-deflate/);
    const big = new Uint8Array(2048);
    const small = new Uint8Array(100); // under the compression threshold, queued behind a compressed one
    for (let round = 1; round <= 5; round++) {
      big.fill(round);
      socket.send(big);
      small.fill(100 + round);
      socket.send(small);
    }
    big.fill(0);
    small.fill(0);
    await waitFor(() => received.length === 10, { what: '10 messages at the server' });
    for (let round = 1; round <= 5; round++) {
      expect(received[2 * round - 2]).toEqual(Buffer.alloc(2048, round));
      expect(received[2 * round - 1]).toEqual(Buffer.alloc(100, 100 + round));
    }
    socket.close();
    await pumpUntilClosed(socket);
  });
});

describe('3. the queue counts the reads its messages keep alive', () => {
  it('1-byte messages each pinning a 60 KB read: reading pauses at the mark, memory stays there', async () => {
    const highWaterBytes = 256 * 1024;
    const { server, written } = await startPinningServer(2_000, closeFrame(1000, 'done'));
    await collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    const socket = new WebSocket(server.url, { perMessageDeflate: false, queue: { highWaterBytes } });
    let messages = 0;
    socket.on('binary', () => messages++);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    // The game does not pump: wait until the server can write no more (or wrote everything).
    for (let last = -1, round = 0; written() !== last && written() < 2_000 && round < 40; round++) {
      last = written();
      await sleep(250);
    }
    expect(written()).toBeLessThan(2_000); // TCP backpressure reached the server
    await collectGarbage();
    const held = process.memoryUsage().arrayBuffers - before;
    const stats = socket.stats;
    expect(stats.retainedBytes).toBeGreaterThan(highWaterBytes);
    expect(stats.peakRetainedBytes).toBeLessThanOrEqual(highWaterBytes + 64 * 1024);
    expect(stats.queuedBytes).toBeLessThan(highWaterBytes / 20); // the payloads alone are tiny
    expect(held).toBeLessThan(16 * 1024 * 1024); // without the accounting: 2 000 reads, 120 MB
    const ending = await endingOf(socket, 20_000);
    expect(messages).toBe(2_000);
    expect(ending.log.at(-1)).toEqual(['closed', 1000, 'done']);
  });
});

describe('4. no secret in a message', () => {
  it('a refusal to a URL with user info and a token: neither in error.message nor errorDesc', async () => {
    const server = await startFaultServer(() => {}, { status: '401 Unauthorized', body: 'no' });
    const url = `${server.url.replace('ws://', 'ws://alice:s3cret-pw@')}room?token=abc123`;
    const socket = new WebSocket(url);
    expect(socket.url).toContain('token=abc123'); // the game's own view keeps its URL
    const ending = await endingOf(socket);
    expect(ending.error?.code).toBe('handshake_refused');
    for (const text of [ending.error!.message, ending.description]) {
      expect(text).not.toMatch(/alice|s3cret|abc123|token=/);
      expect(text).toMatch(/127\.0\.0\.1:\d+\/room\?…/);
    }
  });
});

describe('5. size limits from one source of truth', () => {
  const queue = { highWaterBytes: 64 * 1024, maxBytes: 1024 * 1024 };

  it('messages up to the room between the marks all arrive, and the server’s clean close after them', async () => {
    const server = await startServer((client) => {
      client.send(Buffer.alloc(900 * 1024, 1));
      client.send(Buffer.alloc(900 * 1024, 2));
      client.close(1000, 'bye');
    });
    const socket = new WebSocket(server.url, { perMessageDeflate: false, queue });
    const sizes: number[] = [];
    socket.on('binary', (_s, data) => sizes.push(data.length));
    const ending = await endingOf(socket);
    expect(kinds(ending.log)).toEqual(['open', 'binary', 'binary', 'closed']);
    expect(sizes).toEqual([900 * 1024, 900 * 1024]);
    expect(ending.log.at(-1)).toEqual(['closed', 1000, 'bye']);
  });

  it('a message larger than that room is message_too_big (1009), not a queue overflow', async () => {
    const server = await startServer((client) => {
      client.send('before');
      client.send(Buffer.alloc(1024 * 1024, 1));
    });
    const ending = await endingOf(new WebSocket(server.url, { perMessageDeflate: false, queue }));
    expect(ending.log[1]).toEqual(['message', 'before']);
    expect(ending.error?.code).toBe('message_too_big');
    expect(ending.error?.closeCode).toBe(1009);
  });
});

describe('6. liveness means the server, not the game’s own pause', () => {
  it('a flood the game does not pump for a while: no timeout, every message arrives', async () => {
    const server = await startServer((client) => {
      for (let i = 0; i < 200; i++) client.send(Buffer.alloc(64 * 1024, i & 0xff));
    });
    const socket = new WebSocket(server.url, {
      perMessageDeflate: false,
      pingInterval: 50,
      closeAfterNoMessage: 200,
      queue: { highWaterBytes: 256 * 1024 },
    });
    const log = record(socket);
    let messages = 0;
    socket.on('binary', () => messages++);
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    await sleep(800); // the game is in a menu: the queue fills and reading pauses
    await pumpUntil(socket, () => messages === 200, { what: '200 messages' });
    expect(kinds(log)).not.toContain('error');
    socket.close();
    await pumpUntilClosed(socket);
  });
});

describe('8. inflation stops at the mark', () => {
  it('a compressed flood read in one go does not inflate past the high-water mark', async () => {
    const highWaterBytes = 256 * 1024;
    // 400 messages of 64 KiB of zeros, compressed to a few dozen bytes each: 25 MiB in one write.
    const compressed = deflateRawSync(Buffer.alloc(64 * 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const message = frame(0xc2, compressed.subarray(0, compressed.length - 4)); // RFC 7692 §7.2.1
    const server = await startFaultServer((socket) => socket.write(Buffer.concat(Array(400).fill(message))), {
      headers: ['Sec-WebSocket-Extensions: permessage-deflate'],
    });
    const socket = new WebSocket(server.url, {
      closeTimeout: 200,
      queue: { highWaterBytes, maxBytes: 2 * 1024 * 1024 },
    });
    const log = record(socket);
    let messages = 0;
    socket.on('binary', (_s, data) => {
      if (data.length === 64 * 1024) messages++;
    });
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    await sleep(300); // everything was read at once; without the stop it inflates to 25 MiB
    await pumpUntil(socket, () => messages === 400 || socket.state === 'closed', { what: '400 messages' });
    expect(kinds(log)).not.toContain('error'); // not queue_overflow
    expect(messages).toBe(400);
    expect(socket.stats.peakRetainedBytes).toBeLessThanOrEqual(highWaterBytes + 64 * 1024);
    socket.close();
    await pumpUntilClosed(socket);
  });
});

describe('9. a closed socket lets go of a partial message', () => {
  it('eight sockets kept by the game after a 4 MiB first fragment and a reset hold nothing of it', async () => {
    const server = await startFaultServer((socket) => {
      socket.write(frame(0x02, Buffer.alloc(4 * 1024 * 1024, 9))); // a first fragment, never finished
      setTimeout(() => socket.resetAndDestroy(), 100);
    });
    await collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    const kept: WebSocket[] = [];
    for (let i = 0; i < 8; i++) {
      const socket = new WebSocket(server.url, { perMessageDeflate: false });
      const ending = await endingOf(socket);
      expect(ending.error?.code).toMatch(/connection_(reset|lost)/);
      kept.push(socket);
    }
    expect(kept.every((socket) => socket.state === 'closed')).toBe(true);
    await collectGarbage();
    // Without the release, the closed sockets hold their 8 partial messages: 32 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('3 and 9. a socket keeps no read once its messages are dispatched', () => {
  it('eight idle sockets, each after a 1 MiB message it dispatched, hold none of it', async () => {
    const server = await startServer((client) => client.send(Buffer.alloc(1024 * 1024, 5)));
    await collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    const kept: WebSocket[] = [];
    for (let i = 0; i < 8; i++) {
      const socket = new WebSocket(server.url, { perMessageDeflate: false });
      let received = 0;
      socket.on('binary', (_s, data) => {
        received = data.length; // the handler keeps nothing
      });
      socket.open();
      await pumpUntil(socket, () => received === 1024 * 1024, { what: 'the message' });
      kept.push(socket);
    }
    await collectGarbage();
    // Without the release, each socket's queue still points at its last message: 8 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(3 * 1024 * 1024);
    for (const socket of kept) socket.close();
    await pumpUntil({ update: () => kept.reduce((sum, socket) => sum + socket.update(), 0) }, () =>
      kept.every((socket) => socket.state === 'closed'),
    );
  });
});

describe('10. forged pongs do not poison latency', () => {
  it('a pong of -Infinity and unsolicited pongs are not timed; real pongs are', async () => {
    const forged = (value: number) => {
      const payload = Buffer.alloc(8);
      payload.writeDoubleLE(value, 0);
      return frame(0x8a, payload);
    };
    const server = await startFaultServer((socket) => {
      socket.write(Buffer.concat([forged(Number.NEGATIVE_INFINITY), forged(0), forged(-1e12)]));
      onClientFrames(socket, (opcode, payload) => {
        if (opcode === 0x9) socket.write(frame(0x8a, payload)); // answer real pings
      });
    });
    const socket = new WebSocket(server.url, { perMessageDeflate: false, pingInterval: 20, closeTimeout: 200 });
    socket.open();
    await pumpUntil(socket, () => socket.latency > 0, { what: 'a timed pong' });
    expect(Number.isFinite(socket.latency)).toBe(true);
    expect(socket.latency).toBeLessThan(1_000);
    expect(Number.isFinite(socket.jitter)).toBe(true);
    socket.close();
    await pumpUntilClosed(socket);
  });
});

describe('11. each failure with its own code and the close code actually sent', () => {
  it('corrupt compressed data: protocol_error 1007', async () => {
    const server = await startFaultServer(
      (socket) => socket.write(Buffer.concat([text('before'), frame(0xc1, Buffer.from([0xff, 0xfe, 0xfd, 0x01]))])),
      { headers: ['Sec-WebSocket-Extensions: permessage-deflate'] },
    );
    const ending = await endingOf(new WebSocket(server.url));
    expect(ending.log[1]).toEqual(['message', 'before']);
    expect(ending.error?.code).toBe('protocol_error');
    expect(ending.error?.closeCode).toBe(1007);
  });

  it('a 64-bit length over 2^53: message_too_big 1009', async () => {
    const header = Buffer.from([0x82, 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const server = await startFaultServer((socket) => socket.write(Buffer.concat([text('before'), header])));
    const ending = await endingOf(new WebSocket(server.url, { perMessageDeflate: false }));
    expect(ending.error?.code).toBe('message_too_big');
    expect(ending.error?.closeCode).toBe(1009);
  });

  it('a burst of pings ws will not answer: protocol_error naming the pings, not a vanished server', async () => {
    const server = await startFaultServer((socket) => {
      socket.write(Buffer.concat(Array.from({ length: 200 }, () => frame(0x89, 'p'))));
    });
    const ending = await endingOf(new WebSocket(server.url, { perMessageDeflate: false }));
    expect(ending.error?.code).toBe('protocol_error');
    expect(ending.error?.message).toMatch(/pings faster/);
  });

  it('wss: to a plain server: tls_failure that says so, with no OpenSSL text or line break', async () => {
    const server = await startServer();
    const ending = await endingOf(new WebSocket(server.url.replace('ws:', 'wss:')));
    expect(ending.error?.code).toBe('tls_failure');
    expect(ending.error?.message).toMatch(/does not speak TLS/);
    expect(ending.description).not.toMatch(/[\r\n]|routines|SSL/);
  });

  it('CR/LF in a header value: invalid_option at construction, the value not quoted', () => {
    let error: { code?: string; message: string } | undefined;
    try {
      new WebSocket('ws://127.0.0.1:9/', { headers: { 'x-token': 'secret\r\nInjected: 1' } });
    } catch (thrown) {
      error = thrown as typeof error;
    }
    expect(error?.code).toBe('invalid_option');
    expect(error?.message).toMatch(/x-token/);
    expect(error?.message).not.toMatch(/secret|Injected/);
  });
});

describe('12. timers hold long delays', () => {
  it('closeTimeout: 3e9 does not become 1 ms', async () => {
    const server = await startFaultServer(() => {}); // never answers a close frame
    const socket = new WebSocket(server.url, { perMessageDeflate: false, closeTimeout: 3e9 });
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    socket.close();
    await sleep(300);
    socket.update();
    expect(socket.state).toBe('closing'); // still waiting for the server's answer
    await server.close(); // the server goes: now it ends
    await pumpUntilClosed(socket);
  });
});

describe('14. server text is escaped; the server gives no advice', () => {
  it('control characters in the status line are escaped in error.message and errorDesc', async () => {
    const server = await startFaultServer(() => {}, { status: '403 Forbidden\x1b[31m\x07', body: '' });
    const ending = await endingOf(new WebSocket(server.url));
    expect(ending.error?.code).toBe('handshake_refused');
    for (const text of [ending.error!.message, ending.description]) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be there
      expect(text).not.toMatch(/[\x00-\x1f\x7f]/);
      expect(text).toContain('\\x1b[31m');
    }
  });
});
