#!/usr/bin/env node
// `npm run bench` [-- --quick] [--reps N] [--only w1,w2] [--json path]
// Runs every workload for ticksocket side by side with plain `ws` in the same run, each in a
// fresh Node process, against bench/server.mjs (its own process). Prints medians over the reps
// and ratios to ws; writes JSON. Exits non-zero if a workload failed or lost a message.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    reps: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'string', default: join(here, 'results', 'latest.json') },
  },
});
const reps = Number(values.reps ?? (values.quick ? 1 : 3));

const PUMPED = ['ws', 'ticksocket@imm', 'ticksocket@16ms'];
// [name, title, variants, figures: [key, label, better: 'higher' | 'lower', target?]]
const WORKLOADS = [
  [
    'recvSmall',
    '1. receive 200k x 64 B',
    [...PUMPED, 'ticksocket+view@imm', 'ticksocket+view@16ms', 'ticksocket+lab@imm'],
    [
      ['msgsPerSec', 'msgs/s', 'higher', [{ ratio: 0.9 }, { ratio: 1.5, variant: 'ticksocket+view' }]],
      ['cpuUsPerMsg', 'CPU us/msg', 'lower'],
      ['heapBytesPerMsg', 'heap B/msg', 'lower', [{ ratioMax: 1 }, { max: 8, variant: 'ticksocket+view' }]],
      ['gcMs', 'GC ms', 'lower'],
    ],
  ],
  ['recvLarge', '2. receive 200 x 1 MiB', PUMPED, [['mibPerSec', 'MiB/s', 'higher', { ratio: 0.95 }]]],
  [
    'sendEcho',
    '3. send 200k x 64 B, echoed',
    [...PUMPED, 'ticksocket+lab@imm'],
    [
      ['msgsPerSec', 'msgs/s', 'higher', { ratio: 5 }],
      ['cpuUsPerMsg', 'CPU us/msg', 'lower'],
    ],
  ],
  [
    'roundTrip',
    '4. round trip 32 B, 1 in flight',
    ['ws', 'ticksocket@imm'],
    [
      ['p50Us', 'p50 us', 'lower', { ratioMax: 1.1 }],
      ['p99Us', 'p99 us', 'lower'],
    ],
  ],
  [
    'sparseTicks',
    '5. sparse ticks: latency',
    PUMPED,
    [
      ['sendToHandlerP50Us', 'server send→handler p50 us', 'lower'],
      ['arrivalToDispatchP50Us', 'arrival→dispatch p50 us', 'lower', { max: 15, variant: 'ticksocket@imm' }],
      ['arrivalToDispatchP99Us', 'arrival→dispatch p99 us', 'lower'],
    ],
  ],
  [
    'updateCost',
    '6. update() cost',
    ['naive', 'ticksocket', 'ticksocket+view'],
    [
      ['nsPerEvent', 'ns/event (1001 queued), warm', 'lower'],
      ['afterGcNsPerEvent', 'ns/event, gc() before each, 5 warm-up rounds (as the reference harness)', 'lower'],
      [
        'aboveLoopNs',
        'ns/event above a bare loop calling the handler',
        'lower',
        { max: 10, variant: 'ticksocket+view' },
      ],
      ['emptyUpdateNs', 'empty update() ns', 'lower', { max: 20, variant: 'ticksocket' }],
      ['floorNsPerEvent', 'floor: a Buffer view + a handler call, no queue (ns/event)', 'lower'],
      ['loopNsPerEvent', 'floor: a handler call with one reused object (ns/event)', 'lower'],
    ],
  ],
  [
    'managerIdle',
    '7. manager, 10k idle + 10 active',
    ['ticksocket'],
    [
      ['updateUsWithIdle', 'update() us, 10 events, 10k idle', 'lower', { max: 5 }],
      ['updateUsNoIdle', 'same, no idle sockets', 'lower'],
      ['emptyUpdateUsWithIdle', 'empty update() us, 10k idle', 'lower'],
    ],
  ],
  [
    'floodPause',
    '8. 1 GiB flood, 5 s without pumping',
    PUMPED,
    [
      ['peakRssOverIdleMiB', 'peak RSS over idle MiB', 'lower', { max: 64, variant: 'ticksocket' }],
      ['lost', 'lost', 'lower', { max: 0 }],
    ],
  ],
  [
    'networkLab',
    '9. network lab, real time',
    ['ticksocket'],
    [
      ['addedP50Ms', 'added p50 ms (configured 60)', 'lower'],
      ['addedP99Ms', 'added p99 ms (configured 83.3)', 'lower'],
      ['p50ErrorPct', 'p50 error %', 'lower', { max: 5 }],
      ['p99ErrorPct', 'p99 error %', 'lower', { max: 5 }],
      ['bytesPerSec', 'B/s (configured 1 000 000)', 'higher'],
      ['bandwidthErrorPct', 'bandwidth error %', 'lower', { max: 5 }],
    ],
  ],
  [
    'botsAtScale',
    '10. bots at 20 Hz, one process',
    ['ticksocket'],
    [
      ['botsHeldUnder20ms', 'most bots with loop lag p99 < 20 ms', 'higher', { min: 10_000 }],
      ...[1000, 2500, 5000, 10_000].flatMap((bots) => [
        [`lagP99Ms_${bots}`, `loop lag p99 ms, ${bots} bots`, 'lower'],
        [`wsLagP99Ms_${bots}`, `same with plain ws (setInterval, same slots)`, 'lower'],
        [`hz_${bots}`, `sends per bot per second (asked 20), ${bots} bots`, 'higher'],
        [`wsHz_${bots}`, `same with plain ws`, 'higher'],
        [`cpuUsPerBotStep_${bots}`, `CPU us per bot step, ${bots} bots`, 'lower'],
        [`wsCpuUsPerBotStep_${bots}`, `same with plain ws`, 'lower'],
        [`tcpLagP99Ms_${bots}`, `loop lag p99 ms, plain TCP sockets (16 B writes, no WebSocket)`, 'lower'],
        [`tcpHz_${bots}`, `same, writes per socket per second`, 'higher'],
        [`tcpCpuUsPerBotStep_${bots}`, `same, CPU us per step (the system calls' floor)`, 'lower'],
        [`rssKiBPerSocket_${bots}`, `RSS KiB per socket, ${bots} bots`, 'lower'],
      ]),
      ['lagP99Ms_10000_2workers', 'loop lag p99 ms, 10000 bots, 2 workers', 'lower'],
    ],
  ],
  [
    'frames',
    '11. frame stability: 60 Hz game loop, 20k msgs/s streamed',
    ['ws', 'ticksocket@frame', 'ticksocket+view@frame'],
    [
      ['gcPauseMsPerS', 'GC pause ms per s (game and client)', 'lower'],
      ['quietGcPauseMsPerS', 'same, the game alone (the loop after the stream)', 'lower'],
      ['gcAddedMsPerS', 'GC pause ms per s the client adds', 'lower', { ratioMax: 0.25, variant: 'ticksocket+view' }],
      ['scavengesPerS', 'scavenges per s', 'lower'],
      ['markCompacts', 'mark-compacts in the window', 'lower'],
      ['framesOverBudget', 'frames over budget (16.7 ms), of ~480', 'lower'],
      ['frameP99Ms', 'frame p99 ms', 'lower'],
    ],
  ],
];

