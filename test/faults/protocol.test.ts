// Faults a client meets, produced for real by a raw-TCP server after a correct handshake.
// Every case: the stable error code, a useful errorDesc, the code in closed, closed exactly
// once and last, the complete message before the fault dispatched, no partial one ever.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type NodeWebSocketOptions, WebSocket, type WebSocketError } from '../../src/node.js';
import { pumpUntil, pumpUntilClosed, sleep } from '../support/helpers.js';
import { closeFaultServers, closeFrame, frame, type HandshakeScript, startFaultServer, text } from './fault-server.js';

afterEach(closeFaultServers);

interface Outcome {
  messages: string[];
  events: string[];
  error: WebSocketError | undefined;
  description: string;
  closed: [number, string];
}

/** Connect to a fault server, pump until closed, and check the invariants every ending keeps. */
async function outcomeOf(
  script: (socket: Socket) => void,
  handshake: HandshakeScript = {},
  options: NodeWebSocketOptions = {},
): Promise<Outcome> {
  const server = await startFaultServer(script, handshake);
  const socket = new WebSocket(server.url, { closeTimeout: 300, perMessageDeflate: false, ...options });
  const outcome: Outcome = { messages: [], events: [], error: undefined, description: '', closed: [0, ''] };
  socket.on('open', () => outcome.events.push('open'));
  socket.on('message', (_s, message) => {
    outcome.events.push('message');
    outcome.messages.push(message);
  });
  socket.on('binary', () => outcome.events.push('binary'));
  socket.on('error', (_s, error) => {
    outcome.events.push('error');
    outcome.error = error;
  });
  socket.on('errorDesc', (_s, description) => {
    outcome.events.push('errorDesc');
    outcome.description = description;
  });
  socket.on('closed', (_s, code, reason) => {
    outcome.events.push('closed');
    outcome.closed = [code, reason];
  });
  socket.open();
  await pumpUntilClosed(socket, [socket], 5_000);
  for (let i = 0; i < 3; i++) {
    await sleep(5);
    expect(socket.update()).toBe(0); // nothing after closed
  }
  expect(outcome.events.filter((event) => event === 'closed')).toHaveLength(1);
  expect(outcome.events.at(-1)).toBe('closed');
  if (outcome.error !== undefined) {
    expect(outcome.events.slice(-3)).toEqual(['error', 'errorDesc', 'closed']);
    expect(outcome.description.startsWith(`${outcome.error.code}: `)).toBe(true);
    expect(outcome.description.length).toBeGreaterThan(outcome.error.code.length + 20);
  }
  return outcome;
}

/** A complete message, then `fault`. */
const afterFirstMessage = (fault: Buffer[] | ((socket: Socket) => void)) => (socket: Socket) => {
  socket.write(text('before'));
  if (typeof fault === 'function') fault(socket);
  else for (const bytes of fault) socket.write(bytes);
};

describe('protocol errors from the server (1002, 1007, 1009)', () => {
  const u16 = (code: number, rest: number[] = []) => Buffer.from([code >> 8, code & 0xff, ...rest]);
  it.each([
    ['invalid UTF-8 in a text frame', [frame(0x81, Buffer.from([0xc3, 0x28]))], 1007],
    ['invalid UTF-8 in a close reason', [closeFrame(u16(1000, [0xc3, 0x28]))], 1007],
    ['a reserved opcode', [frame(0x83, 'x')], 1002],
    ['RSV1 without an extension', [frame(0xc1, 'x')], 1002],
    ['a fragmented control frame', [frame(0x09, 'x')], 1002],
    ['an oversized control frame', [frame(0x89, Buffer.alloc(126))], 1002],
    ['a continuation with nothing started', [frame(0x80, 'x')], 1002],
    ['a masked frame', [frame(0x81, 'x', { masked: true })], 1002],
    ['a close frame with code 999', [closeFrame(999)], 1002],
    ['a close frame with code 1005', [closeFrame(1005)], 1002],
    ['a close frame with code 1006', [closeFrame(1006)], 1002],
    ['a close frame with code 1016', [closeFrame(1016)], 1002],
    ['a close frame with code 5000', [closeFrame(5000)], 1002],
    ['a close frame with a 1-byte body', [closeFrame(Buffer.from([0x03]))], 1002],
  ] as const)('%s: protocol_error (%i), then closed 1006', async (_name, bytes, closeCode) => {
    const outcome = await outcomeOf(afterFirstMessage([...bytes]));
    expect(outcome.messages).toEqual(['before']);
    expect(outcome.error?.code).toBe('protocol_error');
    expect(outcome.error?.closeCode).toBe(closeCode);
    expect(outcome.closed[0]).toBe(1006); // the server never answered our close frame
  });

  it('a message over maxPayload: message_too_big (1009)', async () => {
    const outcome = await outcomeOf(afterFirstMessage([text('x'.repeat(100))]), {}, { maxPayload: 64 });
    expect(outcome.messages).toEqual(['before']);
    expect(outcome.error?.code).toBe('message_too_big');
    expect(outcome.error?.closeCode).toBe(1009);
  });
});

