// A fault server: a correct RFC 6455 handshake done by hand on a raw node:net socket, then
// whatever bytes a test scripts, so that every fault a client can meet is produced for real.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';

export interface FaultServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface HandshakeScript {
  /** Status line (default `101 Switching Protocols`). */
  status?: string;
  /** Replace the computed Sec-WebSocket-Accept (e.g. a wrong one). */
  accept?: string;
  /** Extra header lines. */
  headers?: readonly string[];
  /** Body after the headers (for refusals). */
  body?: string;
  /** Never answer the upgrade at all. */
  silent?: boolean;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const open = new Set<FaultServer>();

/** Start a fault server: `script(socket)` runs after the handshake is written. */
export async function startFaultServer(
  script: (socket: Socket) => void,
  handshake: HandshakeScript = {},
): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let request = '';
    const onData = (chunk: Buffer) => {
      request += chunk.toString('latin1');
      const end = request.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (handshake.silent) return;
      const key = /sec-websocket-key:\s*(\S+)/i.exec(request)?.[1] ?? '';
      const accept =
        handshake.accept ??
        createHash('sha1')
          .update(key + GUID)
          .digest('base64');
      const status = handshake.status ?? '101 Switching Protocols';
      const lines = [`HTTP/1.1 ${status}`];
      if (status.startsWith('101'))
        lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`);
      lines.push(...(handshake.headers ?? []));
      if (handshake.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(handshake.body)}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n${handshake.body ?? ''}`);
      if (status.startsWith('101')) script(socket);
      else socket.end();
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fault: FaultServer = {
    url: `ws://127.0.0.1:${port}/`,
    port,
    async close() {
      open.delete(fault);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  open.add(fault);
  return fault;
}

export async function closeFaultServers(): Promise<void> {
  await Promise.all([...open].map((server) => server.close()));
}

/** An unmasked server frame. `b0` is FIN/RSV/opcode; `masked` sets the mask bit (forbidden). */
export function frame(b0: number, payload: Buffer | string = Buffer.alloc(0), { masked = false } = {}): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const mask = masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0);
  let header: Buffer;
  if (data.length < 126) header = Buffer.from([b0, (masked ? 0x80 : 0) | data.length]);
  else if (data.length < 65536) {
    header = Buffer.from([b0, (masked ? 0x80 : 0) | 126, 0, 0]);
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = b0;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const body = masked ? Buffer.from(data.map((byte, i) => byte ^ mask[i % 4]!)) : data;
  return Buffer.concat([header, mask, body]);
}

export const text = (message: string): Buffer => frame(0x81, message);

/** A close frame; `code` undefined: no body; a Buffer: that raw body. */
export function closeFrame(code?: number | Buffer, reason = ''): Buffer {
  if (code === undefined) return frame(0x88);
  if (Buffer.isBuffer(code)) return frame(0x88, code);
  const body = Buffer.alloc(2 + Buffer.byteLength(reason));
  body.writeUInt16BE(code, 0);
  body.write(reason, 2);
  return frame(0x88, body);
}

/** Call `onFrame` with each frame the client sends (client frames are masked), across reads. */
export function onClientFrames(socket: Socket, onFrame: (opcode: number, payload: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      let length = pending[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        at = 10;
      }
      if (pending.length < at + 4 + length) return;
      const mask = pending.subarray(at, at + 4);
      const payload = Buffer.from(pending.subarray(at + 4, at + 4 + length).map((byte, i) => byte ^ mask[i % 4]!));
      onFrame(pending[0]! & 0x0f, payload);
      pending = pending.subarray(at + 4 + length);
    }
  });
}

/**
 * A server whose every write is a whole 1-byte binary message followed by 60 KB of unsolicited
 * pongs, one write a millisecond, so that each arrives as a read of its own that the message
 * would pin; after `count` writes, `end()` (or nothing) follows. `written()` says how many went.
 */
export async function startPinningServer(
  count: number,
  end?: Buffer,
): Promise<{ server: FaultServer; written: () => number }> {
  const pongs = Buffer.concat(Array.from({ length: 480 }, () => frame(0x8a, Buffer.alloc(125, 7))));
  let written = 0;
  const server = await startFaultServer((socket) => {
    const write = (): void => {
      if (socket.destroyed) return;
      if (written === count) {
        if (end !== undefined) socket.end(end);
        return;
      }
      written++;
      if (socket.write(Buffer.concat([frame(0x82, Buffer.from([written & 0xff])), pongs]))) setTimeout(write, 1);
      else socket.once('drain', write);
    };
    write();
  });
  return { server, written: () => written };
}
