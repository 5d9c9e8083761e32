// Pure unit tests of the event queue: order across ring growth, byte accounting, water marks.
// The transport here only records pause/resume/abort: the queue is tested on its own.
import { describe, expect, it } from 'vitest';
import { WebSocketError } from '../../src/errors.js';
import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from '../../src/limits.js';
import { EventQueue, SMALL_PAYLOAD } from '../../src/queue.js';
import { CLOSED, ERROR, OPEN, TEXT, type Transport } from '../../src/transport.js';

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
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {}, () => {});
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
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {}, () => {});
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
      transport.abort,
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
    const queue = new EventQueue(transport, limits({ highWaterBytes: 100, lowWaterBytes: 50 }), {}, transport.abort);
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
      transport.abort,
    );
    for (let i = 0; i < 6; i++) queue.text(`m${i}`);
    expect(transport.calls).toEqual(['abort']);
    const events = drain(queue);
    expect(events.map(([kind]) => kind)).toEqual([TEXT, TEXT, TEXT, TEXT, TEXT, ERROR, CLOSED]);
    expect((events[5]![1] as WebSocketError).code).toBe('queue_overflow');
    expect(events[6]![2]).toBe(1006);
  });

  it('accepts nothing after closed, and closed only once', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {}, () => {});
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
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {}, () => {});
    queue.closed(1006, '', false);
    const events = drain(queue);
    expect(events.map(([kind]) => kind)).toEqual([ERROR, CLOSED]);
    expect((events[0]![1] as WebSocketError).code).toBe('connection_lost');
  });

  it('abort drops what waits and ends with closed', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {}, () => {});
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
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, owner, () => {});
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

  it('keeps every payload intact across byte-log blocks, small and large, and never rewrites a view a handler kept', () => {
    const queue = new EventQueue(recordingTransport(true), DEFAULT_QUEUE_LIMITS, {}, () => {});
    const sent: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(42)];
    for (const data of sent) queue.binary(data.slice());
    const kept: [Uint8Array, Uint8Array][] = [];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    // ~3 MiB of mixed sizes: many 64 KiB log blocks, plus payloads too large for the log.
    for (let round = 0; round < 400; round++) {
      for (let i = 0; i < 5; i++) {
        const size = i === 4 && round % 10 === 0 ? SMALL_PAYLOAD + (next() % 5000) : next() % 2000;
        const data = Uint8Array.from({ length: size }, () => next() & 0xff);
        sent.push(data.slice());
        queue.binary(data);
        // Small payloads are copied at once (the transport's buffer is let go): prove it.
        if (size < SMALL_PAYLOAD) data.fill(0);
      }
      for (let i = 0; i < 4; i++) {
        const expected = sent.shift()!;
        const got = queue.headPayload as Uint8Array;
        queue.shift();
        expect(got).toEqual(expected);
        if (round % 37 === 0) kept.push([got, expected.slice()]);
      }
    }
    while (queue.length > 0) {
      expect(queue.headPayload).toEqual(sent.shift());
      queue.shift();
    }
    for (const [view, expected] of kept) expect(view).toEqual(expected);
  });

  it('decodes logged text lazily, through the transport’s decoder when it has one', () => {
    const decoded: [number, number][] = [];
    const transport = {
      ...recordingTransport(true),
      decodeText: (bytes: Uint8Array, start: number, end: number) => {
        decoded.push([start, end]);
        return new TextDecoder().decode(bytes.subarray(start, end));
      },
    };
    const queue = new EventQueue(transport, DEFAULT_QUEUE_LIMITS, {}, () => {});
    queue.text(new TextEncoder().encode('héllo'));
    queue.text('already a string');
    expect(decoded).toEqual([]);
    expect(queue.headPayload).toBe('héllo');
    queue.shift();
    expect(queue.headPayload).toBe('already a string');
    expect(decoded).toHaveLength(1);
  });
});
