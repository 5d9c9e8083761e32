#!/usr/bin/env node
// Experiment (issue 5), the browser half of bench/experiments/worker-transport.mjs: would a Web Worker that
// owns the native WebSocket pay? In headless Chromium a page runs 60 fps frames with 12 ms of
// busy work each while the server streams 200k x 64 B. Compared, each in a fresh page:
//   plain   ticksocket's browser transport: one MessageEvent per message on the page's thread
//   worker  ticksocket's worker transport (createWorkerTransport): the native WebSocket in a
//           Web Worker, one transferred ArrayBuffer per burst of messages, each message queued
//           as a range of it; the frame's update() dispatches them
// Measured: messages/s, and main-thread time per message (Chromium's TaskDuration for the
// page's thread, from the DevTools protocol, minus the frames' own busy work).
// Not part of `npm run bench` (it needs Chromium): `npm run build && node bench/experiments/worker-transport-browser.mjs`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { launchChromium } from '../../scripts/chromium.mjs';

const COUNT = Number(process.env.COUNT ?? 200_000);
const FRAME_MS = 16;
const BUSY_MS = Number(process.env.BUSY_MS ?? 12);
const REPS = Number(process.env.REPS ?? 3);

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { createWorkerTransport, WebSocket } from '/ticksocket.js';
window.run = (mode, url, count, frameMs, busyMs) => new Promise((resolve) => {
  let received = 0;
  let done = false;
  const transport = mode === 'worker' ? { transport: createWorkerTransport } : {};
  const socket = new WebSocket(url, transport);
  socket.on('open', (s) => s.send(JSON.stringify({ cmd: 'stream', count, size: 64 })));
  socket.on('binary', (_s, data) => {
    if (data[4] === 0xab) received++; // bytes 0-3 hold the index
  });
  socket.on('message', () => (done = true));
  socket.open();
  const start = performance.now();
  let frames = 0;
  const frame = setInterval(() => {
    frames++;
    socket.update();
    const end = performance.now() + busyMs;
    while (performance.now() < end);
    if (done && received === count) {
      clearInterval(frame);
      socket.close();
      resolve({ wallMs: performance.now() - start, frames });
    }
  }, frameMs);
});
// Sparse ticks, pumped as often as the page allows: the hop through the worker shows in
// arrival (the WebSocket's event in whichever thread it runs) -> dispatch.
window.ticks = (mode, url) => new Promise((resolve) => {
  const transport = mode === 'worker' ? { transport: createWorkerTransport } : {};
  const socket = new WebSocket(url, transport);
  const delays = [];
  socket.on('open', (s) => s.send(JSON.stringify({ cmd: 'ticks', count: 300, maxGapMs: 8 })));
  socket.on('message', (s, text) => {
    if (text === 'done') {
      clearInterval(pump);
      socket.close();
      resolve(delays.sort((a, b) => a - b)[delays.length >> 1]);
    } else delays.push(performance.now() - s.eventTime);
  });
  socket.open();
  const pump = setInterval(() => socket.update(), 0);
});
window.ready = true;
</script>`;

const server = spawn(process.execPath, [new URL('../server.mjs', import.meta.url).pathname], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const wsUrl = await new Promise((resolve) => server.stdout.once('data', (line) => resolve(JSON.parse(line).url)));
const bundle = readFileSync(new URL('../../dist/ticksocket.browser.js', import.meta.url));
const http = createServer((request, response) => {
  if (request.url === '/ticksocket.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
  else response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
});
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const pageUrl = `http://127.0.0.1:${http.address().port}/`;
const browser = await launchChromium();

const taskSeconds = async (cdp) => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((metric) => metric.name === 'TaskDuration').value;
};

const results = { plain: [], worker: [] };
try {
  for (let rep = 0; rep < REPS; rep++) {
    for (const mode of rep % 2 ? ['worker', 'plain'] : ['plain', 'worker']) {
      const page = await browser.newPage();
      await page.goto(pageUrl);
      await page.waitForFunction(() => window.ready === true);
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const before = await taskSeconds(cdp);
      const run = await page.evaluate(
        ([m, u, c, f, b]) => window.run(m, u, c, f, b),
        [mode, `${wsUrl}/stream`, COUNT, FRAME_MS, BUSY_MS],
      );
      const busySeconds = (await taskSeconds(cdp)) - before;
      const messageMs = busySeconds * 1000 - run.frames * BUSY_MS;
      const dispatchMs = await page.evaluate(([m, u]) => window.ticks(m, u), [mode, `${wsUrl}/stream`]);
      results[mode].push({
        msgsPerSec: (COUNT / run.wallMs) * 1000,
        mainThreadNsPerMsg: (messageMs * 1e6) / COUNT,
        dispatchMs,
      });
      await page.close();
    }
  }
} finally {
  await browser.close();
  http.close();
  server.kill();
}
const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
for (const mode of ['plain', 'worker']) {
  const runs = results[mode];
  console.log(
    `${mode.padEnd(7)} ${Math.round(median(runs.map((r) => r.msgsPerSec)))
      .toLocaleString('en-US')
      .padStart(9)} msgs/s   main thread ${median(runs.map((r) => r.mainThreadNsPerMsg)).toFixed(
      0,
    )} ns/msg (60 fps frames, ${BUSY_MS} ms busy)   sparse ticks arrival->dispatch p50 ${median(
      runs.map((r) => r.dispatchMs),
    ).toFixed(2)} ms (pumped every 0 ms timer)`,
  );
}
