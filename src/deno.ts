// The Deno entry point (`exports` condition "deno"): the Node entry, whose transport is `ws` over
// Deno's Node compatibility. Measured against Deno's own WebSocket (bench/RESULTS.md), it
// receives about 3x as many small messages per second, and it pauses reading under
// backpressure, sends protocol pings and sees fragments, which the native one cannot.
// `createRuntimeTransport` is here for a game that wants the native one anyway.

export * from './node.js';
export type { RuntimeTransportOptions } from './transports/runtime.js';
export { createRuntimeTransport } from './transports/runtime.js';