describe('how the connection ends', () => {
  /** The server answers the client's close frame by ending TCP, as a server should. */
  const thenEndOnReply = (socket: Socket) => socket.once('data', () => socket.end());

  it('a close frame without a code: closed 1005, clean, no error', async () => {
    const outcome = await outcomeOf(
      afterFirstMessage((socket) => {
        socket.write(closeFrame());
        thenEndOnReply(socket);
      }),
    );
    expect(outcome.events).toEqual(['open', 'message', 'closed']);
    expect(outcome.closed).toEqual([1005, '']);
  });

  it('a close frame with a code and a reason: both reported, no error', async () => {
    const outcome = await outcomeOf(
      afterFirstMessage((socket) => {
        socket.write(closeFrame(4321, 'shutting down for maintenance'));
        thenEndOnReply(socket);
      }),
    );
    expect(outcome.events).toEqual(['open', 'message', 'closed']);
    expect(outcome.closed).toEqual([4321, 'shutting down for maintenance']);
  });

  it.each([
    [
      'plain EOF mid-frame',
      (socket: Socket) => socket.end(frame(0x81, 'never whole').subarray(0, 6)),
      'connection_lost',
    ],
    [
      'a TCP reset mid-frame',
      (socket: Socket) => {
        socket.write(frame(0x81, 'never whole').subarray(0, 6));
        setTimeout(() => socket.resetAndDestroy(), 20);
      },
      'connection_reset',
    ],
  ] as const)('%s: the partial message is never dispatched; error, then closed 1006', async (_name, fault, code) => {
    const outcome = await outcomeOf(afterFirstMessage(fault));
    expect(outcome.messages).toEqual(['before']);
    expect([code, 'connection_lost']).toContain(outcome.error?.code);
    expect(outcome.closed[0]).toBe(1006);
  });

  it.each([
    ['EOF', (socket: Socket) => socket.end(frame(0x81, 'ignored').subarray(0, 4))],
    [
      'a reset',
      (socket: Socket) => {
        socket.write(frame(0x81, 'ignored').subarray(0, 4));
        setTimeout(() => socket.resetAndDestroy(), 20);
      },
    ],
  ] as const)(
    'a close frame, then %s before the handshake completes: the received code (RFC 6455 §7.1.5)',
    async (_name, fault) => {
      const outcome = await outcomeOf(
        afterFirstMessage((socket) => {
          socket.write(closeFrame(4000, 'bye'));
          fault(socket);
        }),
      );
      expect(outcome.messages).toEqual(['before']);
      expect(outcome.closed).toEqual([4000, 'bye']);
    },
  );
});

describe('handshake faults', () => {
  it.each([
    ['500', { status: '500 Internal Server Error', body: 'boom' }, /500 Internal Server Error.*server failed/],
    [
      'a redirect',
      { status: '302 Found', headers: ['Location: ws://127.0.0.1:1/elsewhere'] },
      // The target is the server's word: in error.response.headers, never in the advice.
      /^(?!.*elsewhere).*302 Found.*redirects.*do not follow redirects/,
    ],
    ['401 with a body', { status: '401 Unauthorized', body: 'token expired' }, /401 Unauthorized.*credentials/],
  ] as const)('%s: handshake_refused with the status, then closed 1006', async (_name, handshake, message) => {
    const outcome = await outcomeOf(() => {}, handshake);
    expect(outcome.events).toEqual(['error', 'errorDesc', 'closed']);
    expect(outcome.error?.code).toBe('handshake_refused');
    expect(outcome.error?.statusCode).toBe(Number.parseInt(handshake.status, 10));
    expect(outcome.error?.message).toMatch(message);
    if ('body' in handshake) expect(outcome.error?.response?.body).toBe(handshake.body);
    expect(outcome.closed[0]).toBe(1006);
  });

  it.each([
    ['a wrong Sec-WebSocket-Accept', { accept: 'd3JvbmcgYWNjZXB0IGtleQ==' }, {}],
    ['a subprotocol that was not requested', { headers: ['Sec-WebSocket-Protocol: chat'] }, {}],
    ['a subprotocol other than those offered', { headers: ['Sec-WebSocket-Protocol: chat'] }, { protocols: ['game'] }],
  ] as const)('%s: handshake_invalid, then closed 1006', async (_name, handshake, options) => {
    const outcome = await outcomeOf(() => {}, handshake, options);
    expect(outcome.events).toEqual(['error', 'errorDesc', 'closed']);
    expect(outcome.error?.code).toBe('handshake_invalid');
    expect(outcome.closed[0]).toBe(1006);
  });

  it('101 and then an immediate end: open, then connection_lost and closed 1006', async () => {
    const outcome = await outcomeOf((socket) => socket.end());
    expect(outcome.events).toEqual(['open', 'error', 'errorDesc', 'closed']);
    expect(outcome.error?.code).toBe('connection_lost');
    expect(outcome.closed[0]).toBe(1006);
  });

  it('a server that accepts TCP and never answers: handshake_timeout', async () => {
    const outcome = await outcomeOf(() => {}, { silent: true }, { handshakeTimeout: 150 });
    expect(outcome.events).toEqual(['error', 'errorDesc', 'closed']);
    expect(outcome.error?.code).toBe('handshake_timeout');
  });
});

