#!/usr/bin/env node
// `ticksocket-bots`: a bot fleet against your own server, from the command line.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NETWORK_PRESETS, type NetworkPresetName } from '../network/conditions.js';
import { type FleetReport, runFleet } from './fleet.js';
import { statusLine, summarize } from './report.js';
import { loadScript } from './script.js';
import { onStopSignal } from './stop-signal.js';
import { runFleetInWorkers } from './workers.js';

const USAGE = `Usage: ticksocket-bots --url ws://host:port/path [options]

Connects bots to a WebSocket server; each runs a script every step of a fixed-step loop. Prints
a status line every second and a report at the end (Ctrl-C ends the run early, with its report).

Options:
  --url URL        the server (required)
  --bots N         how many bots (default 100)
  --hz N           steps per second (default 20)
  --seconds N      how long to run (default 10)
  --script FILE    the bot script: a module exporting setup(bot) and/or tick(bot, tick)
                   (default: each bot sends a 16-byte input every step)
  --workers N      spread the bots over N worker threads (default 1)
  --ramp N         start N bots per second (default: all at once)
  --think MS       each bot waits MS after opening before its first step (default 0)
  --net PRESET     every bot through the network lab: ${Object.keys(NETWORK_PRESETS).join(', ')}
  --json FILE      write the report as JSON
  --help           this text`;

function fail(message: string): never {
  process.stderr.write(`ticksocket-bots: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      url: { type: 'string' },
      bots: { type: 'string' },
      hz: { type: 'string' },
      seconds: { type: 'string' },
      script: { type: 'string' },
      workers: { type: 'string' },
      ramp: { type: 'string' },
      think: { type: 'string' },
      net: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (typeof values.url !== 'string') fail('--url is required.');
const number = (name: string, fallback?: number): number | undefined => {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) fail(`--${name} must be a number, got ${JSON.stringify(raw)}.`);
  return value;
};
const net = values.net as string | undefined;
if (net !== undefined && !Object.hasOwn(NETWORK_PRESETS, net)) {
  fail(`--net must be one of ${Object.keys(NETWORK_PRESETS).join(', ')}, got ${JSON.stringify(net)}.`);
}
// Ctrl-C closes the bots and reports what ran.
const stop = new AbortController();
onStopSignal(() => stop.abort());
const options = {
  url: values.url,
  bots: number('bots', 100)!,
  hz: number('hz', 20),
  seconds: number('seconds', 10)!,
  rampUp: number('ramp'),
  think: number('think', 0),
  network: net as NetworkPresetName | undefined,
  signal: stop.signal,
  onStatus: (status: Parameters<typeof statusLine>[0]) => {
    const line = statusLine(status);
    process.stdout.write(process.stdout.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  },
};
const workers = number('workers', 1)!;
const scriptPath = values.script as string | undefined;

let report: FleetReport;
try {
  report =
    workers === 1
      ? await runFleet({ ...options, script: scriptPath === undefined ? undefined : await loadScript(scriptPath) })
      : await runFleetInWorkers({ ...options, script: scriptPath, workers });
} catch (error) {
  const { code, message } = error as { code?: string; message: string };
  // A bad option or script is the caller's to fix: said once, no stack trace.
  if (code === 'invalid_option' || code === 'invalid_url') fail(message);
  throw error;
}
const summary = summarize(report);
process.stdout.write(
  `\n${summary.connected}/${summary.bots} bots connected, ${summary.failed} failed, ${summary.closedOnce} closed exactly once; ` +
    `in ${summary.messagesIn} (${Math.round(summary.messagesInPerSecond)}/s), out ${summary.messagesOut} (${Math.round(summary.messagesOutPerSecond)}/s); ` +
    `rtt p50 ${summary.rttMs.p50} p95 ${summary.rttMs.p95} p99 ${summary.rttMs.p99} max ${summary.rttMs.max} ms; ` +
    `loop lag p99 ${summary.loopLagMs.p99} ms; errors: ${JSON.stringify(summary.errors)}\n`,
);
if (typeof values.json === 'string') writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
process.exitCode = summary.failed === 0 && summary.closedOnce === summary.bots ? 0 : 1;
