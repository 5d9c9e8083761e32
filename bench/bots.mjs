// Workload 10 (run by bench/worker.mjs): bots at scale. Fleets of growing size, each bot
// sending a 16-byte input every 50 ms (20 Hz) to the bench server's /echo (its own process),
// all on one SocketManager and one fixed-step loop: this process's event-loop lag p99 in the
// steady state (after a warm-up that holds the ramp), CPU per bot step, RSS per socket; then
// the largest fleet over 2 worker threads. The target: 10 000 bots at 20 Hz in one process with
// a loop-lag p99 under 20 ms.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import WsWebSocket from 'ws';
import { runFleet, runFleetInWorkers, summarize } from '../dist/bots/index.js';

const HZ = 20;

async function fleet(url, bots, workers, quick) {
  const warmUp = Math.max(2, bots / 2500); // the ramp (5 000 bots/s) and the first steps
  const measure = quick ? 3 : 5;
  // No heartbeat: the baseline has none either.
  const options = {
    url: `${url}/echo`,
    bots,
    hz: HZ,
    seconds: warmUp + measure,
    warmUp,
    rampUp: 5000,
    socket: { pingInterval: 0 },
  };
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssOpen = rssBefore;
  // CPU from the first second with every bot open to the last status before the fleet closes
  // (the closing handshakes are not steps).
  let cpuFrom;
  let cpuTo;
  const onStatus = (status) => {
    if (status.open === bots && cpuFrom === undefined) {
      rssOpen = process.memoryUsage().rss;
      cpuFrom = { usage: process.cpuUsage(), at: performance.now() };
    } else if (status.open === bots) {
      cpuTo = { usage: process.cpuUsage(), at: performance.now() };
    }
  };
  const report =
    workers === 1 ? await runFleet({ ...options, onStatus }) : await runFleetInWorkers({ ...options, workers });
  const summary = summarize(report);
  const measured = cpuFrom !== undefined && cpuTo !== undefined;
  const cpu = measured
    ? { user: cpuTo.usage.user - cpuFrom.usage.user, system: cpuTo.usage.system - cpuFrom.usage.system }
    : undefined;
  const seconds = measured ? (cpuTo.at - cpuFrom.at) / 1000 : 0;
  return {
    loopLagP99Ms: summary.loopLagMs.p99,
    cpuUsPerBotStep: cpu === undefined ? Number.NaN : (cpu.user + cpu.system) / (bots * HZ * seconds),
    rssKiBPerSocket: workers === 1 ? (rssOpen - rssBefore) / 1024 / bots : Number.NaN,
    rttP99Ms: summary.rttMs.p99,
    achievedHz: summary.messagesOut / (bots * summary.seconds),
    lost: summary.bots - summary.closedOnce + summary.failed,
  };
}

/** The same fleet on plain `ws` (handlers on arrival), the same slots and lag probe: the baseline. */
async function wsFleet(url, bots, quick) {
  const sockets = [];
  for (let i = 0; i < bots; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(bots, i + 500); j++) {
      const ws = new WsWebSocket(`${url}/echo`, { perMessageDeflate: false });
      ws.on('message', () => {});
      ws.on('error', () => {});
      batch.push(new Promise((resolve) => ws.once('open', resolve)));
      sockets.push(ws);
    }
    await Promise.all(batch);
  }
  const result = await atSlots(sockets, (ws, payload) => ws.send(payload), quick);
  for (const ws of sockets) ws.terminate();
  return result;
}

/**
 * The floor no WebSocket client can go under: the same number of plain TCP sockets, each writing
 * 16 bytes at 20 Hz (in the same slots) to an echo server in a process of its own and reading the
 * echo, no framing, no library. Its CPU per step is the system calls of one write and one read.
 */