// Workload 12, the browser transports in headless Chromium (bench/browser.mjs), where Chromium is installed.
if (existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
  WORKLOADS.push([
    'browser',
    '12. browser: page thread, input',
    ['native', 'worker', 'worker+ring'],
    [
      ['msgsPerSec', 'msgs/s, 100k x 64 B, 60 fps frames busy 12 ms', 'higher'],
      [
        'mainThreadNsPerMsg',
        "page thread ns/msg (TaskDuration beyond the frames' work)",
        'lower',
        { max: 5000, variant: 'worker+ring' },
      ],
      [
        'inputUpdatesMissedP99',
        'updates missed after arrival, p99 (0: the first update after it dispatched it), 60 Hz snapshots under held key + 1 kHz drag',
        'lower',
        { max: 0, variant: 'worker+ring' },
      ],
      ['inputArrivalToDispatchP99Frames', 'eventTime→dispatch p99 in frames, same (native: stamped late)', 'lower'],
      ['inputSendToDispatchP99Ms', 'server send→dispatch p99 ms, same', 'lower'],
      ['inputSendToDispatchP99Frames', 'server send→dispatch p99 in frames, same', 'lower'],
      ['inputFrameMs', 'frame ms (median rAF gap), same', 'lower'],
    ],
  ]);
} else
  process.stderr.write(
    'Chromium is not installed (npm run setup:test installs it): the browser workload is left out\n',
  );

// Workloads 1 and 3 inside Bun and Deno, next to each runtime's own WebSocket (bench/runtime-worker.mjs),
// for the runtimes scripts/setup-test-deps.sh installed into .runtimes/.
const RUNTIME_BIN = join(here, '..', '.runtimes', 'node_modules', '.bin');
for (const runtime of ['bun', 'deno']) {
  if (!existsSync(join(RUNTIME_BIN, runtime))) {
    process.stderr.write(
      `${runtime} is not in .runtimes/ (bash scripts/setup-test-deps.sh installs it): its workloads are left out\n`,
    );
    continue;
  }
  const variants = ['native', 'ticksocket@imm'];
  const title = runtime === 'bun' ? 'Bun' : 'Deno';
  WORKLOADS.push(
    [
      `${runtime}:recvSmall`,
      `1. ${title}: receive 200k x 64 B`,
      variants,
      [
        ['msgsPerSec', 'msgs/s', 'higher'],
        ['cpuUsPerMsg', 'CPU us/msg', 'lower'],
      ],
    ],
    [
      `${runtime}:sendEcho`,
      `3. ${title}: send 200k x 64 B, echoed`,
      variants,
      [
        ['msgsPerSec', 'msgs/s', 'higher'],
        ['cpuUsPerMsg', 'CPU us/msg', 'lower'],
      ],
    ],
  );
}

