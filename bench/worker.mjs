#!/usr/bin/env node
// One workload with one client variant, in a fresh process (run by bench/run.mjs):
//   node --expose-gc bench/worker.mjs <workload> <variant> <serverUrl> [--quick]
// variant: ws | ticksocket@imm | ticksocket@16ms | ticksocket (the harness calls update() itself);
// ticksocket+lab@imm: through a network lab with no conditions (what the lab costs when off);
// ticksocket+view: binary messages to a binaryView handler (the zero-allocation path);
// @frame: update() only from the workload's own frame loop (conn.pump)
// Prints one JSON line: the workload's figures, plus `lost` (messages that never arrived or
// arrived out of order; must be 0).
import { GCProfiler, getHeapStatistics } from 'node:v8';
import WsWebSocket from 'ws';
import { BinaryView, SocketManager, WebSocket } from '../dist/node.js';
import { botsAtScale } from './bots.mjs';
import { echoRun, streamOnce as streamIndexed } from './common.mjs';
import { frameStability } from './frames.mjs';
import { networkLab } from './lab.mjs';

const [workload, variant, url] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
const [client, pumpMode] = variant.split('@');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const watchdog = setTimeout(() => fail(`watchdog: ${workload} ${variant} took over 120 s`), 120_000);
watchdog.unref();

function fail(message) {
  process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.exit(1);
}