async function tcpFloor(bots, quick) {
  const server = spawn(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer((c)=>c.on('data',(d)=>c.write(d)).on('error',()=>{}));" +
        "s.listen(0,'127.0.0.1',()=>console.log(s.address().port));process.stdin.on('end',()=>process.exit(0));process.stdin.resume();",
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = Number(await new Promise((resolve) => server.stdout.once('data', resolve)));
  const sockets = [];
  for (let i = 0; i < bots; i += 500) {
    const batch = [];
    for (let j = i; j < Math.min(bots, i + 500); j++) {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.on('data', () => {});
      socket.on('error', () => {});
      batch.push(new Promise((resolve) => socket.once('connect', resolve)));
      sockets.push(socket);
    }
    await Promise.all(batch);
  }
  const result = await atSlots(sockets, (socket, payload) => socket.write(payload), quick);
  for (const socket of sockets) socket.destroy();
  server.stdin.end();
  return result;
}

/** Send with `send(socket, payload)` from every socket at 20 Hz in 10 slots, after a warm-up; lag, CPU, rate. */
async function atSlots(sockets, send, quick) {
  const bots = sockets.length;
  const warmUp = Math.max(2, bots / 2500);
  const measure = quick ? 3 : 5;
  const phases = Math.min(10, Math.max(1, Math.ceil(bots / 100)));
  const payload = Buffer.alloc(16);
  let step = 0;
  let sent = 0;
  const loop = setInterval(
    () => {
      for (let i = step % phases; i < sockets.length; i += phases) send(sockets[i], payload);
      sent += Math.ceil((sockets.length - (step % phases)) / phases);
      step++;
    },
    1000 / (HZ * phases),
  );
  await new Promise((resolve) => setTimeout(resolve, warmUp * 1000));
  const lags = [];
  let expected = performance.now() + 10;
  const probe = setInterval(() => {
    const now = performance.now();
    lags.push(now - expected);
    expected = now + 10;
  }, 10);
  const cpuFrom = process.cpuUsage();
  const from = performance.now();
  const sentFrom = sent;
  await new Promise((resolve) => setTimeout(resolve, measure * 1000));
  const cpu = process.cpuUsage(cpuFrom);
  const seconds = (performance.now() - from) / 1000;
  clearInterval(probe);
  clearInterval(loop);
  lags.sort((a, b) => a - b);
  return {
    loopLagP99Ms: lags[Math.floor(lags.length * 0.99)],
    cpuUsPerBotStep: (cpu.user + cpu.system) / (bots * HZ * seconds),
    achievedHz: (sent - sentFrom) / (bots * seconds),
  };
}

export async function botsAtScale(url, quick) {
  const sizes = quick ? [1000, 5000] : [1000, 2500, 5000, 10_000];
  const result = { lost: 0 };
  let held = 0;
  for (const bots of sizes) {
    const run = await fleet(url, bots, 1, quick);
    result[`lagP99Ms_${bots}`] = run.loopLagP99Ms;
    result[`cpuUsPerBotStep_${bots}`] = run.cpuUsPerBotStep;
    result[`rssKiBPerSocket_${bots}`] = run.rssKiBPerSocket;
    result[`hz_${bots}`] = run.achievedHz;
    result.lost += run.lost;
    if (run.loopLagP99Ms < 20) held = bots;
    const base = await wsFleet(url, bots, quick);
    result[`wsLagP99Ms_${bots}`] = base.loopLagP99Ms;
    result[`wsCpuUsPerBotStep_${bots}`] = base.cpuUsPerBotStep;
    result[`wsHz_${bots}`] = base.achievedHz;
    const floor = await tcpFloor(bots, quick);
    result[`tcpLagP99Ms_${bots}`] = floor.loopLagP99Ms;
    result[`tcpCpuUsPerBotStep_${bots}`] = floor.cpuUsPerBotStep;
    result[`tcpHz_${bots}`] = floor.achievedHz;
  }
  const largest = sizes.at(-1);
  const two = await fleet(url, largest, 2, quick);
  result[`lagP99Ms_${largest}_2workers`] = two.loopLagP99Ms;
  result.lost += two.lost;
  result.botsHeldUnder20ms = held;
  return result;
}
