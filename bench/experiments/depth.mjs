#!/usr/bin/env node
// Diagnostic (not part of `npm run bench`): CPU per received 64 B message with no network and
// no server in the way. After a real handshake, pre-encoded frames are written straight into
// the receiver of the client's ws socket; ticksocket's update() runs every N reads.
//   node bench/experiments/depth.mjs ws|ts [readsPerUpdate]
// It shows what a pump costs as the number of messages waiting between updates grows.
// (Reaches into ws and ticksocket internals: a measuring tool, not an example.)
import { WebSocketServer, WebSocket as WsClient } from 'ws';
import { WebSocket } from '../../dist/node.js';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((r) => wss.once('listening', r));
const url = `ws://127.0.0.1:${wss.address().port}`;
const frame = Buffer.alloc(66, 0xab);
frame[0] = 0x82;
frame[1] = 64;
const perChunk = 992;
const chunks = Array.from({ length: 64 }, () => Buffer.concat(Array(perChunk).fill(frame)));
const mode = process.argv[2];
const _N = 200 * perChunk * 2;
let got = 0;
let receiver,
  pump = () => {};
if (mode === 'ws') {
  const c = new WsClient(url, { perMessageDeflate: false });
  c.on('message', (d) => {
    got += d[0] === 0xab ? 1 : 0;
  });
  await new Promise((r) => c.once('open', r));
  receiver = c._receiver;
} else {
  const s = new WebSocket(url, { perMessageDeflate: false });
  s.on('binary', (_s, d) => {
    got += d[0] === 0xab ? 1 : 0;
  });
  s.open();
  while (!s.isOpen) {
    s.update();
    await new Promise((r) => setTimeout(r, 1));
  }
  // the transport's ws client: find its receiver through the transport's private ws field
  receiver = s.transport.ws._receiver;
  pump = () => s.update();
}
const flushEvery = Number(process.argv[3] ?? 1); // chunks between update() calls (a frame's worth)
function run(rounds) {
  for (let i = 0; i < rounds; i++) {
    receiver.write(chunks[i % chunks.length]);
    if ((i + 1) % flushEvery === 0) pump();
  }
  pump();
}
run(200);
got = 0;
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
run(400);
const ns = Number(process.hrtime.bigint() - t0);
const cpu = process.cpuUsage(c0);
console.log(
  mode,
  'flushEvery',
  flushEvery,
  (ns / got).toFixed(0),
  'ns/msg',
  got,
  'msgs',
  (((cpu.user + cpu.system) * 1000) / got).toFixed(0),
  'cpu ns/msg',
);
process.exit(0);
