/**
 * A fleet over `worker_threads`: each worker runs its share of the bots on its own manager and
 * fixed-step loop; their reports merge (counts add up, HDR histograms add exactly).
 */
import { createHistogram } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError, quote } from '../errors.js';
import type { FleetOptions, FleetReport, FleetStatus } from './fleet.js';
import { checkFleetOptions } from './options.js';

/** A fleet whose script is a module, so that every worker can load it. */
export interface WorkerFleetOptions extends Omit<FleetOptions, 'script' | 'firstIndex'> {
  /** The script module's path or URL (exporting `setup` / `tick`, or a default object of them). */
  script?: string;
  /** Worker threads to spread the bots over (default 1). */
  workers?: number;
}

/** Run `bots` over `workers` threads; resolves with the merged report. */
export async function runFleetInWorkers(options: WorkerFleetOptions): Promise<FleetReport> {
  const { workers = 1, onStatus, signal, ...rest } = options; // a signal cannot cross to a worker: 'stop' does
  checkFleetOptions({ ...rest, signal, script: undefined });
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new InvalidOptionError(`workers must be a whole number from 1 to 64, got ${quote(workers)}.`);
  }
  const statuses: (FleetStatus | undefined)[] = new Array(workers);
  const shares = Array.from(
    { length: workers },
    (_, i) => Math.floor(rest.bots / workers) + (i < rest.bots % workers ? 1 : 0),
  );
  let first = 0;
  const started: Worker[] = [];
  const stopAll = (): void => {
    for (const worker of started) worker.postMessage('stop');
  };
  signal?.addEventListener('abort', stopAll, { once: true });
  const runs = shares.map((bots, i) => {
    const firstIndex = first;
    first += bots;
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { ...rest, bots, firstIndex },
    });
    started.push(worker);
    if (signal?.aborted === true) worker.postMessage('stop');
    return new Promise<FleetReport>((resolve, reject) => {
      worker.on('message', (message: { status?: FleetStatus; report?: FleetReport; error?: string }) => {
        if (message.status !== undefined) {
          statuses[i] = message.status;
          if (i === 0 && onStatus !== undefined) onStatus(mergeStatuses(statuses));
        } else if (message.report !== undefined) resolve(message.report);
        else if (message.error !== undefined) reject(new Error(message.error));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`a bot worker exited with ${code}`));
      });
    });
  });
  try {
    return mergeReports(await Promise.all(runs));
  } finally {
    signal?.removeEventListener('abort', stopAll);
  }
}

function mergeStatuses(statuses: readonly (FleetStatus | undefined)[]): FleetStatus {
  const known = statuses.filter((status): status is FleetStatus => status !== undefined);
  const sum = (key: keyof FleetStatus) => known.reduce((total, status) => total + status[key], 0);
  const max = (key: keyof FleetStatus) => Math.max(0, ...known.map((status) => status[key]));
  return {
    open: sum('open'),
    bots: sum('bots'),
    inPerSecond: sum('inPerSecond'),
    outPerSecond: sum('outPerSecond'),
    rttP50: max('rttP50'), // the worst worker's: percentiles of a whole are not sums of parts
    rttP99: max('rttP99'),
    loopLagP99: max('loopLagP99'),
  };
}

/** Reports of several processes as one: counts add up, histograms add, the run lasts the longest one. */
export function mergeReports(reports: readonly FleetReport[]): FleetReport {
  const rtt = createHistogram();
  const loopLag = createHistogram();
  const errors: Record<string, number> = {};
  for (const report of reports) {
    if (report.rtt.count > 0) rtt.add(report.rtt);
    if (report.loopLag.count > 0) loopLag.add(report.loopLag);
    for (const [code, count] of Object.entries(report.errors)) errors[code] = (errors[code] ?? 0) + count;
  }
  const sum = (key: 'bots' | 'connected' | 'failed' | 'closedOnce' | 'messagesIn' | 'messagesOut') =>
    reports.reduce((total, report) => total + report[key], 0);
  return {
    bots: sum('bots'),
    connected: sum('connected'),
    failed: sum('failed'),
    closedOnce: sum('closedOnce'),
    messagesIn: sum('messagesIn'),
    messagesOut: sum('messagesOut'),
    seconds: Math.max(0, ...reports.map((report) => report.seconds)),
    errors,
    rtt,
    loopLag,
  };
}
