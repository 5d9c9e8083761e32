// `ticksocket/bots` (Node): bot fleets for load-testing a game server, and their reports.

export type { Bot, BotScript, FleetOptions, FleetReport, FleetStatus } from './fleet.js';
export { runFleet } from './fleet.js';
export type { FleetSummary, Percentiles } from './report.js';
export { statusLine, summarize } from './report.js';
export { loadScript } from './script.js';
export { onStopSignal } from './stop-signal.js';
export type { WorkerFleetOptions } from './workers.js';
export { mergeReports, runFleetInWorkers } from './workers.js';
