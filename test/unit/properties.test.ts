// Property-based tests (fast-check). The pump is the system under test here, so events come
// from a scripted transport through the documented injection point (`options.transport`); the
// same rules are tested against real servers in the other files. Random interleavings of
// arrivals, update() calls with random budgets, handler throws, arrivals during dispatch and the
// game's close() must keep every pump rule; random arguments to every public call must give
// success or a documented typed error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, WebSocket, WebSocketError } from '../../src/index.js';
import type { Transport, TransportSink } from '../../src/transport.js';

/** A transport the test drives: what it "receives" goes to the sink when the test says so. */
function scriptedTransport() {
  const state = { sink: undefined as TransportSink | undefined, closedByGame: false };
  const transport = (): Transport => ({
    canPause: true,
    canStreamFragments: false,
    bufferedAmount: 0,
    connect(sink) {
      state.sink = sink;
    },
    send: () => !state.closedByGame,
    close() {
      state.closedByGame = true;
    },
    abort() {},
    pause() {},
    resume() {},
  });
  return { state, transport };
}

type Step =
  | { kind: 'arrive'; count: number; binary: boolean }
  | { kind: 'update'; maxEvents: number | undefined }
  | { kind: 'gameClose' }
  | { kind: 'end'; withError: boolean; code: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('arrive' as const),
      count: fc.integer({ min: 1, max: 20 }),
      binary: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      maxEvents: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'gameClose' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('end' as const),
      withError: fc.boolean(),
      code: fc.constantFrom(1000, 1001, 1006, 4000),
    }),
  },
);

describe('pump rules under random interleavings', () => {
  it('order, nothing lost, closed exactly once and last, throws never swallowed, only what was queued when update() began', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 0, max: 9 }), (steps, throwEvery) => {
        const { state, transport } = scriptedTransport();
        const socket = new WebSocket('ws://127.0.0.1:1/', { transport });
        const arrived: string[] = [];
        const dispatched: string[] = [];
        const lifecycle: string[] = [];
        let thrown = 0;
        let next = 0;
        let ended = false;
        let gameClosed = false;
        /** The game closed before it saw `open`: that cancels the connection (nothing else is dispatched). */
        let cancelled = false;
        let inUpdate = false;
        const onMessage = (label: string) => {
          expect(inUpdate).toBe(true); // rule 1
          dispatched.push(label);
          const index = Number(label.slice(1));
          // A handler that receives data synchronously: it must wait for the next update (rule 3).
          if (index % 7 === 3 && !ended && !cancelled) arrive(1, false);
          if (throwEvery > 0 && index % throwEvery === 0) {
            thrown++;
            throw new Error(`handler ${label}`);
          }
        };
        socket.on('message', (_s, text) => onMessage(text));
        socket.on('binary', (_s, data) => onMessage(new TextDecoder().decode(data)));
        socket.on('open', () => lifecycle.push('open'));
        socket.on('error', () => lifecycle.push('error'));
        socket.on('errorDesc', () => lifecycle.push('errorDesc'));
        socket.on('closed', () => lifecycle.push('closed'));
        socket.open();
        state.sink!.open({ protocol: '', extensions: '', response: null });
        function arrive(count: number, binary: boolean) {
          for (let i = 0; i < count; i++) {
            const label = `m${next++}`;
            arrived.push(label);
            if (binary) state.sink!.binary(new TextEncoder().encode(label));
            else state.sink!.text(label);
          }
        }
        const pump = (maxEvents?: number) => {
          const queuedBefore = socket.queuedEvents;
          let rethrown = 0;
          inUpdate = true;
          const thrownBefore = thrown;
          let count = 0;
          try {
            count = socket.update(maxEvents === undefined ? undefined : { maxEvents });
          } catch (error) {
            rethrown = error instanceof AggregateError ? error.errors.length : 1;
          } finally {
            inUpdate = false;
          }
          expect(rethrown).toBe(thrown - thrownBefore); // rule 5: every throw comes out, once
          if (rethrown === 0) {
            expect(count).toBeLessThanOrEqual(queuedBefore); // rule 3
            if (maxEvents !== undefined) expect(count).toBeLessThanOrEqual(maxEvents);
          }
        };
        for (const action of steps) {
          if (action.kind === 'arrive' && !ended && !cancelled) arrive(action.count, action.binary);
          else if (action.kind === 'update') pump(action.maxEvents);
          else if (action.kind === 'gameClose' && !gameClosed) {
            gameClosed = true;
            cancelled = !lifecycle.includes('open');
            if (cancelled) ended = true; // the queue takes nothing more of this connection
            socket.close();
            expect(socket.isOpen).toBe(false); // rule 7: at once for the game's own close()
          } else if (action.kind === 'end' && !ended) {
            ended = true;
            if (action.withError) state.sink!.error(new WebSocketError('connection_reset', 'reset by the test'));
            state.sink!.closed(action.code, '', !action.withError && action.code !== 1006);
          }
        }
        if (!ended) {
          ended = true;
          state.sink!.closed(1000, '', true);
        }
        for (let i = 0; i < 200 && socket.state !== 'closed'; i++) pump();
        expect(socket.state).toBe('closed');
        // Rules 2 and 4: every message that arrived, in order, then closed, exactly once, last
        // (unless the game cancelled the connection before it saw it open).
        expect(dispatched).toEqual(cancelled ? [] : arrived);
        if (cancelled) expect(lifecycle).toEqual(['closed']);
        expect(lifecycle.filter((event) => event === 'closed')).toHaveLength(1);
        expect(lifecycle.at(-1)).toBe('closed');
        const errorAt = lifecycle.indexOf('error');
        if (errorAt >= 0) expect(lifecycle.slice(errorAt)).toEqual(['error', 'errorDesc', 'closed']);
        expect(socket.update()).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

const KNOWN_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_url',
  'invalid_close_code',
  'reason_too_long',
  'invalid_payload',
  'invalid_argument',
  'invalid_option',
  'invalid_state',
  'streaming_unsupported',
]);

