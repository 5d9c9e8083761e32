#!/usr/bin/env node
// Diagnostic (not part of `npm run bench`): where workload 5's arrival→dispatch time goes with a
// setImmediate pump. Counts the loop iterations between the TCP read that carried a tick and the
// update() that dispatched it (1: the first check phase after the read), and prints the gap.
//   npm run build && node bench/experiments/arrival-probe.mjs
// (Reaches into ticksocket's transport for the TCP socket: a measuring tool, not an example.)
import { spawn } from 'node:child_process';
import { WebSocket } from '../../dist/node.js';

const server = spawn(process.execPath, [new URL('../server.mjs', import.meta.url).pathname], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const url = await new Promise((resolve) => server.stdout.once('data', (line) => resolve(JSON.parse(line).url)));
const socket = new WebSocket(`${url}/stream`, { perMessageDeflate: false });
const gapsUs = [];
const iterationsBetween = new Map();
let iteration = 0;
let readIteration = 0;
let done = false;
socket.on('message', (s, text) => {
  if (text === 'done') {
    done = true;
    return;
  }
  gapsUs.push((performance.now() - s.eventTime) * 1000);
  const between = iteration - readIteration;
  iterationsBetween.set(between, (iterationsBetween.get(between) ?? 0) + 1);
});
socket.open();
const loop = () => {
  iteration++;
  socket.update();
  if (done) finish();
  else setImmediate(loop);
};
setImmediate(loop);
const deadline = Date.now() + 10_000;
while (!socket.isOpen && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
socket.transport.tcp.prependListener('data', () => (readIteration = iteration));
socket.send(JSON.stringify({ cmd: 'ticks', count: 300, maxGapMs: 8 }));

function finish() {
  const sorted = [...gapsUs].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1);
  console.log(`arrival→dispatch µs: p10 ${at(0.1)}, p50 ${at(0.5)}, p90 ${at(0.9)} (${sorted.length} ticks)`);
  console.log('loop iterations from the read to the dispatch:', Object.fromEntries(iterationsBetween));
  socket.close();
  server.kill();
  process.exit(0);
}
