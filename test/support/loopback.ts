// An in-memory server for tests on a virtual clock, where no socket can run: a transport whose
// "server" answers each message it is sent with the same message, at once, and notes when each
// came (on the clock given). Real servers are used wherever time can be real.
import type { Clock } from '../../src/clock.js';
import type { Transport, TransportSink } from '../../src/transport.js';

export interface Loopback {
  /** Make the transport (for `options.transport`). */
  readonly transport: () => Transport;
  /** What reached the server, with the time on the clock. */
  readonly received: { data: string | Uint8Array; at: number }[];
}

export function createLoopback(clock: Clock): Loopback {
  const received: Loopback['received'] = [];
  let sink: TransportSink | undefined;
  const transport = (): Transport => ({
    canPause: false,
    canStreamFragments: false,
    bufferedAmount: 0,
    connect(target) {
      sink = target;
      sink.open({ protocol: '', extensions: '', response: null }, clock.now());
    },
    send(data) {
      received.push({ data: typeof data === 'string' ? data : data.slice(), at: clock.now() });
      if (typeof data === 'string') sink?.text(data, clock.now());
      else sink?.binary(data.slice(), clock.now());
      return true;
    },
    close(code, reason) {
      const last = sink;
      sink = undefined;
      last?.closed(code, reason, true, clock.now());
    },
    abort() {
      const last = sink;
      sink = undefined;
      last?.closed(1006, '', false, clock.now());
    },
    pause() {},
    resume() {},
  });
  return { transport, received };
}
