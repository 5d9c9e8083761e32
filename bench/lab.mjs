// Workload 9 (run by bench/worker.mjs): the network lab in real time. Are the configured delays
// and bandwidth what a game sees in its handlers, with real timers and a real server?
//   - latency: 50 sockets on one manager, each through its own lab (latency 60 ms, normal jitter
//     with sd 10 ms, so p50 60 and p99 83.3 ms), each sent 200 server-stamped messages 50 ms
//     apart (10 000 in all; far enough apart that TCP order never holds one behind another);
//     the added delay is send → handler minus the same without a lab;
//   - bandwidth: 10 MB streamed through a 1 MB/s downlink; bytes per second over the run.
import { SocketManager, WebSocket } from '../dist/node.js';

const LATENCY = 60;
const JITTER = 10;
const BANDWIDTH = 1_000_000;
// The normal distribution's 99th percentile is 2.326 standard deviations above its mean.
const CONFIGURED = { p50: LATENCY, p99: LATENCY + 2.3263 * JITTER };

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function pumpUntil(manager, done, what, fail, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) fail(`timeout waiting for ${what}`);
    manager.update();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Send → handler delays (ms) of `sockets × count` paced messages, each socket through `network`. */
async function pacedDelays(url, sockets, count, network, fail) {
  const manager = new SocketManager();
  const delays = [];
  let lost = 0;
  let done = 0;
  for (let i = 0; i < sockets; i++) {
    let next = 0;
    const socket = new WebSocket(`${url}/stream`, { manager, perMessageDeflate: false, network: network?.(i) });
    socket.on('open', (s) => s.send(JSON.stringify({ cmd: 'paced', count, everyMs: 50 })));
    socket.on('message', (_s, text) => {
      if (text === 'done') return void done++;
      const now = process.hrtime.bigint();
      const [index, stamp] = text.slice(1).split(':');
      if (Number(index) !== next++) lost++;
      delays.push(Number(now - BigInt(stamp)) / 1e6);
    });
    socket.open();
  }
  await pumpUntil(manager, () => done === sockets, 'the paced messages', fail);
  manager.closeAll();
  await pumpUntil(manager, () => manager.size === 0, 'all closed', fail);
  return { delays, lost: lost + (sockets * count - delays.length) };
}

async function throughput(url, fail) {
  const manager = new SocketManager();
  const count = 10_000;
  const size = 1000;
  let received = 0;
  let lost = 0;
  let first = 0;
  let last = 0;
  let finished = false;
  const socket = new WebSocket(`${url}/stream`, {
    manager,
    perMessageDeflate: false,
    network: { down: { bandwidth: BANDWIDTH }, seed: 1 },
  });
  socket.on('open', (s) => s.send(JSON.stringify({ cmd: 'stream', count, size })));
  socket.on('binary', (_s, data) => {
    // When the handler runs, not eventTime (which is the lab's own schedule).
    const now = performance.now();
    if (data.readUInt32LE(0) !== received) lost++;
    if (received === 0) first = now;
    last = now;
    received++;
  });
  socket.on('message', () => (finished = true));
  socket.open();
  await pumpUntil(manager, () => finished, 'the stream', fail, 60_000);
  socket.close();
  await pumpUntil(manager, () => manager.size === 0, 'closed', fail);
  // Bytes after the first message, over the time from the first to the last.
  return { bytesPerSec: ((received - 1) * size * 1000) / (last - first), lost: lost + (count - received) };
}

export async function networkLab(url, quick, fail) {
  const sockets = quick ? 10 : 50;
  const base = await pacedDelays(url, 10, 40, undefined, fail);
  const baseP50 = percentile(base.delays, 0.5);
  const lab = await pacedDelays(
    url,
    sockets,
    200,
    (i) => ({ latency: LATENCY, jitter: JITTER, distribution: 'normal', seed: 1000 + i }),
    fail,
  );
  const added = lab.delays.map((delay) => delay - baseP50);
  const p50 = percentile(added, 0.5);
  const p99 = percentile(added, 0.99);
  const { bytesPerSec, lost } = await throughput(url, fail);
  const errorPct = (measured, configured) => (Math.abs(measured - configured) / configured) * 100;
  return {
    messages: lab.delays.length,
    addedP50Ms: p50,
    addedP99Ms: p99,
    configuredP50Ms: CONFIGURED.p50,
    configuredP99Ms: CONFIGURED.p99,
    p50ErrorPct: errorPct(p50, CONFIGURED.p50),
    p99ErrorPct: errorPct(p99, CONFIGURED.p99),
    bytesPerSec,
    bandwidthErrorPct: errorPct(bytesPerSec, BANDWIDTH),
    lost: lab.lost + base.lost + lost,
  };
}
