/** A fleet report as a server team reads it: a line, and JSON with round trips in ms. */
import type { RecordableHistogram } from 'node:perf_hooks';
import type { FleetReport, FleetStatus } from './fleet.js';

/** Percentiles of a µs histogram, in ms. */
export interface Percentiles {
  /** Samples. */
  count: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** The largest. */
  max: number;
  /** The mean. */
  mean: number;
}

/** The report with its histograms read out (what `--json` writes). */
export interface FleetSummary extends Omit<FleetReport, 'rtt' | 'loopLag'> {
  /** Messages received per second over the run. */
  messagesInPerSecond: number;
  /** Messages sent per second over the run. */
  messagesOutPerSecond: number;
  /** Round trips, in ms. */
  rttMs: Percentiles;
  /** This process's event-loop lag, in ms. */
  loopLagMs: Percentiles;
}

function percentiles(histogram: RecordableHistogram): Percentiles {
  if (histogram.count === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: histogram.count,
    p50: ms(histogram.percentile(50)),
    p95: ms(histogram.percentile(95)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    mean: ms(histogram.mean),
  };
}

/** The report with its histograms read out in ms (what `--json` writes). */
export function summarize(report: FleetReport): FleetSummary {
  const { rtt, loopLag, ...counts } = report;
  return {
    ...counts,
    messagesInPerSecond: report.messagesIn / report.seconds,
    messagesOutPerSecond: report.messagesOut / report.seconds,
    rttMs: percentiles(rtt),
    loopLagMs: percentiles(loopLag),
  };
}

/** The live line the CLI prints once a second. */
export function statusLine(status: FleetStatus): string {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  return `bots ${n(status.open)}/${n(status.bots)} open | in ${n(status.inPerSecond)} msg/s | out ${n(status.outPerSecond)} msg/s | rtt p50 ${status.rttP50.toFixed(2)} p99 ${status.rttP99.toFixed(2)} ms | loop lag p99 ${status.loopLagP99.toFixed(1)} ms`;
}
