// Argument checks and the state machine: every bad call throws a typed error with a stable
// code before anything is sent, and an instance is never reused.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as CoreWebSocket } from '../../src/index.js';
import {
  InvalidArgumentError,
  InvalidCloseCodeError,
  InvalidOptionError,
  InvalidPayloadError,
  InvalidStateError,
  InvalidUrlError,
  ReasonTooLongError,
  WebSocket,
} from '../../src/node.js';
import {
  closeAllServers,
  openSocket,
  pumpUntil,
  pumpUntilClosed,
  record,
  startServer,
  thrownBy,
} from '../support/helpers.js';

afterEach(closeAllServers);

describe('URLs', () => {
  it.each([
    'not a url',
    '',
    'ftp://127.0.0.1/',
    'file:///tmp/x',
    'ws://127.0.0.1/#frag',
    'ws://127.0.0.1/#',
    '//127.0.0.1',
  ])('refuses %j with a SyntaxError coded invalid_url', (url) => {
    const error = thrownBy(() => new WebSocket(url));
    expect(error).toBeInstanceOf(InvalidUrlError);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.code).toBe('invalid_url');
    expect(error.message).toMatch(/ws:/);
  });

  it('maps http: and https: as browsers do, and takes URL objects', () => {
    expect(new WebSocket('http://127.0.0.1:9/a?b=1').url).toBe('ws://127.0.0.1:9/a?b=1');
    expect(new WebSocket('https://example.test/').url).toBe('wss://example.test/');
    expect(new WebSocket(new URL('ws://127.0.0.1:9/x')).url).toBe('ws://127.0.0.1:9/x');
  });
});

describe('options', () => {
  it.each([
    [{ protocols: ['chat', 'chat'] }],
    [{ protocols: ['bad protocol'] }],
    [{ protocols: '' }],
    [{ handshakeTimeout: -1 }],
    [{ closeTimeout: Number.NaN }],
    [{ queue: { highWaterBytes: -5 } }],
    [{ queue: { lowWaterEvents: 10, highWaterEvents: 5 } }],
  ])('refuses %j with invalid_option', (options) => {
    const error = thrownBy(() => new WebSocket('ws://127.0.0.1:9', options));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.code).toBe('invalid_option');
  });

  it('the platform-neutral class needs a transport, and says so', () => {
    const error = thrownBy(() => new CoreWebSocket('ws://127.0.0.1:9'));
    expect(error.code).toBe('invalid_option');
    expect(error.message).toMatch(/transport/);
  });
});

describe('handlers', () => {
  it('refuses unknown events and non-functions with invalid_argument', () => {
    const socket = new WebSocket('ws://127.0.0.1:9');
    const unknownEvent = thrownBy(() => socket.on('mesage' as 'message', () => {}));
    expect(unknownEvent).toBeInstanceOf(InvalidArgumentError);
    expect(unknownEvent.code).toBe('invalid_argument');
    expect(unknownEvent.message).toMatch(/message/);
    expect(thrownBy(() => socket.on('open', 42 as never)).code).toBe('invalid_argument');
  });
});