/** Run `action`: fine if it returns; if it throws, the error must be a typed ticksocket error. */
function typedOrNothing(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    const code = (error as { code?: unknown }).code;
    expect(KNOWN_CODES.has(code as ErrorCode), `untyped error: ${String(error)}`).toBe(true);
    expect((error as Error).message.length).toBeGreaterThan(10);
  }
}

describe('random arguments give success or a documented typed error', () => {
  const anything = fc.oneof(
    fc.anything(),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.constant(undefined),
    fc.constant(null),
  );

  it('the constructor: URLs and options', () => {
    const { transport } = scriptedTransport();
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('ws://a', 'wss://b/c?d', 'http://e', 'ws://f#g')),
        fc.record(
          {
            protocols: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })),
            handshakeTimeout: anything,
            closeTimeout: anything,
            pingInterval: anything,
            closeAfterNoMessage: anything,
            queue: fc.record({ highWaterBytes: anything, lowWaterEvents: anything }, { requiredKeys: [] }),
          },
          { requiredKeys: [] },
        ),
        (url, options) => typedOrNothing(() => new WebSocket(url, { ...(options as object), transport })),
      ),
      { numRuns: 500 },
    );
  });

  it('close(), send(), on() and open() in every state', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('idle', 'connecting', 'open', 'closing'),
        anything,
        fc.oneof(fc.string({ maxLength: 200 }), anything),
        anything,
        fc.oneof(
          fc.constantFrom('open', 'message', 'binary', 'closed', 'error', 'errorDesc', 'incompleteFrame'),
          fc.string(),
        ),
        (stateName, code, reason, data, event) => {
          const { state, transport } = scriptedTransport();
          const socket = new WebSocket('ws://127.0.0.1:1/', { transport });
          if (stateName !== 'idle') socket.open();
          if (stateName === 'open' || stateName === 'closing') {
            state.sink!.open({ protocol: '', extensions: '', response: null });
            socket.update();
          }
          if (stateName === 'closing') socket.close();
          typedOrNothing(() => socket.send(data as string));
          typedOrNothing(() => socket.on(event as 'open', data as () => void));
          typedOrNothing(() => socket.close(code as number, reason as string));
          typedOrNothing(() => socket.open());
          typedOrNothing(() => socket.update({ maxEvents: code as number }));
        },
      ),
      { numRuns: 500 },
    );
  });
});