describe('TLS with a self-signed certificate', () => {
  let dir: string;
  let wss: WebSocketServer;
  let url: string;
  let https: ReturnType<typeof createHttpsServer>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ticksocket-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    https = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    wss = new WebSocketServer({ server: https });
    wss.on('connection', (client) => client.send('secure hello'));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    url = `wss://127.0.0.1:${(https.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => https.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(options: NodeWebSocketOptions): Promise<{ events: string[]; error?: WebSocketError }> {
    const socket = new WebSocket(url, options);
    const result: { events: string[]; error?: WebSocketError } = { events: [] };
    socket.on('open', () => result.events.push('open'));
    socket.on('message', (s, message) => {
      result.events.push(message);
      s.close();
    });
    socket.on('error', (_s, error) => {
      result.events.push('error');
      result.error = error;
    });
    socket.on('closed', (_s, code) => result.events.push(`closed ${code}`));
    socket.open();
    await pumpUntilClosed(socket, [socket], 5_000);
    return result;
  }

  it('is refused by default with tls_failure', async () => {
    const result = await connect({});
    expect(result.events).toEqual(['error', 'closed 1006']);
    expect(result.error?.code).toBe('tls_failure');
    expect(result.error?.message).toMatch(/tls\.ca/);
  });

  it('is accepted with its CA given as tls.ca', async () => {
    const result = await connect({ tls: { ca: readFileSync(join(dir, 'cert.pem')) } });
    expect(result.events).toEqual(['open', 'secure hello', 'closed 1000']);
  });
});

describe('a slow server', () => {
  it('reading 1 KiB/s while the game sends 50 MiB: bufferedAmount grows, nothing is dropped, close() ends within closeTimeout', async () => {
    const server = await startFaultServer((socket) => {
      socket.pause(); // read 1 KiB a second from now on
      const reader = setInterval(() => socket.read(100), 100);
      socket.on('close', () => clearInterval(reader));
    });
    const socket = new WebSocket(server.url, { closeTimeout: 500, perMessageDeflate: false });
    const events: string[] = [];
    socket.on('error', (_s, error) => events.push(`error ${error.code}`));
    socket.on('closed', (_s, code) => events.push(`closed ${code}`));
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    const rssBefore = process.memoryUsage().rss;
    const chunk = new Uint8Array(64 * 1024).fill(7);
    for (let i = 0; i < 800; i++) socket.send(chunk); // 50 MiB
    await sleep(300);
    socket.update();
    const stats = socket.stats;
    expect(stats.messagesOut).toBe(800);
    expect(stats.droppedSends).toBe(0);
    // The kernel holds a few MiB; the rest waits in the socket's buffer.
    expect(socket.bufferedAmount).toBeGreaterThan(40 * 1024 * 1024);
    // The 50 MiB are held once (the send buffer), not copied over and over.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(160 * 1024 * 1024);
    const closeAt = performance.now();
    socket.close(1000, 'done');
    await pumpUntilClosed(socket, [socket], 5_000);
    const took = performance.now() - closeAt;
    expect(took).toBeGreaterThanOrEqual(450); // the close frame could not get out: the timeout ended it
    expect(took).toBeLessThan(500 + 3_000); // the timeout, not pumpUntilClosed's limit
    expect(events.at(-1)).toBe('closed 1006');
  });
});

describe('a host name that does not resolve', () => {
  it('dns_failure, then closed 1006 (resolved through a DNS server on loopback that answers NXDOMAIN)', async () => {
    // A real resolver (c-ares) talking to a real DNS server, both on this machine: the system
    // resolver would send the query off loopback.
    const dns = createSocket('udp4');
    dns.on('message', (query, peer) => {
      const answer = Buffer.from(query);
      answer[2] = 0x81; // response, recursion desired
      answer[3] = 0x83; // recursion available, NXDOMAIN
      answer.writeUInt16BE(0, 6); // no answers
      dns.send(answer, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve));
    const resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns.address().port}`]);
    const lookup = ((hostname: string, _options: unknown, callback: (error: Error | null) => void) => {
      resolver.resolve4(hostname, (error) => callback(error ?? new Error('unexpected answer')));
    }) as unknown as NodeWebSocketOptions['lookup'];
    try {
      const socket = new WebSocket('ws://game.invalid:8080/room', { lookup });
      const events: string[] = [];
      let error: WebSocketError | undefined;
      socket.on('error', (_s, e) => {
        error = e;
        events.push('error');
      });
      socket.on('errorDesc', (_s, description) => events.push(description));
      socket.on('closed', (_s, code) => events.push(`closed ${code}`));
      socket.open();
      await pumpUntilClosed(socket, [socket], 5_000);
      expect(error?.code).toBe('dns_failure');
      expect(events).toEqual([
        'error',
        expect.stringMatching(/^dns_failure: The host name of game\.invalid:8080 could not be resolved/),
        'closed 1006',
      ]);
    } finally {
      dns.close();
    }
  });
});
