#!/usr/bin/env node
// Workloads 1 and 3 inside another runtime (run by bench/run.mjs under Bun or Deno):
//   bun bench/runtime-worker.mjs <workload> <variant> <serverUrl>
//   deno run -A bench/runtime-worker.mjs <workload> <variant> <serverUrl>
// variant: native (the runtime's own WebSocket, handlers on arrival) | ticksocket@imm (this
// runtime's ticksocket entry, pumped from setImmediate). Prints one JSON line.
const args = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const [workload, variant, url] = args;
const entry = globalThis.Bun ? '../dist/bun.js' : globalThis.Deno ? '../dist/deno.js' : '../dist/node.js';
const { WebSocket } = await import(entry);
const { echoRun, streamOnce: streamIndexed } = await import('./common.mjs');

function finish(result) {
  console.log(JSON.stringify(result));
  process.exit(result.error ? 1 : 0);
}
setTimeout(() => finish({ error: `watchdog: ${workload} ${variant} took over 120 s` }), 120_000).unref?.();

async function until(done, what) {
  const deadline = performance.now() + 60_000;
  while (!done()) {
    if (performance.now() > deadline) finish({ error: `timeout waiting for ${what}` });
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A client: `onMessage(cb)` gets strings for text and bytes for binary. */
async function connect(path) {
  let callback = () => {};
  if (variant === 'native') {
    const ws = new globalThis.WebSocket(url + path);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => callback(typeof event.data === 'string' ? event.data : new Uint8Array(event.data));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    return { send: (data) => ws.send(data), onMessage: (cb) => (callback = cb), close: () => ws.close() };
  }
  const socket = new WebSocket(url + path, { perMessageDeflate: false });
  socket.on('binary', (_s, data) => callback(data));
  socket.on('message', (_s, text) => callback(text));
  socket.open();
  let stopped = false;
  const loop = () => {
    if (stopped) return;
    socket.update();
    setImmediate(loop);
  };
  setImmediate(loop);
  await until(() => socket.state !== 'connecting', 'open');
  if (!socket.isOpen) finish({ error: 'ticksocket did not open' });
  return {
    send: (data) => socket.send(data),
    onMessage: (cb) => (callback = cb),
    close: () => {
      stopped = true;
      socket.close();
    },
  };
}

async function measured(body) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await body();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs, cpuUs: cpu.user + cpu.system };
}

const indexOf = (data) => new DataView(data.buffer, data.byteOffset).getUint32(0, true);
const streamOnce = (conn, count, size) => streamIndexed(conn, count, size, indexOf);

const workloads = {
  async recvSmall() {
    const count = 200_000;
    const conn = await connect('/stream');
    await streamOnce(conn, 20_000, 64);
    let result;
    const m = await measured(async () => (result = await streamOnce(conn, count, 64)));
    conn.close();
    return { msgsPerSec: (count / m.wallMs) * 1000, cpuUsPerMsg: m.cpuUs / count, lost: result.lost };
  },

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
};

try {
  finish(await workloads[workload]());
} catch (error) {
  finish({ error: String(error?.stack ?? error) });
}
