#!/usr/bin/env node
// Workload 12 of `npm run bench`: the browser transports in headless Chromium, one variant per
// process (run by bench/run.mjs):  node bench/browser.mjs <variant> <serverUrl> [--quick]
//   native       the page's own WebSocket
//   worker       createWorkerTransport, messages posted in batches (page not isolated)
//   worker+ring  createWorkerTransport on a cross-origin isolated page: the shared ring
// Two measures, each in a fresh page:
//   page-thread cost: 60 fps frames with 12 ms of busy work while the server streams 100k x 64 B;
//     Chromium's TaskDuration for the page's thread (DevTools protocol) minus the busy work, per message.
//   input starvation: 60 Hz snapshots while the DevTools protocol holds a key (auto-repeat
//     Input.dispatchKeyEvent) and drags the mouse (Input.dispatchMouseEvent), as fast as the page
//     takes them; the page's input handlers do 1 ms of work each, its frames 6 ms; server send ->
//     dispatch (epoch clocks of one machine) and arrival (eventTime: where the WebSocket's event
//     ran, the page or the worker) -> dispatch, also in frames of the page's own frame time, and
//     how many update() calls began after a message reached the machine before one dispatched it.
// Prints one JSON line.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { launchChromium } from '../scripts/chromium.mjs';

const [variant, url] = process.argv.slice(2);
const quick = process.argv.includes('--quick');
const COUNT = quick ? 20_000 : 100_000;
const SNAPSHOT_SECONDS = quick ? 3 : 6;
const BUSY_MS = 12;
/** A gaming mouse reports at 1000 Hz, a held key repeats at about 30 Hz; each handler does this much work. */
const MOUSE_HZ = Number(process.env.MOUSE_HZ ?? 1000);
const KEY_HZ = 30;
const INPUT_WORK_MS = Number(process.env.INPUT_WORK_MS ?? 0.5);

const PAGE = `<!doctype html><meta charset="utf-8"><body style="height:2000px"><script type="module">
import { createWorkerTransport, WebSocket } from '/ticksocket.js';
const options = ${JSON.stringify(variant)} === 'native' ? {} : { transport: createWorkerTransport };
const busy = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };
const open = (url) => new Promise((resolve) => {
  const socket = new WebSocket(url, options);
  socket.on('open', () => resolve(socket));
  socket.open();
  const pump = () => { socket.update(); if (!socket.isOpen) requestAnimationFrame(pump); };
  requestAnimationFrame(pump);
});
window.stream = async (url, count, busyMs) => {
  const socket = await open(url);
  let received = 0;
  let done = false;
  socket.on('binary', () => received++);
  socket.on('message', () => (done = true));
  socket.send(JSON.stringify({ cmd: 'stream', count, size: 64 }));
  const start = performance.now();
  let frames = 0;
  await new Promise((resolve) => {
    const frame = setInterval(() => {
      frames++;
      socket.update();
      busy(busyMs);
      if (done && received === count) { clearInterval(frame); resolve(); }
    }, 16);
  });
  const wallMs = performance.now() - start;
  socket.close();
  return { wallMs, frames, received };
};
window.snapshots = async (url, seconds, inputWorkMs) => {
  addEventListener('keydown', () => busy(inputWorkMs));
  addEventListener('mousemove', () => busy(inputWorkMs));
  const socket = await open(url);
  const delays = [];
  const frameGaps = [];
  let done = false;
  let inputs = 0;
  addEventListener('keydown', () => inputs++);
  addEventListener('mousemove', () => inputs++);
  const waits = [];
  // When each update() began; for each message when it was sent (on this page's clock) and
  // which update dispatched it.
  const updateStarts = [];
  const sentAt = [];
  const dispatchedIn = [];
  socket.on('binary', (s, data) => {
    const sent = new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(4, true);
    const now = performance.now();
    delays.push(performance.timeOrigin + now - sent);
    waits.push(now - s.eventTime);
    sentAt.push(sent - performance.timeOrigin);
    dispatchedIn.push(updateStarts.length - 1);
  });
  socket.on('message', () => (done = true));
  socket.send(JSON.stringify({ cmd: 'snapshots', count: Math.round(seconds * 60), everyMs: 1000 / 60, size: 1024 }));
  window.streaming = true;
  let last = performance.now();
  await new Promise((resolve) => {
    const frame = (now) => {
      frameGaps.push(now - last);
      last = now;
      updateStarts.push(performance.now());
      socket.update();
      busy(6); // the game's own frame
      if (done) resolve(); else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  window.streaming = false;
  socket.close();
  return { delays, waits, updateStarts, sentAt, dispatchedIn, frameGaps, inputs, isolated: crossOriginIsolated };
};
window.ready = true;
</script>`;

