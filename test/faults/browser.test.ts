// The same faults, met by the browser transport in real Chromium. Browsers hide the details
// (a protocol error is a generic failure, a refused handshake looks like any failure to
// connect); what the game sees is pinned here and listed in docs/reliability.md.
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserHarness, runScenario, startBrowserHarness } from '../browser/harness.js';
import { closeFaultServers, closeFrame, frame, type HandshakeScript, startFaultServer, text } from './fault-server.js';

let harness: BrowserHarness;
beforeAll(async () => {
  harness = await startBrowserHarness();
});
afterAll(async () => {
  await harness?.close();
});
afterEach(closeFaultServers);

type Entry = [string, ...unknown[]];

async function browserOutcome(script: (socket: Socket) => void, handshake: HandshakeScript = {}): Promise<Entry[]> {
  const server = await startFaultServer(script, handshake);
  const log = (await runScenario(harness.page, 'record', server.url)) as Entry[];
  expect(log.filter((entry) => entry[0] === 'OUTSIDE UPDATE')).toEqual([]);
  expect(log.filter((entry) => entry[0] === 'closed')).toHaveLength(1);
  expect(log.at(-1)![0]).toBe('closed');
  return log;
}

const afterFirstMessage = (fault: (socket: Socket) => void) => (socket: Socket) => {
  socket.write(text('before'));
  fault(socket);
};
const kinds = (log: Entry[]) => log.map((entry) => entry[0]);
const messages = (log: Entry[]) => log.filter((entry) => entry[0] === 'message').map((entry) => entry[1]);

// Both browser transports meet each fault the same way (the worker transport's WebSocket is
// the same native one, in a Web Worker).
describe.each(['native', 'worker'] as const)('faults in Chromium (%s transport)', (transport) => {
  beforeAll(async () => {
    await harness.page.evaluate((mode) => {
      (window as unknown as { transport: string }).transport = mode;
    }, transport);
  });

  it.each([
    ['invalid UTF-8 in a text frame', (socket: Socket) => socket.write(frame(0x81, Buffer.from([0xc3, 0x28])))],
    ['a reserved opcode', (socket: Socket) => socket.write(frame(0x83, 'x'))],
    ['a masked frame', (socket: Socket) => socket.write(frame(0x81, 'x', { masked: true }))],
    ['an oversized control frame', (socket: Socket) => socket.write(frame(0x89, Buffer.alloc(126)))],
  ] as const)('%s: a generic connection_lost, then closed 1006; never a partial message', async (_name, fault) => {
    const log = await browserOutcome(afterFirstMessage(fault));
    expect(kinds(log).slice(-3)).toEqual(['error', 'errorDesc', 'closed']);
    expect(log.at(-3)).toEqual(['error', 'connection_lost']);
    expect(log.at(-1)).toEqual(['closed', 1006, '']);
    // Chromium may drop a complete message that came in the same read as the fault.
    expect(['before'].slice(0, messages(log).length)).toEqual(messages(log));
  });

  it('a close frame with code 999 is passed through by Chromium, with no error (Node reports protocol_error)', async () => {
    const log = await browserOutcome(afterFirstMessage((socket) => socket.write(closeFrame(999))));
    expect(log).toEqual([['open'], ['message', 'before'], ['closed', 999, '']]);
  });

  it.each([
    ['without a code: 1005', undefined, '', 1005],
    ['with a code and a reason', 4321, 'maintenance', 4321],
  ] as const)('a close frame %s, clean', async (_name, code, reason, expected) => {
    const log = await browserOutcome(
      afterFirstMessage((socket) => {
        socket.write(closeFrame(code, reason));
        socket.once('data', () => socket.end());
      }),
    );
    expect(log).toEqual([['open'], ['message', 'before'], ['closed', expected, reason]]);
  });

  it.each([
    ['plain EOF mid-frame', (socket: Socket) => socket.end(frame(0x81, 'never whole').subarray(0, 6))],
    [
      'a TCP reset mid-frame',
      (socket: Socket) => {
        socket.write(frame(0x81, 'never whole').subarray(0, 6));
        setTimeout(() => socket.resetAndDestroy(), 20);
      },
    ],
    ['101 and an immediate end', (socket: Socket) => socket.end()],
  ] as const)('%s: connection_lost, then closed 1006', async (name, fault) => {
    const log = await browserOutcome(name.startsWith('101') ? fault : afterFirstMessage(fault));
    expect(kinds(log).slice(-3)).toEqual(['error', 'errorDesc', 'closed']);
    expect(log.at(-3)).toEqual(['error', 'connection_lost']);
    expect(log.at(-1)).toEqual(['closed', 1006, '']);
    expect(messages(log)).toEqual(name.startsWith('101') ? [] : ['before']);
  });

  it.each([
    ['401 with a body', { status: '401 Unauthorized', body: 'token expired' }],
    ['a wrong Sec-WebSocket-Accept', { accept: 'd3JvbmcgYWNjZXB0IGtleQ==' }],
  ] as const)('%s: connection_failed (browsers do not say why), then closed 1006', async (_name, handshake) => {
    const log = await browserOutcome(() => {}, handshake);
    expect(kinds(log)).toEqual(['error', 'errorDesc', 'closed']);
    expect(log[0]).toEqual(['error', 'connection_failed']);
    expect(String(log[1]![1])).toMatch(/devtools console/);
    expect(log[2]).toEqual(['closed', 1006, '']);
  });
});
