#!/usr/bin/env node
// Benchmark server, run in its own process so it does not share the client's core. `ws` does
// the HTTP upgrade; after that this server reads and writes RFC 6455 frames on the socket
// itself (pre-encoded, batched writes), so it is never the bottleneck of a client benchmark.
// Prints {"url":"ws://127.0.0.1:PORT"} on stdout; exits when stdin closes or on SIGTERM.
//
// Paths:  /echo    every data frame echoed back unchanged in type
//         /stream  text commands, answered on the same socket:
//   {"cmd":"stream","count":N,"size":S}   N binary messages of S bytes, the first 4 bytes of
//                                         each its index (u32 LE), then text "done"
//   {"cmd":"ticks","count":N,"maxGapMs":G} N text "T<hrtime ns>" at random gaps <= G ms, then "done"
//   {"cmd":"paced","count":N,"everyMs":E}  N text "T<index>:<hrtime ns>", one every E ms, then "done"
//   {"cmd":"flow","rate":R,"size":S,"seconds":T,"bigSize":B,"bigEveryMs":M}  a game's stream for T s
//         from a 1 ms tick: R binary entity updates/s of S bytes ([u8 1][u8][u16 id][u32 k][f32...]),
//         and a B-byte snapshot every M ms (+0..16 ms) ([u8 2][u8][u16 n][u32 seq][f64 sent ms][n x 32 B]);
//         each tick's frames in one write, never waiting for drain; then text {"flowDone":sent,"bigSent":n}
//   {"cmd":"snapshots","count":N,"everyMs":E,"size":S}  N binary snapshots of S bytes, one every E ms:
//         [u32 index][f64 epoch ms when sent] then zeros (the browser workload), then text "done"
//         /idle    never sends anything (manager workload)
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096 });

function header(b0, length) {
  let h;
  if (length < 126) {
    h = Buffer.allocUnsafe(2);
    h[1] = length;
  } else if (length < 65536) {
    h = Buffer.allocUnsafe(4);
    h[1] = 126;
    h.writeUInt16BE(length, 2);
  } else {
    h = Buffer.allocUnsafe(10);
    h[1] = 127;
    h.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    h.writeUInt32BE(length >>> 0, 6);
  }
  h[0] = b0;
  return h;
}
const textFrame = (text) => Buffer.concat([header(0x81, Buffer.byteLength(text)), Buffer.from(text)]);
const binaryFrame = (bytes) => Buffer.concat([header(0x82, bytes.length), bytes]);

/** Write `count` binary frames of `size` bytes carrying their index, honouring backpressure. */
function stream(socket, count, size, done) {
  const frameLength = header(0x82, size).length + size;
  const perBatch = Math.max(1, Math.floor((256 * 1024) / frameLength));
  const batch = Buffer.alloc(perBatch * frameLength, 0xab);
  for (let i = 0; i < perBatch; i++) header(0x82, size).copy(batch, i * frameLength);
  const indexOffset = header(0x82, size).length;
  let next = 0;
  const step = () => {
    while (next < count && !socket.destroyed) {
      const n = Math.min(perBatch, count - next);
      const chunk = Buffer.from(batch.subarray(0, n * frameLength)); // a copy: the index is rewritten per batch
      for (let i = 0; i < n; i++) chunk.writeUInt32LE(next + i, i * frameLength + indexOffset);
      next += n;
      if (!socket.write(chunk)) {
        socket.once('drain', step);
        return;
      }
    }
    if (next >= count) done();
  };
  step();
}

function takeOver(ws, path) {
  const socket = ws._socket; // after the handshake the raw socket is ours (ws internals, pinned version)
  socket.removeAllListeners('data');
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const out = [];
    let offset = 0;
    for (;;) {
      if (pending.length - offset < 2) break;
      const b0 = pending[offset];
      const b1 = pending[offset + 1];
      let length = b1 & 0x7f;
      let at = offset + 2;
      if (length === 126) {
        if (pending.length - offset < 4) break;
        length = pending.readUInt16BE(offset + 2);
        at = offset + 4;
      } else if (length === 127) {
        if (pending.length - offset < 10) break;
        length = pending.readUInt32BE(offset + 2) * 2 ** 32 + pending.readUInt32BE(offset + 6);
        at = offset + 10;
      }
      const maskAt = at;
      if (b1 & 0x80) at += 4;
      if (pending.length < at + length) break;
      const payload = Buffer.from(pending.subarray(at, at + length));
      if (b1 & 0x80) for (let i = 0; i < length; i++) payload[i] ^= pending[maskAt + (i & 3)];
      offset = at + length;
      const opcode = b0 & 0x0f;
      if (opcode === 8) {
        out.push(header(0x88, Math.min(length, 125)), payload.subarray(0, 125));
        socket.end(Buffer.concat(out));
        return;
      }
      if (opcode === 9) out.push(header(0x8a, length), payload);
      else if (opcode <= 2 && path === '/echo') out.push(header(b0, length), payload);
      else if (opcode === 1 && path === '/stream') command(socket, JSON.parse(payload.toString()));
    }
    pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
    if (out.length > 0) socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
  });
}

