// Workload 11, frame stability (after the reference harness's W6): a 60 Hz game loop whose frames
// pump the socket, then do ~9 ms of allocating game work (float math over typed arrays, a temp
// per entity, records kept ~25 frames so the old generation is real), while the server streams
// 20 000 entity updates/s plus a 16 KiB snapshot every ~100 ms. It measures what a player feels
// (frames over budget, frame p99) and what the client's garbage costs (GC pause ms per second).
// `conn.onMessage(cb)` gets strings, Buffers, or (the +view variant) the reused BinaryView;
// `conn.pump()` is update() for ticksocket and nothing for ws (its handlers run between frames).
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';

const FRAME_MS = 1000 / 60;
const STREAM = { rate: 20_000, size: 96, bigSize: 16_384, bigEveryMs: 100 };

class Vec3 {
  constructor(x, y, z) {
    this.x = x;
    this.y = y;
    this.z = z;
  }
}

/** The game's own frame: the same fixed work for every variant, reading the network's entity table. */
function makeGame(entities, { updates = 1000, neighbors = 2000, window = 25_000 } = {}) {
  const count = 4096;
  const pos = new Float64Array(count * 3);
  const vel = new Float64Array(count * 3);
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (let i = 0; i < count * 3; i++) {
    pos[i] = random() * 100;
    vel[i] = random() - 0.5;
  }
  const kept = new Array(window).fill(null);
  let at = 0;
  let frame = 0;
  return () => {
    const contacts = [];
    for (let i = 0; i < updates; i++) {
      const e = (frame * updates + i) & (count - 1);
      const o = e * 3;
      const p = new Vec3(pos[o], pos[o + 1], pos[o + 2]);
      let fx = 0;
      let fy = 0;
      let fz = 0;
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let k = 1; k <= neighbors; k++) {
        const q = ((e + k * 37) & (count - 1)) * 3;
        const dx = pos[q] - p.x;
        const dy = pos[q + 1] - p.y;
        const dz = pos[q + 2] - p.z;
        const d2 = dx * dx + dy * dy + dz * dz + 0.01;
        const inv = 1 / (d2 * Math.sqrt(d2));
        fx += dx * inv;
        fy += dy * inv;
        fz += dz * inv;
        if (d2 < bestD) {
          bestD = d2;
          best = q;
        }
      }
      contacts.push([e, best / 3]);
      const n = (e & 1023) << 3;
      vel[o] += (fx + entities[n + 1] * 1e-3) / 60;
      vel[o + 1] += (fy + entities[n + 2] * 1e-3) / 60;
      vel[o + 2] += (fz + entities[n + 3] * 1e-3) / 60;
      for (let j = 0; j < 3; j++) pos[o + j] += vel[o + j] / 60;
      kept[at] = { id: e, frame, p: new Vec3(pos[o], pos[o + 1], pos[o + 2]) };
      at = at + 1 === window ? 0 : at + 1;
    }
    frame++;
    return contacts.length;
  };
}

/** Readers of the two message layouts: a Node Buffer's own methods, or the view's. */
const READ = {
  buffer: { u16: (d, at) => d.readUInt16LE(at), u32: (d, at) => d.readUInt32LE(at), f32: (d, at) => d.readFloatLE(at) },
  view: { u16: (v, at) => v.u16(at), u32: (v, at) => v.u32(at), f32: (v, at) => v.f32(at) },
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

export async function frameStability(conn, { view, quick }) {
  const read = view ? READ.view : READ.buffer;
  const entities = new Float64Array(1024 * 8);
  let nextId = 0;
  let nextSeq = 0;
  let badOrder = 0;
  let received = 0;
  let done = null;
  conn.onMessage((data) => {
    if (typeof data === 'string') {
      done = JSON.parse(data);
      return;
    }
    received++;
    if ((view ? data.u8(0) : data[0]) === 1) {
      const id = read.u16(data, 2);
      if (id !== nextId) badOrder++;
      nextId = (id + 1) & 1023;
      const o = id << 3;
      entities[o] = read.u32(data, 4);
      for (let f = 0; f < 6; f++) entities[o + 1 + f] = read.f32(data, 8 + f * 4);
    } else {
      const seq = read.u32(data, 4);
      if (seq !== nextSeq) badOrder++;
      nextSeq = seq + 1;
      const records = read.u16(data, 2);
      for (let r = 0, at = 16; r < records; r++, at += 32) {
        const o = (read.u16(data, at) & 1023) << 3;
        for (let f = 0; f < 4; f++) entities[o + 1 + f] = read.f32(data, at + 4 + f * 4);
      }
    }
  });
  const game = makeGame(entities);
  const pauses = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push([entry.startTime, entry.duration, entry.detail?.kind]);
  });
  observer.observe({ entryTypes: ['gc'] });
  const [warmS, measureS, quietS] = quick ? [1, 3, 3] : [2, 8, 5];
  // 1 s of the game alone, the stream (warm-up, then the window), then the game alone again: that
  // last window, with the same history, is the baseline of what the client adds
  const t0 = performance.now();
  const [from, to] = [t0 + (1 + warmS) * 1000, t0 + (1 + warmS + measureS) * 1000];
  const quiet = [to + 500, to + 500 + quietS * 1000];
  const frames = []; // [late, duration]
  let streaming = false;
  await new Promise((resolve) => {
    let slot = 0;
    const frame = () => {
      const start = performance.now();
      if (!streaming && start >= t0 + 1000) {
        streaming = true;
        conn.send(JSON.stringify({ cmd: 'flow', ...STREAM, seconds: warmS + measureS }));
      }
      conn.pump();
      game();
      const end = performance.now();
      if (start >= from && start < to) frames.push([start - (t0 + slot * FRAME_MS), end - start]);
      if (done !== null && end >= quiet[1]) return resolve();
      slot = Math.max(slot + 1, Math.floor((end - t0) / FRAME_MS)); // a slot that passed is a dropped frame
      const delay = t0 + slot * FRAME_MS - performance.now();
      if (delay > 0) setTimeout(frame, delay);
      else setImmediate(frame);
    };
    setTimeout(frame, 0);
  });
  observer.disconnect();
  const expected = measureS * (60 - 0.5); // frames the window should hold; fewer were dropped
  let gcMs = 0;
  let quietGcMs = 0;
  let scavenges = 0;
  let markCompacts = 0;
  for (const [start, duration, kind] of pauses) {
    if (start >= quiet[0] && start < quiet[1]) quietGcMs += duration;
    if (start < from || start >= to) continue;
    gcMs += duration;
    if (kind === perf.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    if (kind === perf.NODE_PERFORMANCE_GC_MAJOR) markCompacts++;
  }
  const durations = frames.map(([, d]) => d).sort((a, b) => a - b);
  const sent = done.flowDone + done.bigSent;
  return {
    gcPauseMsPerS: gcMs / measureS,
    gcAddedMsPerS: Math.max(0, gcMs / measureS - quietGcMs / quietS),
    quietGcPauseMsPerS: quietGcMs / quietS,
    scavengesPerS: scavenges / measureS,
    markCompacts,
    framesOverBudget:
      frames.filter(([late, d]) => late + d > FRAME_MS).length + Math.max(0, Math.round(expected - frames.length)),
    frameP50Ms: percentile(durations, 0.5),
    frameP99Ms: percentile(durations, 0.99),
    frames: frames.length,
    lost: sent - received + badOrder,
  };
}