const selected = values.only ? WORKLOADS.filter(([name]) => values.only.split(',').includes(name)) : WORKLOADS;

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n')) resolve({ child, url: JSON.parse(line).url });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

function runWorker(name, variant, url) {
  return new Promise((resolve) => {
    const [runtime, workload] = name.includes(':') ? name.split(':') : ['node', name];
    let command = process.execPath;
    let args =
      workload === 'browser'
        ? [join(here, 'browser.mjs'), variant, url]
        : ['--expose-gc', join(here, 'worker.mjs'), workload, variant, url];
    if (runtime !== 'node') {
      command = join(RUNTIME_BIN, runtime);
      const script = join(here, 'runtime-worker.mjs');
      args = runtime === 'deno' ? ['run', '-A', script, workload, variant, url] : [script, workload, variant, url];
    }
    if (values.quick) args.push('--quick');
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const killer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      try {
        const result = JSON.parse(output.trim().split('\n').at(-1));
        resolve(code === 0 && !result.error ? result : { error: result.error ?? `exit ${code}` });
      } catch {
        resolve({ error: `exit ${code}, no result` });
      }
    });
  });
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const started = Date.now();
const { child: server, url } = await startServer();
const runs = {}; // workload -> variant -> [results]
let failed = false;
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, , variants] of selected) {
      const order = variants.map((_, i) => variants[(i + rep) % variants.length]);
      for (const variant of order) {
        const result = await runWorker(name, variant, url);
        process.stderr.write(`rep ${rep + 1}/${reps} ${name} ${variant}: ${JSON.stringify(result)}\n`);
        if (result.error || result.lost > 0) failed = true;
        runs[name] ??= {};
        runs[name][variant] ??= [];
        runs[name][variant].push(result);
      }
    }
  }
} finally {
  server.kill('SIGTERM');
}

const fmt = (value) =>
  value === undefined || Number.isNaN(value)
    ? '–'
    : Math.abs(value) >= 1000
      ? Math.round(value).toLocaleString('en-US')
      : value >= 100
        ? value.toFixed(0)
        : value.toFixed(value >= 10 ? 1 : 2);

const medians = {};
const lines = [];
const misses = [];
// The first variant is the baseline: `ws`, or in Bun and Deno the runtime's own WebSocket.
lines.push(`| workload | figure | variant | median | ratio to the first (ws, or native) | target |`);
lines.push(`| --- | --- | --- | ---: | ---: | --- |`);
for (const [name, title, variants, figures] of selected) {
  for (const [key, label, , goals] of figures) {
    for (const variant of variants) {
      const results = (runs[name]?.[variant] ?? []).filter((result) => !result.error);
      const value = results.length ? median(results.map((result) => result[key])) : Number.NaN;
      medians[name] ??= {};
      medians[name][variant] ??= {};
      medians[name][variant][key] = value;
      const base = medians[name]?.[variants[0]]?.[key];
      const ratio = variant !== variants[0] && base ? value / base : undefined;
      let verdict = '';
      // a figure's targets: the last that names this variant's prefix, else the one for every variant
      const targets = [goals ?? []].flat().filter((t) => !t.variant || variant.startsWith(t.variant));
      const target = targets.at(-1);
      if (target && variant !== 'ws' && variant !== 'naive') {
        const ok =
          (target.ratio === undefined || ratio >= target.ratio) &&
          (target.ratioMax === undefined || ratio <= target.ratioMax) &&
          (target.max === undefined || value <= target.max) &&
          (target.min === undefined || value >= target.min);
        const goal =
          target.ratio !== undefined
            ? `>= ${target.ratio}x`
            : target.ratioMax !== undefined
              ? `<= ${target.ratioMax}x`
              : target.min !== undefined
                ? `>= ${target.min}`
                : `<= ${target.max}`;
        verdict = `${goal} ${ok ? 'met' : 'MISSED'}`;
        if (!ok)
          misses.push(
            `${title} / ${label} / ${variant}: ${fmt(value)}${ratio ? ` (${ratio.toFixed(2)}x)` : ''}, target ${goal}`,
          );
      }
      lines.push(
        `| ${title} | ${label} | ${variant} | ${fmt(value)} | ${ratio === undefined ? '' : `${ratio.toFixed(2)}x`} | ${verdict} |`,
      );
    }
  }
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`\nticksocket bench — ${reps} rep(s)${values.quick ? ', quick' : ''}, medians; ${machine}\n`);
console.log(lines.join('\n'));
console.log(misses.length ? `\ntargets missed:\n  ${misses.join('\n  ')}` : '\nall targets met');
console.log(
  `\n${failed ? 'FAILED: a workload failed or lost messages' : 'no workload failed; 0 messages lost'} (${Math.round((Date.now() - started) / 1000)} s)`,
);

mkdirSync(dirname(values.json), { recursive: true });
writeFileSync(
  values.json,
  JSON.stringify(
    { machine, reps, quick: values.quick, date: new Date().toISOString(), medians, runs, misses },
    null,
    2,
  ),
);
process.exitCode = failed ? 1 : 0;
