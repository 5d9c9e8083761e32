// artillery-engine-ticksocket: Artillery virtual users that are ticksocket clients. Every VU's
// socket joins one SocketManager pumped by one timer, as a game's bots would be; a scenario's
// flow is made of these steps (see README.md):
//   - connect: <url> | { target, headers, pingInterval, network }
//   - loop: { hz, duration, send: <template> | function: <processor function> }
//   - send: <template>            - think: <seconds>            - close: { code, reason }
// Metrics: ticksocket.connected, .messages_sent, .messages_received, .closed, .errors.<code>
// (counters), ticksocket.rtt (histogram, ms: the socket's smoothed round trip from ping frames).
import { SocketManager, WebSocket } from 'ticksocket';

const PUMP_MS = 5;

export default class TicksocketEngine {
  constructor(script, _ee, helpers) {
    this.config = script.config;
    this.helpers = helpers;
    this.manager = new SocketManager();
    this.active = 0;
    this.pump = undefined;
  }

  createScenario(spec, ee) {
    const steps = (spec.flow ?? []).map((step) => this.step(step, ee));
    return (initialContext, callback) => {
      ee.emit('started');
      this.run(steps, { ...initialContext, vars: initialContext.vars ?? {} }, ee).then(
        (context) => callback(null, context),
        (error) => {
          ee.emit('error', error?.code ?? error?.message ?? String(error));
          callback(error, initialContext);
        },
      );
    };
  }

  async run(steps, context, ee) {
    this.started();
    try {
      for (const step of steps) await step(context);
      return context;
    } finally {
      await this.closeVu(context, ee);
      this.stopped();
    }
  }

  /** One pump for every VU: handlers run in its update(), in arrival order. */
  started() {
    if (this.active++ === 0) this.pump = setInterval(() => this.manager.update(), PUMP_MS);
  }

  stopped() {
    if (--this.active === 0) clearInterval(this.pump);
  }

  step(spec, ee) {
    if (spec.connect !== undefined) return (context) => this.connect(spec.connect, context, ee);
    if (spec.loop !== undefined && !Array.isArray(spec.loop)) return (context) => this.loop(spec.loop, context, ee);
    if (spec.send !== undefined) return async (context) => this.send(this.payload(spec.send, context), context, ee);
    if (spec.think !== undefined) {
      return (context) =>
        new Promise((resolve) => setTimeout(resolve, Number(this.helpers.template(spec.think, context)) * 1000));
    }
    if (spec.close !== undefined) return (context) => this.closeVu(context, ee, spec.close);
    if (spec.function !== undefined) {
      return async (context) => {
        const fn = this.processorFunction(spec.function);
        await new Promise((resolve, reject) => {
          const result = fn(context, ee, (error) => (error ? reject(error) : resolve()));
          if (result?.then) result.then(resolve, reject);
        });
      };
    }
    throw new Error(
      `ticksocket engine: unknown step ${JSON.stringify(spec)}: use connect, loop, send, think, close or function.`,
    );
  }

  connect(spec, context, ee) {
    const options = typeof spec === 'string' ? { target: spec } : spec;
    const target = this.helpers.template(options.target ?? this.config.target, context);
    const socket = new WebSocket(target, {
      manager: this.manager,
      headers: options.headers,
      pingInterval: options.pingInterval ?? 500,
      network: options.network,
    });
    context.ticksocket = { socket, closed: false };
    socket.on('message', () => ee.emit('counter', 'ticksocket.messages_received', 1));
    socket.on('binary', () => ee.emit('counter', 'ticksocket.messages_received', 1));
    socket.on('error', (_s, error) => ee.emit('counter', `ticksocket.errors.${error.code}`, 1));
    return new Promise((resolve, reject) => {
      socket.on('open', () => {
        ee.emit('counter', 'ticksocket.connected', 1);
        resolve();
      });
      socket.on('closed', (_s, code) => {
        context.ticksocket.closed = true;
        ee.emit('counter', 'ticksocket.closed', 1);
        reject(Object.assign(new Error(`connection closed (${code}) before it opened`), { code: 'connection_closed' }));
      });
      socket.open();
    });
  }

  /** Send at `hz` for `duration` seconds, from the fleet's pump (a send a step, as a game client would). */
  loop(spec, context, ee) {
    const hz = Number(spec.hz ?? 20);
    const duration = Number(spec.duration ?? 10) * 1000;
    return new Promise((resolve) => {
      const startedAt = performance.now();
      const timer = setInterval(() => {
        const state = context.ticksocket;
        // The loop ends with its duration, or with the connection (the server may close it).
        if (state === undefined || !state.socket.isOpen || performance.now() - startedAt >= duration) {
          clearInterval(timer);
          if (state?.socket.latency > 0) ee.emit('histogram', 'ticksocket.rtt', state.socket.latency);
          resolve();
          return;
        }
        const payload =
          spec.function !== undefined
            ? this.processorFunction(spec.function)(context, ee)
            : this.payload(spec.send, context);
        this.send(payload, context, ee);
      }, 1000 / hz);
    });
  }

  payload(template, context) {
    const value = this.helpers.template(template, context);
    return typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value);
  }

  send(payload, context, ee) {
    const socket = context.ticksocket?.socket;
    if (socket === undefined || !socket.isOpen)
      throw new Error('ticksocket engine: send before connect (or after close)');
    socket.send(payload);
    ee.emit('counter', 'ticksocket.messages_sent', 1);
  }

  processorFunction(name) {
    const fn = this.config.processor?.[name];
    if (typeof fn !== 'function') throw new Error(`ticksocket engine: the processor has no function ${name}`);
    return fn;
  }

  async closeVu(context, ee, spec = {}) {
    const state = context.ticksocket;
    if (state === undefined || state.closed) return;
    const { socket } = state;
    if (socket.latency > 0) ee.emit('histogram', 'ticksocket.rtt', socket.latency);
    socket.close(spec.code ?? 1000, spec.reason ?? '');
    while (!state.closed) await new Promise((resolve) => setTimeout(resolve, PUMP_MS));
  }
}
