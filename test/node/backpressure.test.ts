// Pump rule 6: memory stays bounded when the game stops pumping. In Node the transport stops
// reading past the high-water mark (TCP backpressure reaches the server) and resumes below the
// low-water mark; nothing is lost: 100 MiB checked by count and SHA-1.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from '../../src/node.js';
import { closeAllServers, onGo, pumpUntil, pumpUntilClosed, sleep, startServer, waitFor } from '../support/helpers.js';

afterEach(closeAllServers);

const MESSAGE_BYTES = 64 * 1024;
const MESSAGES = 1600; // 100 MiB
const HIGH_WATER = 1024 * 1024;

function payload(index: number): Buffer {
  const data = Buffer.allocUnsafe(MESSAGE_BYTES);
  data.writeUInt32LE(index, 0);
  let x = (index * 2654435761) >>> 0 || 1;
  for (let i = 4; i < MESSAGE_BYTES; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeUInt32LE(x >>> 0, i);
  }
  return data;
}

describe('rule 6: bounded memory, nothing lost', () => {
  it('a 100 MiB flood while not pumped stays near the high-water mark, then arrives whole', async () => {
    let sent = 0;
    const serverHash = createHash('sha1');
    const server = await startServer(
      onGo((client) => {
        // The server writes as fast as TCP lets it; it stalls when the client stops reading.
        const flood = () => {
          while (sent < MESSAGES && client.bufferedAmount < 4 * MESSAGE_BYTES) {
            const data = payload(sent++);
            serverHash.update(data);
            client.send(data);
          }
          if (sent < MESSAGES) setTimeout(flood, 1);
        };
        flood();
      }),
    );
    const socket = new WebSocket(server.url, { queue: { highWaterBytes: HIGH_WATER }, perMessageDeflate: false });
    const clientHash = createHash('sha1');
    let received = 0;
    let outOfOrder = 0;
    socket.on('binary', (_s, data) => {
      if (new DataView(data.buffer, data.byteOffset).getUint32(0, true) !== received) outOfOrder++;
      received++;
      clientHash.update(data);
    });
    socket.on('open', (s) => s.send('go'));
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);

    // The game "pauses": no update() while the server floods.
    await waitFor(() => socket.stats.queuedBytes > HIGH_WATER, { what: 'queue past the high-water mark' });
    const sentWhenFull = sent;
    await sleep(300);
    const stats = socket.stats;
    // Reading stopped: at most the chunk being parsed when it paused got in after the mark.
    expect(stats.peakQueuedBytes).toBeLessThanOrEqual(HIGH_WATER + 3 * MESSAGE_BYTES);
    expect(stats.queuedBytes).toBe(stats.peakQueuedBytes);
    // ...and TCP backpressure reached the server, which could not finish.
    expect(sent).toBeLessThan(MESSAGES);
    expect(sent - sentWhenFull).toBeLessThan(MESSAGES / 2);

    await pumpUntil(socket, () => received === MESSAGES, { timeoutMs: 60_000, what: 'all 1600 messages' });
    expect(outOfOrder).toBe(0);
    expect(clientHash.digest('hex')).toBe(serverHash.digest('hex'));
    expect(socket.stats.peakQueuedBytes).toBeLessThanOrEqual(HIGH_WATER + 3 * MESSAGE_BYTES);
    socket.close();
    await pumpUntilClosed(socket);
  });

  it('many small messages pause on the event count', async () => {
    const server = await startServer(
      onGo((client) => {
        for (let i = 0; i < 100_000; i++) client.send(Buffer.of(i & 0xff));
      }),
    );
    const socket = new WebSocket(server.url, { queue: { highWaterEvents: 10_000 } });
    let received = 0;
    let bad = 0;
    socket.on('binary', (_s, data) => {
      if (data[0] !== (received & 0xff)) bad++;
      received++;
    });
    socket.on('open', (s) => s.send('go'));
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    await waitFor(() => socket.queuedEvents > 10_000, { what: 'past 10 000 events' });
    await sleep(100);
    // One 64 KiB read of 3-byte frames is at most ~22 000 events past the mark.
    expect(socket.stats.peakQueuedEvents).toBeLessThan(10_000 + 22_000);
    await pumpUntil(socket, () => received === 100_000, { timeoutMs: 30_000 });
    expect(bad).toBe(0);
    socket.close();
    await pumpUntilClosed(socket);
  });
});