async function until(done, what, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) fail(`timeout waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A client as the workload sees it: `onMessage(cb)` gets strings for text and bytes for binary.
 * ws dispatches from its socket callback; ticksocket from update(), pumped per `pumpMode`.
 */
async function connect(path, { trackArrival = false } = {}) {
  let callback = () => {};
  if (client === 'ws') {
    const ws = new WsWebSocket(url + path, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    ws.on('message', (data, isBinary) => callback(isBinary ? data : data.toString()));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return {
      send: (data) => ws.send(data),
      onMessage: (cb) => (callback = cb),
      pump: () => 0, // ws dispatches from its socket callbacks
      indexOf: (data) => data.readUInt32LE(0),
      arrival: null, // ws dispatches on arrival: nothing to measure
      close: () => ws.terminate(),
    };
  }
  // maxPayload: the largest message a workload sends is 1 MiB; 16 MiB fits the default queue room (56 MiB).
  const network = client === 'ticksocket+lab' ? {} : undefined;
  const socket = new WebSocket(url + path, { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, network });
  const viewed = client === 'ticksocket+view';
  if (viewed) socket.on('binaryView', (_s, view) => callback(view));
  else socket.on('binary', (_s, data) => callback(data));
  socket.on('message', (_s, text) => callback(text));
  socket.open();
  await until(() => {
    socket.update();
    return socket.state !== 'connecting';
  }, 'open');
  if (!socket.isOpen) fail('ticksocket did not open');
  let stopped = false;
  let interval;
  const conn = {
    socket,
    /** While true the game "does not pump" (a pause menu): events wait in the queue. */
    paused: false,
    send: (data) => socket.send(data),
    onMessage: (cb) => (callback = cb),
    pump: () => socket.update(),
    queued: () => socket.queuedEvents,
    indexOf: viewed ? (view) => view.u32(0) : (data) => data.readUInt32LE(0),
    arrival: trackArrival ? () => socket.eventTime : () => performance.now(),
    close: () => {
      stopped = true;
      clearInterval(interval);
      socket.close();
    },
  };
  const pump = () => {
    if (!conn.paused) socket.update();
  };
  if (pumpMode === 'imm') {
    const loop = () => {
      if (stopped) return;
      pump();
      setImmediate(loop);
    };
    setImmediate(loop);
  } else if (pumpMode === '16ms') {
    interval = setInterval(pump, 16);
  }
  return conn;
}

/** Run `body` and measure wall time, CPU, heap allocated (sum of growth between GCs) and GC time. */
async function measured(body) {
  globalThis.gc();
  const profiler = new GCProfiler();
  const heapStart = getHeapStatistics().used_heap_size;
  profiler.start();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await body();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const heapEnd = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let allocated = 0;
  let after = heapStart;
  let gcMs = 0;
  for (const gc of statistics) {
    allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - after);
    after = gc.afterGC.heapStatistics.usedHeapSize;
    gcMs += gc.cost / 1000;
  }
  allocated += Math.max(0, heapEnd - after);
  return { wallMs, cpuUs: cpu.user + cpu.system, allocated, gcMs };
}

const streamOnce = (conn, count, size) => streamIndexed(conn, count, size, conn.indexOf);

/**
 * What any dispatch of 1000 binary messages costs per message with no queue at all: a Buffer view
 * of a read (ws's own FastBuffer) and a call of the same kind of handler. update() pays this too.
 */
function viewAndCallFloor(rounds) {
  const FastBuffer = Buffer[Symbol.species];
  const read = Buffer.alloc(66 * 1000);
  let handled = 0;
  const handlers = [(_socket, data) => (handled += data.length > 0 ? 1 : 0)];
  const samples = [];
  for (let round = 0; round < rounds * 20; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) {
      const data = new FastBuffer(read.buffer, read.byteOffset + i * 66 + 2, 64);
      for (let h = 0; h < handlers.length; h++) handlers[h](null, data);
    }
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  if (handled !== rounds * 20 * 1000) fail('floor: handler calls lost');
  return percentile(samples.slice(rounds * 10), 0.5); // the second half: optimized code
}

/**
 * The least any pump costs per event: a loop calling the workload's handler, as a socket's handler
 * list does, with one reused BinaryView (what no pump can do without).
 */
function loopFloor(rounds, callback) {
  const view = new BinaryView();
  view.show(new Uint8Array(64), 0, 64);
  const handlers = [(_socket, data) => callback(data)];
  const samples = [];
  for (let round = 0; round < rounds * 20; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) for (let h = 0; h < handlers.length; h++) handlers[h](null, view);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return percentile(samples.slice(rounds * 10), 0.5);
}

/** ws whose messages wait in an array of Buffers until pump(): the simplest update() there is. */
async function naivePump(path) {
  const ws = new WsWebSocket(url + path, { perMessageDeflate: false });
  let queue = [];
  let callback = () => {};
  ws.on('message', (data, isBinary) => queue.push(isBinary ? data : data.toString()));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    send: (data) => ws.send(data),
    onMessage: (cb) => (callback = cb),
    queued: () => queue.length,
    pump: () => {
      const events = queue;
      if (events.length === 0) return 0;
      queue = [];
      for (let i = 0; i < events.length; i++) callback(events[i]);
      return events.length;
    },
    close: () => ws.terminate(),
  };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const workloads = {
  // 1. receive 200k x 64 B binary
  async recvSmall() {
    const count = 200_000;
    const conn = await connect('/stream');
    // a warm-up as large as the run: the ring reaches its size, and backpressure (which a paced pump
    // meets only in a long stream) has run, with its code optimized, before the window opens
    await streamOnce(conn, count, 64);
    let result;
    const m = await measured(async () => (result = await streamOnce(conn, count, 64)));
    conn.close();
    return {
      msgsPerSec: (count / m.wallMs) * 1000,
      cpuUsPerMsg: m.cpuUs / count,
      heapBytesPerMsg: m.allocated / count,
      gcMs: m.gcMs,
      lost: result.lost,
    };
  },

  // 2. receive 200 x 1 MiB
  async recvLarge() {
    const count = 200;
    const size = 1024 * 1024;
    const conn = await connect('/stream');
    await streamOnce(conn, 20, size);
    let result;
    const m = await measured(async () => (result = await streamOnce(conn, count, size)));
    conn.close();
    return { mibPerSec: (count / m.wallMs) * 1000, cpuUsPerMsg: m.cpuUs / count, lost: result.lost };
  },

  // 3. send 200k x 64 B to an echo server (<= 8192 in flight, 256 per macrotask), wait for all echoes
  async sendEcho() {
    const run = echoRun;
    const count = 200_000;
    const conn = await connect('/echo');
    await run(conn, 20_000);
    let received = 0;
    const m = await measured(async () => (received = await run(conn, count)));
    conn.close();
    return { msgsPerSec: (count / m.wallMs) * 1000, cpuUsPerMsg: m.cpuUs / count, lost: count - received };
  },

  // 4. one message in flight, 32 B text round trip
  async roundTrip() {
    const conn = await connect('/echo');
    const text = 'x'.repeat(32);
    const run = (count) =>
      new Promise((resolve) => {
        const rtts = [];
        let sentAt = 0;
        conn.onMessage(() => {
          rtts.push((performance.now() - sentAt) * 1000);
          if (rtts.length === count) return resolve(rtts);
          sentAt = performance.now();
          conn.send(text);
        });
        sentAt = performance.now();
        conn.send(text);
      });
    await run(2_000);
    const rtts = await run(quick ? 5_000 : 20_000);
    conn.close();
    return { p50Us: percentile(rtts, 0.5), p99Us: percentile(rtts, 0.99), lost: 0 };
  },

  // 5. sparse server ticks: server send -> handler, and transport arrival -> handler dispatch
  async sparseTicks() {
    const conn = await connect('/stream', { trackArrival: true });
    const count = quick ? 200 : 500;
    const sendToHandler = [];
    const arrivalToDispatch = [];
    await new Promise((resolve) => {
      conn.onMessage((text) => {
        if (text === 'done') return resolve();
        const now = process.hrtime.bigint();
        arrivalToDispatch.push(conn.arrival === null ? 0 : (performance.now() - conn.arrival()) * 1000);
        sendToHandler.push(Number(now - BigInt(text.slice(1))) / 1000);
      });
      conn.send(JSON.stringify({ cmd: 'ticks', count, maxGapMs: 8 }));
    });
    conn.close();
    return {
      sendToHandlerP50Us: percentile(sendToHandler, 0.5),
      arrivalToDispatchP50Us: percentile(arrivalToDispatch, 0.5),
      arrivalToDispatchP99Us: percentile(arrivalToDispatch, 0.99),
      lost: count - sendToHandler.length,
    };
  },

  // 6. cost of one update() with 1000 binary events + 1 text queued, and of an empty update() (update() by hand).
  // Twice: as the reference harness does it from outside (a fresh process, 5 warm-up rounds, gc() before each
  // timed update(), so every view and handler call lands on an empty young generation with code not yet
  // optimized), then warm (60 rounds first). `naive` is ws with an array of Buffers, pumped by a loop.
  async updateCost() {
    const conn = client === 'naive' ? await naivePump('/stream') : await connect('/stream');
    let handled = 0;
    let bytes = 0;
    const callback = (data) => {
      handled++;
      bytes += data.byteLength ?? data.length; // what the reference harness's handler reads
    };
    conn.onMessage(callback);
    const round = async (collect) => {
      conn.send(JSON.stringify({ cmd: 'stream', count: 1000, size: 64 }));
      await until(() => conn.queued() >= 1001, '1001 queued');
      if (collect) globalThis.gc();
      const start = process.hrtime.bigint();
      const dispatched = conn.pump();
      return Number(process.hrtime.bigint() - start) / dispatched;
    };
    const rounds = async (warmUp, measured, collect) => {
      const samples = [];
      for (let i = 0; i < warmUp + measured; i++) {
        const ns = await round(collect);
        if (i >= warmUp) samples.push(ns);
      }
      return percentile(samples, 0.5);
    };
    const afterGc = await rounds(5, 30, true);
    const warm = await rounds(60, quick ? 20 : 50, false);
    const calls = 1_000_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) conn.pump();
    const emptyNs = Number(process.hrtime.bigint() - start) / calls;
    conn.close();
    const counted = handled;
    const loop = loopFloor(60, callback);
    return {
      nsPerEvent: warm,
      afterGcNsPerEvent: afterGc,
      aboveLoopNs: warm - loop,
      emptyUpdateNs: emptyNs,
      floorNsPerEvent: viewAndCallFloor(60),
      loopNsPerEvent: loop,
      lost: (5 + 30 + 60 + (quick ? 20 : 50)) * 1001 - counted + (bytes > 0 ? 0 : 1),
    };
  },

  // 7. manager update() with 10 000 idle sockets and 10 active ones
  async managerIdle() {
    const manager = new SocketManager();
    const idleCount = quick ? 2_000 : 10_000;
    const open = async (path, count) => {
      const sockets = [];
      for (let i = 0; i < count; i += 500) {
        const batch = [];
        for (let j = i; j < Math.min(count, i + 500); j++)
          batch.push(new WebSocket(url + path, { manager, perMessageDeflate: false }).open());
        await until(
          () => {
            manager.update();
            return batch.every((socket) => socket.state !== 'connecting');
          },
          `${count} sockets open`,
          60_000,
        );
        sockets.push(...batch);
      }
      if (!sockets.every((socket) => socket.isOpen)) fail('a socket did not open');
      return sockets;
    };
    const active = await open('/echo', 10);
    let handled = 0;
    for (const socket of active) socket.on('binary', () => handled++);
    const payload = Buffer.alloc(16);
    const measure = async (rounds) => {
      const busy = [];
      const empty = [];
      for (let round = 0; round < rounds; round++) {
        for (const socket of active) socket.send(payload);
        await until(() => active.every((socket) => socket.queuedEvents === 1), 'echoes');
        let start = process.hrtime.bigint();
        manager.update();
        busy.push(Number(process.hrtime.bigint() - start) / 1000);
        start = process.hrtime.bigint();
        manager.update();
        empty.push(Number(process.hrtime.bigint() - start) / 1000);
      }
      return { busy: percentile(busy, 0.5), empty: percentile(empty, 0.5) };
    };
    await measure(500); // warm-up: the first rounds run unoptimized code
    const without = await measure(quick ? 200 : 1000);
    const idle = await open('/idle', idleCount);
    await measure(100);
    const withIdle = await measure(quick ? 200 : 1000);
    const rounds = 500 + (quick ? 200 : 1000) + 100 + (quick ? 200 : 1000);
    manager.closeAll();
    await until(() => {
      manager.update();
      return manager.size === 0;
    }, 'all closed');
    return {
      idleSockets: idle.length,
      updateUsWithIdle: withIdle.busy,
      emptyUpdateUsWithIdle: withIdle.empty,
      updateUsNoIdle: without.busy,
      emptyUpdateUsNoIdle: without.empty,
      lost: rounds * 10 - handled,
    };
  },

  // 8. memory: the server floods 1 GiB while the client does not pump for 5 s, then pumps
  async floodPause() {
    const size = 64 * 1024;
    const count = quick ? 4096 : 16_384;
    const conn = await connect('/stream');
    globalThis.gc();
    await sleep(100);
    const idleRss = process.memoryUsage().rss;
    let peakRss = idleRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    let received = 0;
    let lost = 0;
    let done = false;
    conn.onMessage((data) => {
      if (typeof data === 'string') {
        done = true;
        return;
      }
      if (data.readUInt32LE(0) !== received) lost++;
      received++;
    });
    // The game stops pumping for 5 s (ws cannot: it dispatches as data comes).
    conn.paused = true;
    conn.send(JSON.stringify({ cmd: 'stream', count, size }));
    await sleep(5_000);
    conn.paused = false;
    await until(() => done, 'flood drained', 60_000);
    clearInterval(sampler);
    conn.close();
    return {
      peakRssOverIdleMiB: (Math.max(peakRss, process.resourceUsage().maxRSS * 1024) - idleRss) / 2 ** 20,
      received,
      lost: lost + (count - received),
    };
  },
};

// 11. frame stability: GC pauses and frames over budget of a 60 Hz game loop under a stream (bench/frames.mjs)
workloads.frames = async () => {
  const conn = await connect('/stream');
  const result = await frameStability(conn, { view: client === 'ticksocket+view', quick });
  conn.close();
  return result;
};

// 9. the network lab in real time (bench/lab.mjs)
workloads.networkLab = () => networkLab(url, quick, fail);
// 10. bots at scale (bench/bots.mjs)
workloads.botsAtScale = () => botsAtScale(url, quick);

const run = workloads[workload];
if (run === undefined) fail(`unknown workload ${workload}`);
try {
  const result = await run();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (error) {
  fail(String(error?.stack ?? error));
}