describe('state machine', () => {
  it('goes idle → connecting → open → closing → closed, and is never reused', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url);
    expect(socket.state).toBe('idle');
    expect(socket.isOpen).toBe(false);
    const log = record(socket);
    socket.open();
    expect(socket.state).toBe('connecting');
    expect(thrownBy(() => socket.open()).code).toBe('invalid_state');
    await pumpUntil(socket, () => socket.isOpen, { what: 'open' });
    expect(socket.state).toBe('open');
    socket.close(4000, 'done');
    expect(socket.state).toBe('closing');
    expect(socket.isOpen).toBe(false);
    await pumpUntilClosed(socket);
    expect(log).toEqual([['open'], ['closed', 4000, 'done']]);
    const reuse = thrownBy(() => socket.open());
    expect(reuse).toBeInstanceOf(InvalidStateError);
    expect(reuse.message).toMatch(/never reused/);
    expect(() => socket.close()).not.toThrow(); // closing a closed socket does nothing
  });

  it('send() of something that is not data says so (invalid_payload) whatever the state', () => {
    const socket = new WebSocket('ws://127.0.0.1:9/');
    expect(thrownBy(() => socket.send({} as never)).code).toBe('invalid_payload');
    socket.open();
    expect(thrownBy(() => socket.send({} as never)).code).toBe('invalid_payload');
    expect(thrownBy(() => socket.send('fine data')).code).toBe('invalid_state');
    socket.close();
  });

  it("close('1000'): a string is refused with a message that says a number is wanted", () => {
    const socket = new WebSocket('ws://127.0.0.1:9/');
    const error = thrownBy(() => socket.close('1000' as never));
    expect(error.code).toBe('invalid_close_code');
    expect(error.message).toMatch(/must be a number, got the string "1000"/);
  });

  it('send() throws invalid_state unless the game sees the socket open', async () => {
    const server = await startServer();
    const socket = new WebSocket(server.url);
    expect(thrownBy(() => socket.send('x')).code).toBe('invalid_state');
    socket.open();
    expect(thrownBy(() => socket.send('x')).code).toBe('invalid_state');
    const opened = await openSocket(server.url);
    opened.close();
    const error = thrownBy(() => opened.send('x'));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(/closing/);
    socket.close();
    await pumpUntilClosed(socket);
    await pumpUntilClosed(opened);
  });

  it('close() before open() ends the socket without events; open() then throws', () => {
    const socket = new WebSocket('ws://127.0.0.1:9');
    socket.close();
    expect(socket.state).toBe('closed');
    expect(thrownBy(() => socket.open()).code).toBe('invalid_state');
    expect(socket.update()).toBe(0);
  });

  it('close() checks its arguments before anything is sent', async () => {
    const server = await startServer();
    const socket = await openSocket(server.url);
    const client = await server.nextClient();
    let serverSawClose = false;
    client.on('close', () => (serverSawClose = true));
    for (const code of [999, 1004, 1005, 1006, 1015, 5000]) {
      const error = thrownBy(() => socket.close(code));
      expect(error).toBeInstanceOf(InvalidCloseCodeError);
      expect(error.code).toBe('invalid_close_code');
    }
    const tooLong = thrownBy(() => socket.close(1000, `${'€'.repeat(41)}a`)); // 124 bytes
    expect(tooLong).toBeInstanceOf(ReasonTooLongError);
    expect(socket.state).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(serverSawClose).toBe(false);
    socket.close(4999, '€'.repeat(41)); // 123 bytes: fine
    await pumpUntilClosed(socket);
  });

  it.each([1000, 3000, 4999])('close(%i) reaches the server and comes back in closed', async (code) => {
    const server = await startServer();
    const socket = await openSocket(server.url);
    const log = record(socket);
    socket.close(code, 'reason');
    await pumpUntilClosed(socket);
    expect(log).toEqual([['closed', code, 'reason']]);
  });
});

describe('send() payloads', () => {
  it.each([[42], [null], [undefined], [{}], [[1, 2]], [new Blob(['x'])]])(
    'refuses %j with invalid_payload',
    async (data) => {
      const server = await startServer();
      const socket = await openSocket(server.url);
      const error = thrownBy(() => socket.send(data as never));
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.code).toBe('invalid_payload');
      socket.close();
      await pumpUntilClosed(socket);
    },
  );
});

describe('hostile values (found by the property tests)', () => {
  const hostile = {
    toString() {
      throw new Error('no string for you');
    },
  };
  it('an option whose toString throws: invalid_option, with a message that still quotes it', () => {
    const error = thrownBy(() => new WebSocket('ws://a', { closeTimeout: { toString: 0 } as never }));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error.message).toMatch(/closeTimeout must be a number.*\[object Object\]/);
    expect(thrownBy(() => new WebSocket('ws://a', { queue: { maxBytes: hostile as never } })).code).toBe(
      'invalid_option',
    );
  });

  it('a URL or close reason whose toString throws: typed errors, not a TypeError from the conversion', () => {
    expect(thrownBy(() => new WebSocket(hostile as never)).code).toBe('invalid_url');
    const socket = new WebSocket('ws://127.0.0.1:9');
    const error = thrownBy(() => socket.close(1000, hostile as never));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toMatch(/close reason must be a string/);
  });
});
