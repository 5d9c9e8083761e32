// Pure unit tests of the event queue: order across ring growth, byte accounting, water marks.
// The transport here only records pause/resume/abort: the queue is tested on its own.
import { describe, expect, it } from 'vitest';
import { WebSocketError } from '../src/errors.js';
import { DEFAULT_QUEUE_LIMITS, EventQueue, type QueueLimits } from '../src/queue.js';
import { CLOSED, ERROR, OPEN, TEXT, type Transport } from '../src/transport.js';

function recordingTransport(canPause: boolean): Transport & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    canPause,
    canStreamFragments: false,
    bufferedAmount: 0,
    connect: () => calls.push('connect'),
    send: () => true,
    close: () => calls.push('close'),
    abort: () => calls.push('abort'),
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
  };
}

function drain(queue: EventQueue): [number, unknown, number][] {
  const out: [number, unknown, number][] = [];
  while (queue.length > 0) {
    out.push([queue.headKind, queue.headPayload, queue.headCode]);
    queue.shift();
  }
  return out;
}

const limits = (overrides: Partial<QueueLimits>): QueueLimits => ({ ...DEFAULT_QUEUE_LIMITS, ...overrides });

describe('EventQueue', () => {
  it('keeps arrival order across ring growth and wrap-around', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {});
    const expected: unknown[] = [];
    let next = 0;
    // Interleave pushes and shifts so the head wraps while the ring grows from 8 to 1024.
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 5; i++) {
        const payload = `m${next++}`;
        queue.text(payload);
        expected.push(payload);
      }
      for (let i = 0; i < 2; i++) {
        expect(queue.headPayload).toBe(expected.shift());
        queue.shift();
      }
    }
    expect(drain(queue).map(([, payload]) => payload)).toEqual(expected);
  });

  it('counts bytes on push and shift, and keeps the peaks', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {});
    queue.open({ protocol: '', extensions: '', response: null });
    queue.text('hello');
    queue.binary(new Uint8Array(300));
    expect(queue.bytes).toBe(305);
    expect(queue.messagesIn).toBe(2);
    queue.shift();
    queue.shift();
    expect(queue.bytes).toBe(300);
    queue.shift();
    expect(queue.bytes).toBe(0);
    expect(queue.peakBytes).toBe(305);
    expect(queue.peakLength).toBe(3);
    expect(queue.bytesIn).toBe(305);
  });

  it('pauses the transport above the high-water mark and resumes at the low-water mark', () => {
    const transport = recordingTransport(true);
    const queue = new EventQueue(
      transport,
      limits({ highWaterEvents: 10, lowWaterEvents: 4, highWaterBytes: 1000, lowWaterBytes: 500 }),
      {},
    );
    for (let i = 0; i < 10; i++) queue.binary(new Uint8Array(10));
    expect(transport.calls).toEqual([]);
    queue.binary(new Uint8Array(10));
    expect(transport.calls).toEqual(['pause']);
    queue.binary(new Uint8Array(10)); // already paused: no second call
    expect(transport.calls).toEqual(['pause']);
    while (queue.length > 5) queue.shift();
    expect(transport.calls).toEqual(['pause']);
    queue.shift();
    expect(transport.calls).toEqual(['pause', 'resume']);
  });

  it('pauses on bytes too', () => {
    const transport = recordingTransport(true);
    const queue = new EventQueue(transport, limits({ highWaterBytes: 100, lowWaterBytes: 50 }), {});
    queue.binary(new Uint8Array(101));
    expect(transport.calls).toEqual(['pause']);
    expect(queue.paused).toBe(true);
  });

  it('fails with queue_overflow past the hard cap when the transport cannot pause, keeping what came before', () => {
    const transport = recordingTransport(false);
    const queue = new EventQueue(
      transport,
      limits({ highWaterEvents: 2, lowWaterEvents: 1, maxEvents: 4 }),
      {},
    );
    for (let i = 0; i < 6; i++) queue.text(`m${i}`);
    expect(transport.calls).toEqual(['abort']);
    const events = drain(queue);
    expect(events.map(([kind]) => kind)).toEqual([TEXT, TEXT, TEXT, TEXT, TEXT, ERROR, CLOSED]);
    expect((events[5]![1] as WebSocketError).code).toBe('queue_overflow');
    expect(events[6]![2]).toBe(1006);
  });

  it('accepts nothing after closed, and closed only once', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {});
    queue.text('before');
    queue.closed(1000, 'bye', true);
    queue.text('after');
    queue.closed(1001, 'again', true);
    queue.error(new WebSocketError('connection_lost', 'late'));
    expect(drain(queue)).toEqual([
      [TEXT, 'before', 0],
      [CLOSED, 'bye', 1000],
    ]);
  });

  it('turns an unclean end with no error into connection_lost, then closed', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {});
    queue.closed(1006, '', false);
    const events = drain(queue);
    expect(events.map(([kind]) => kind)).toEqual([ERROR, CLOSED]);
    expect((events[0]![1] as WebSocketError).code).toBe('connection_lost');
  });

  it('abort drops what waits and ends with closed', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {});
    queue.open({ protocol: '', extensions: '', response: null });
    queue.binary(new Uint8Array(4));
    queue.abort(1006, 'cancelled');
    queue.text('late');
    expect(queue.bytes).toBe(0);
    expect(drain(queue)).toEqual([[CLOSED, 'cancelled', 1006]]);
  });

  it('tells its listener every arrival with increasing sequence numbers', () => {
    const seen: number[] = [];
    const owner = {};
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, owner);
    queue.listener = {
      arrived: (who, seq) => {
        expect(who).toBe(owner);
        seen.push(seq);
      },
    };
    queue.open({ protocol: '', extensions: '', response: null });
    queue.text('a');
    queue.closed(1000, '', true);
    expect(seen).toHaveLength(3);
    expect(seen[0]! < seen[1]! && seen[1]! < seen[2]!).toBe(true);
    expect(queue.headKind).toBe(OPEN);
    expect(queue.headSeq).toBe(seen[0]);
  });
});
