#!/usr/bin/env node
// Experiment (issue 5): would a transport that reads off the game thread pay? A 60 fps frame
// does 12 ms of busy work; the server streams 200k x 64 B. Compared, each in a fresh process:
//   plain   ticksocket on the game thread (ws callbacks queue, the frame dispatches)
//   worker  ticksocket in a worker_thread, which packs what it reads into one ArrayBuffer per
//           read burst and transfers it; on the game thread a ticksocket WebSocket with a
//           transport (the public `transport` option) queues each batch's messages as ranges
//           of it, and the frame's update() dispatches them
// Measured: messages/s, and game-thread time per message (event-loop utilization minus the
// frames' own busy work). Not part of `npm run bench`: `node bench/experiments/worker-transport.mjs`.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const COUNT = 200_000;
const FRAME_MS = 16;
const BUSY_MS = 12;

if (!isMainThread) {
  // The worker: ticksocket's Node transport (its own frame parser), pumped as fast as the worker
  // can; its handler packs each burst of messages into one transferred buffer.
  const { WebSocket } = await import('../../dist/node.js');
  const socket = new WebSocket(`${workerData.url}/stream`, { perMessageDeflate: false });
  let parts = [];
  let bytes = 0;
  const flush = () => {
    if (parts.length === 0) return;
    const packed = new Uint8Array(bytes + 4 * parts.length);
    const view = new DataView(packed.buffer);
    let at = 0;
    for (const part of parts) {
      view.setUint32(at, part.length, true);
      packed.set(part, at + 4);
      at += 4 + part.length;
    }
    parts = [];
    bytes = 0;
    parentPort.postMessage(packed.buffer, [packed.buffer]);
  };
  socket.on('binary', (_s, data) => {
    parts.push(data);
    bytes += data.length;
  });
  socket.on('message', (_s, text) => {
    flush();
    parentPort.postMessage(text);
  });
  socket.on('open', (s) => s.send(JSON.stringify({ cmd: 'stream', count: COUNT, size: 64 })));
  socket.open();
  const loop = () => {
    socket.update();
    flush(); // one post per read burst
    if (socket.state !== 'closed') setImmediate(loop);
  };
  setImmediate(loop);
} else if (process.argv[2] === 'run') {
  const [, , , mode, url] = process.argv;
  let received = 0;
  let done = false;
  const busy = () => {
    const end = performance.now() + BUSY_MS;
    while (performance.now() < end);
  };
  let pump;
  if (mode === 'plain') {
    const { WebSocket } = await import('../../dist/node.js');
    const socket = new WebSocket(`${url}/stream`, { perMessageDeflate: false });
    socket.on('binary', (_s, data) => {
      if (data[4] === 0xab) received++; // bytes 0-3 hold the index
    });
    socket.on('message', () => (done = true));
    socket.on('open', (s) => s.send(JSON.stringify({ cmd: 'stream', count: COUNT, size: 64 })));
    socket.open();
    pump = () => socket.update();
  } else {
    // The game thread: a ticksocket WebSocket whose transport (the public `transport` option) is
    // the worker; each batch's messages go to the queue as ranges of the batch, as the Node
    // transport hands over a read, and the frame's update() dispatches them to the handlers.
    const { WebSocket } = await import('../../dist/node.js');
    let worker;
    const transport = () => ({
      canPause: false,
      canStreamFragments: false,
      bufferedAmount: 0,
      connect(sink) {
        worker = new Worker(new URL(import.meta.url), { workerData: { url } });
        sink.open({ protocol: '', extensions: '', response: null });
        worker.on('message', (batch) => {
          const time = performance.now();
          if (typeof batch === 'string') return sink.text(batch, time);
          const bytes = new Uint8Array(batch);
          const view = new DataView(batch);
          for (let at = 0; at < bytes.length; ) {
            const length = view.getUint32(at, true);
            sink.message(bytes, at + 4, at + 4 + length, false, time);
            at += 4 + length;
          }
        });
      },
      send: () => true,
      close() {},
      abort() {},
      pause() {},
      resume() {},
    });
    const socket = new WebSocket('ws://worker.invalid', { transport });
    socket.on('binary', (_s, data) => {
      if (data[4] === 0xab) received++; // bytes 0-3 hold the index
    });
    socket.on('message', () => (done = true));
    socket.open();
    pump = () => socket.update();
    pump.worker = () => worker;
  }
  const start = performance.now();
  const elu = performance.eventLoopUtilization();
  let frames = 0;
  await new Promise((resolve) => {
    const frame = setInterval(() => {
      frames++;
      pump();
      busy();
      if (done && received === COUNT) {
        clearInterval(frame);
        resolve();
      }
    }, FRAME_MS);
  });
  const wall = performance.now() - start;
  const used = performance.eventLoopUtilization(elu);
  const activeMs = used.active - frames * BUSY_MS; // game-thread time not spent on the game
  pump.worker?.().terminate();
  process.stdout.write(
    `${JSON.stringify({ mode, msgsPerSec: (COUNT / wall) * 1000, gameThreadNsPerMsg: (activeMs * 1e6) / COUNT, frames })}\n`,
  );
  process.exit(0);
} else {
  const server = spawn(process.execPath, [new URL('../server.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve) => server.stdout.once('data', (line) => resolve(JSON.parse(line).url)));
  const results = { plain: [], worker: [] };
  for (let rep = 0; rep < 3; rep++) {
    for (const mode of rep % 2 ? ['worker', 'plain'] : ['plain', 'worker']) {
      const child = spawn(process.execPath, [new URL(import.meta.url).pathname, 'run', mode, url], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      await new Promise((resolve) => child.on('exit', resolve));
      results[mode].push(JSON.parse(output));
    }
  }
  server.kill();
  const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
  for (const mode of ['plain', 'worker']) {
    const runs = results[mode];
    console.log(
      `${mode.padEnd(7)} ${Math.round(median(runs.map((r) => r.msgsPerSec)))
        .toLocaleString('en-US')
        .padStart(9)} msgs/s   game thread ${median(runs.map((r) => r.gameThreadNsPerMsg)).toFixed(
        0,
      )} ns/msg (median of 3, 60 fps frames with ${BUSY_MS} ms busy work)`,
    );
  }
}