const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
const bundle = readFileSync(new URL('../dist/ticksocket.browser.js', import.meta.url));
const http = createServer((request, response) => {
  const headers = variant === 'worker+ring' ? ISOLATION : {};
  if (request.url === '/ticksocket.js')
    response.writeHead(200, { 'content-type': 'text/javascript', ...headers }).end(bundle);
  else response.writeHead(200, { 'content-type': 'text/html', ...headers }).end(PAGE);
});
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
const pageUrl = `http://127.0.0.1:${http.address().port}/`;
const browser = await launchChromium();
const watchdog = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ error: 'watchdog: over 120 s' })}\n`);
  process.exit(1);
}, 120_000);

const percentile = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.ready === true);
  return { page, cdp: await page.context().newCDPSession(page) };
}

/** Page-thread time per message while a stream runs under busy frames. */
async function pageThreadCost() {
  const { page, cdp } = await newPage();
  await cdp.send('Performance.enable');
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration').value;
  const before = await taskSeconds();
  const run = await page.evaluate(([u, c, b]) => window.stream(u, c, b), [`${url}/stream`, COUNT, BUSY_MS]);
  const busySeconds = (await taskSeconds()) - before;
  await page.close();
  return {
    msgsPerSec: (run.received / run.wallMs) * 1000,
    mainThreadNsPerMsg: ((busySeconds * 1000 - run.frames * BUSY_MS) * 1e6) / COUNT,
    lost: COUNT - run.received,
  };
}

/** Snapshot delays while the protocol holds a key and drags the mouse. */
async function inputStarvation() {
  const { page, cdp } = await newPage();
  const result = page.evaluate(
    ([u, s, w]) => window.snapshots(u, s, w),
    [`${url}/stream`, SNAPSHOT_SECONDS, INPUT_WORK_MS],
  );
  await page.waitForFunction(() => window.streaming === true);
  // The input, paced as a player makes it, for as long as the snapshots come.
  const until = performance.now() + SNAPSHOT_SECONDS * 1000;
  // Not awaited one by one (a protocol round trip would set the pace): at most 32 in flight.
  const paced = async (hz, send) => {
    const inFlight = new Set();
    for (let i = 0, next = performance.now(); performance.now() < until; i++) {
      const sent = send(i).finally(() => inFlight.delete(sent));
      inFlight.add(sent);
      if (inFlight.size >= 32) await Promise.race(inFlight);
      next += 1000 / hz;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await Promise.all(inFlight);
  };
  const key = { key: 'ArrowRight', code: 'ArrowRight', windowsVirtualKeyCode: 39 };
  const keys = (async () => {
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key });
    await paced(KEY_HZ, () => cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', autoRepeat: true, ...key }));
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key });
  })();
  const mouse = (async () => {
    await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: 100, y: 100, button: 'left', clickCount: 1 });
    await paced(MOUSE_HZ, (i) =>
      cdp.send('Input.dispatchMouseEvent', {
        type: 'mouseMoved',
        x: 100 + (i % 600),
        y: 100 + ((i * 7) % 400),
        button: 'left',
        buttons: 1,
      }),
    );
    await cdp.send('Input.dispatchMouseEvent', {
      type: 'mouseReleased',
      x: 100,
      y: 100,
      button: 'left',
      clickCount: 1,
    });
  })();
  await Promise.all([keys, mouse]);
  const { delays, waits, updateStarts, sentAt, dispatchedIn, frameGaps, inputs, isolated } = await result;
  // A message reached the machine when it was sent plus the network's floor (the run's least
  // delay, loopback's fraction of a ms): count the updates that began after that and before the
  // one that dispatched it. The same clock for every transport (eventTime is not: the page's
  // WebSocket stamps its event when the page runs it, after any wait).
  const floor = Math.min(...delays);
  const missed = sentAt.map((sent, i) => {
    let first = dispatchedIn[i];
    while (first > 0 && updateStarts[first - 1] >= sent + floor) first--;
    return dispatchedIn[i] - first;
  });
  await page.close();
  if (isolated !== (variant === 'worker+ring')) throw new Error(`page isolated: ${isolated}, variant ${variant}`);
  const frameMs = percentile(frameGaps, 0.5);
  return {
    inputUpdatesMissedP99: percentile(missed, 0.99),
    inputArrivalToDispatchP99Ms: percentile(waits, 0.99),
    inputArrivalToDispatchP99Frames: percentile(waits, 0.99) / frameMs,
    inputSendToDispatchP50Ms: percentile(delays, 0.5),
    inputSendToDispatchP99Ms: percentile(delays, 0.99),
    inputSendToDispatchP99Frames: percentile(delays, 0.99) / frameMs,
    inputFrameMs: frameMs,
    inputEventsPerSec: inputs / SNAPSHOT_SECONDS,
    inputLost: Math.round(SNAPSHOT_SECONDS * 60) - delays.length,
  };
}

try {
  const cost = await pageThreadCost();
  const input = await inputStarvation();
  process.stdout.write(`${JSON.stringify({ ...cost, ...input, lost: cost.lost + input.inputLost })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await browser.close();
  http.close();
}