function command(socket, cmd) {
  if (cmd.cmd === 'stream') {
    stream(socket, cmd.count | 0, cmd.size | 0, () => socket.write(textFrame('done')));
  } else if (cmd.cmd === 'ticks') {
    let sent = 0;
    const tick = () => {
      if (socket.destroyed) return;
      if (sent++ >= cmd.count) return void socket.write(textFrame('done'));
      socket.write(textFrame(`T${process.hrtime.bigint()}`));
      setTimeout(tick, Math.random() * cmd.maxGapMs);
    };
    setTimeout(tick, Math.random() * cmd.maxGapMs);
  } else if (cmd.cmd === 'flow') {
    flow(socket, cmd);
  } else if (cmd.cmd === 'snapshots') {
    paced(socket, cmd, (index) => {
      const payload = Buffer.alloc(Math.max(12, cmd.size | 0));
      payload.writeUInt32LE(index, 0);
      payload.writeDoubleLE(performance.timeOrigin + performance.now(), 4);
      return binaryFrame(payload);
    });
  } else if (cmd.cmd === 'paced') {
    paced(socket, cmd, (index) => textFrame(`T${index}:${process.hrtime.bigint()}`));
  }
}

/** `count` frames made by `frame(index)`, one every `everyMs`, then text "done". */
function paced(socket, { count, everyMs }, frame) {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return void clearInterval(timer);
    if (sent >= count) {
      clearInterval(timer);
      return void socket.write(textFrame('done'));
    }
    socket.write(frame(sent++));
  }, everyMs);
}

/** The `flow` command: a game server's steady stream of entity updates and snapshots (frames workload). */
function flow(socket, { rate, size, seconds, bigSize, bigEveryMs }) {
  const started = performance.now();
  let sent = 0;
  let bigSent = 0;
  let nextBig = started + bigEveryMs;
  const update = Buffer.alloc(size);
  update[0] = 1;
  const records = Math.floor((bigSize - 16) / 32);
  const snapshot = Buffer.alloc(16 + records * 32);
  snapshot[0] = 2;
  snapshot.writeUInt16LE(records, 2);
  for (let r = 0; r < records; r++) snapshot.writeUInt16LE(r, 16 + r * 32);
  const timer = setInterval(() => {
    if (socket.destroyed) return void clearInterval(timer);
    const now = performance.now();
    const due = Math.min(Math.floor(((now - started) / 1000) * rate), rate * seconds);
    const out = [];
    for (; sent < due; sent++) {
      update.writeUInt16LE(sent & 1023, 2);
      update.writeUInt32LE(sent >>> 0, 4);
      for (let f = 8; f + 4 <= size; f += 4) update.writeFloatLE((sent % 97) * 0.5 + f, f);
      out.push(header(0x82, size), Buffer.from(update));
    }
    if (now >= nextBig && now - started < seconds * 1000) {
      snapshot.writeUInt32LE(bigSent++, 4);
      snapshot.writeDoubleLE(Number(process.hrtime.bigint()) / 1e6, 8);
      out.push(header(0x82, snapshot.length), Buffer.from(snapshot));
      nextBig = now + bigEveryMs + Math.random() * 16;
    }
    if (sent >= rate * seconds) {
      clearInterval(timer);
      out.push(textFrame(JSON.stringify({ flowDone: sent, bigSent })));
    }
    if (out.length > 0) socket.write(Buffer.concat(out));
  }, 1);
}

wss.on('connection', (ws, request) => takeOver(ws, request.url));
wss.on('listening', () => process.stdout.write(`${JSON.stringify({ url: `ws://127.0.0.1:${wss.address().port}` })}\n`));
const stop = () => process.exit(0);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
setTimeout(stop, 30 * 60 * 1000).unref();
