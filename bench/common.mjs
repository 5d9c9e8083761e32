// What bench/worker.mjs (Node) and bench/runtime-worker.mjs (Bun, Deno) share: the client side
// of workloads 1 and 3. `conn` is { send(data), onMessage(cb) }; the server is bench/server.mjs.

/** Ask /stream for `count` binary messages of `size` bytes; resolve when all arrived (checks order by `indexOf`). */
export function streamOnce(conn, count, size, indexOf) {
  return new Promise((resolve) => {
    let received = 0;
    let lost = 0;
    conn.onMessage((data) => {
      if (typeof data === 'string') {
        if (data === 'done') resolve({ received, lost: lost + (count - received) });
        return;
      }
      if (indexOf(data) !== received) lost++;
      received++;
    });
    conn.send(JSON.stringify({ cmd: 'stream', count, size }));
  });
}

/** Send `count` 64 B messages to /echo (<= 8192 in flight, 256 per macrotask); resolve with the echoes counted. */
export async function echoRun(conn, count) {
  const payload = new Uint8Array(64).fill(1);
  let sent = 0;
  let received = 0;
  await new Promise((resolve) => {
    conn.onMessage(() => {
      if (++received === count) resolve();
    });
    const sendSome = () => {
      for (let i = 0; i < 256 && sent < count && sent - received < 8192; i++, sent++) conn.send(payload);
      if (sent < count) setImmediate(sendSome);
    };
    sendSome();
  });
  return received;
}
