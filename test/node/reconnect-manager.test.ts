// The reconnecting socket on the one pump: in a SocketManager with plain sockets, its handler
// errors rethrown by the update() that ran them, and a backoff that only a connection that stayed
// up resets. Real servers on loopback; the server restart reuses its port.
import { afterEach, describe, expect, it } from 'vitest';
import { ReconnectingWebSocket, SocketManager, WebSocket } from '../../src/node.js';
import { closeAllServers, pumpUntil, sleep, startServer } from '../support/helpers.js';

afterEach(closeAllServers);

describe('a ReconnectingWebSocket in a SocketManager', () => {
  it('is pumped by the manager in arrival order with a plain socket, through a server restart', async () => {
    // The server answers each "tick n" with "n"; both clients send one tick per round.
    const echo = (client: import('ws').WebSocket) => client.on('message', (data) => client.send(String(data)));
    const first = await startServer(echo);
    const other = await startServer(echo);
    const manager = new SocketManager();
    const reconnecting = new ReconnectingWebSocket(first.url, {
      manager,
      reconnect: { minDelay: 20, maxDelay: 40, jitter: 0 },
    });
    const plain = new WebSocket(other.url, { manager });
    const order: string[] = [];
    const arrival: number[] = [];
    reconnecting.on('message', (s, text) => {
      order.push(`r ${text}`);
      arrival.push(s.eventTime);
    });
    plain.on('message', (s, text) => {
      order.push(`p ${text}`);
      arrival.push(s.eventTime);
    });
    const events: string[] = [];
    reconnecting.on('reconnecting', () => events.push('reconnecting'));
    reconnecting.on('reconnected', () => events.push('reconnected'));
    reconnecting.open();
    plain.open();
    expect(() => reconnecting.update()).toThrow(/manager\.update\(\)/);
    await pumpUntil(manager, () => reconnecting.isOpen && plain.isOpen);
    expect(manager.sockets).toEqual([reconnecting, plain]);

    const round = async (n: number) => {
      reconnecting.send(`${n}`);
      plain.send(`${n}`);
      await pumpUntil(manager, () => order.filter((entry) => entry.endsWith(` ${n}`)).length === 2);
    };
    await round(1);
    await round(2);
    const port = first.port;
    await first.close(); // the server goes away...
    await pumpUntil(manager, () => events.includes('reconnecting'));
    await startServer(echo, {}, port); // ...and comes back on the same port
    await pumpUntil(manager, () => events.includes('reconnected'));
    await round(3);
    await round(4);
    expect(order.filter((entry) => entry.startsWith('r'))).toEqual(['r 1', 'r 2', 'r 3', 'r 4']);
    expect(order.filter((entry) => entry.startsWith('p'))).toEqual(['p 1', 'p 2', 'p 3', 'p 4']);
    // Dispatched across sockets in the order the messages arrived, before and after the restart.
    expect(arrival).toEqual([...arrival].sort((a, b) => a - b));
    expect(manager.size).toBe(2);

    manager.closeAll();
    await pumpUntil(manager, () => manager.size === 0);
    expect(reconnecting.state).toBe('closed');
  });
});

describe('handler errors of a reconnecting socket', () => {
  it('a closed handler that throws, for a close while waiting to reconnect, is rethrown by that update()', async () => {
    const server = await startServer();
    const socket = new ReconnectingWebSocket(server.url, { reconnect: { minDelay: 5_000, jitter: 0 } });
    socket.on('closed', () => {
      throw new Error('from the closed handler');
    });
    let reconnecting = false;
    socket.on('reconnecting', () => {
      reconnecting = true;
    });
    socket.open();
    await pumpUntil(socket, () => socket.isOpen);
    for (const client of server.clients) client.terminate();
    await pumpUntil(socket, () => reconnecting);
    socket.close(4000, 'leaving'); // during the 5 s wait: no connection carries this closed
    expect(() => socket.update()).toThrow('from the closed handler');
    expect(socket.state).toBe('closed');
    // Nothing was left behind for another socket's update() to throw.
    const bystander = new WebSocket(server.url);
    bystander.open();
    await pumpUntil(bystander, () => bystander.isOpen);
    bystander.close();
    await pumpUntil(bystander, () => bystander.state === 'closed');
  });
});

describe('minUptime', () => {
  it('a server that accepts and drops at once sees the delays grow, not a reconnect every minDelay', async () => {
    const server = await startServer((client) => client.terminate());
    const socket = new ReconnectingWebSocket(server.url, {
      reconnect: { minDelay: 10, maxDelay: 10_000, factor: 2, jitter: 0, minUptime: 5_000, maxRetries: 5 },
    });
    const delays: number[] = [];
    let opens = 0;
    socket.on('open', () => opens++);
    socket.on('reconnecting', (_s, _attempt, delay) => delays.push(delay));
    socket.open();
    await pumpUntil(socket, () => socket.state === 'closed', { timeoutMs: 10_000 });
    expect(opens).toBeGreaterThanOrEqual(1); // it did connect: the server accepted each time
    expect(delays).toEqual([10, 20, 40, 80, 160]); // then maxRetries ended it
  });

  it('a connection that stayed up longer than minUptime resets the backoff', async () => {
    let connections = 0;
    const server = await startServer((client) => {
      connections++;
      if (connections === 3)
        setTimeout(() => client.terminate(), 150); // up longer than minUptime
      else client.terminate();
    });
    const socket = new ReconnectingWebSocket(server.url, {
      reconnect: { minDelay: 10, factor: 2, jitter: 0, minUptime: 100, maxRetries: 4 },
    });
    const delays: number[] = [];
    socket.on('reconnecting', (_s, _attempt, delay) => delays.push(delay));
    socket.open();
    await pumpUntil(socket, () => delays.length >= 4, { timeoutMs: 10_000 });
    socket.close();
    await sleep(5);
    socket.update();
    expect(delays.slice(0, 4)).toEqual([10, 20, 10, 20]);
  });
});
