// The size figure: what a game's bundler makes of `import { WebSocket, SocketManager } from
// 'ticksocket'` for the browser (esbuild, minified, tree-shaken, mitt included), gzipped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * The budget CI holds the figure to, in gzipped bytes. Raised deliberately, never silently:
 * 6 400 B for the core (0.1.0); 7 600 B once heartbeat, latency, clock offset and coalescing
 * (about 1.3 KB gzipped) became part of every socket; 7 650 B for the worker transport's seam in
 * the browser transport (`openNative`, 13 B) and the queue's range records (`message`), which
 * every browser bundle carries; 8 900 B for the edge rules every socket now keeps (about 1.2 KB
 * gzipped): limits resolved from one source with `maxPayload`, the queue's accounting of what
 * records keep alive, the argument checks (budgets, detached buffers) in validate.ts, URLs
 * redacted and server text escaped in messages, and the heartbeat's own timers and host; 9 100 B
 * for the one-pump redesign's seams (about 230 B gzipped): the event-source seam every socket kind
 * and the manager share, the dispatch as an object of its own, the heartbeat's factory and
 * message inspector, the size limits and counters in modules of their own; 9 200 B for the
 * message that tells a close code given as a string to pass a number (about 50 B); 9 300 B for
 * the network lab's seam (161 B: the `network` option and property, and the message that asks a
 * browser game for a lab): the lab itself (3.9 KB gzipped) is bundled only where imported;
 * 11 700 B for the zero-allocation paths every socket carries (about 2.4 KB gzipped): the
 * `BinaryView` and its run of dispatches, the `beginBinary` writer and range sends with their
 * checks and messages, floats without a `DataView`, and the queue's storage as one array per slot;
 * 12 450 B for the page's lifecycle every browser socket follows (about 720 B gzipped): the
 * listeners of the page's events, the heartbeat's pause and probe, the `lifecycle` event, and the
 * seam by which a transport runs the heartbeat's timers itself (the worker's); 12 510 B for
 * counters that stay totals (about 60 B): a manager keeps the counts of the sockets that left,
 * so rates read from it (`formatStats`, the overlay) never go negative as sockets close; 12 760 B
 * for the inbox seam (about 250 B): the pump, a socket's readings and the manager take what a
 * transport holds outside the event loop before they count or dispatch (the worker transport's
 * shared ring; the ring itself is bundled only with `createWorkerTransport`), a manager merging
 * its sockets' inboxes by arrival time; 12 810 B for the manager's backlog (about 50 B), which
 * the loop helpers hand to `onLongGap`; 12 850 B for the heartbeat's stall rule (about 47 B): a
 * silence check that comes a whole limit late (a sleeping laptop, a held thread) probes the
 * server and waits the limit again instead of failing a connection for time nothing ran.
 */
export const SIZE_BUDGET = 12850;

/** Gzipped bytes of WebSocket + SocketManager bundled from `packageDir` (default: this checkout). */
export async function browserBundleSize(packageDir = '.') {
  const dir = mkdtempSync(join(tmpdir(), 'ticksocket-size-'));
  try {
    const entry = join(dir, 'entry.js');
    writeFileSync(
      entry,
      `export { WebSocket, SocketManager } from ${JSON.stringify(resolve(packageDir, 'dist/browser.js'))};\n`,
    );
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      nodePaths: [resolve('node_modules')],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
