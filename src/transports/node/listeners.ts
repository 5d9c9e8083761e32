/**
 * `ws`'s events, handed to the transport that owns the socket. The listeners are module-level
 * functions that find their owner through a symbol (as `ws` does), so a connection makes no
 * closure per event; they only pass `ws`'s data on.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type WsWebSocket from 'ws';
import type { HeartbeatSink, TransportSink } from '../../transport.js';

/** What the listeners need of the transport. */
export interface WsOwner {
  readonly sink: TransportSink;
  readonly heartbeat: HeartbeatSink | undefined;
  /** When the TCP read now being parsed arrived. */
  readonly readTime: number;
  upgraded(res: IncomingMessage): void;
  opened(ws: WsWebSocket): void;
  refused(res: IncomingMessage): void;
  failed(error: Error & { code?: string }): void;
  pinged(ws: WsWebSocket): void;
  ended(code: number, reason: string): void;
}

const kOwner = Symbol('ticksocket.transport');

type OwnedWs = WsWebSocket & { [kOwner]: WsOwner };
/** The listeners below are called with `this` = the `ws` socket, which carries its owner. */
function ownerOf(ws: WsWebSocket): WsOwner {
  return (ws as OwnedWs)[kOwner];
}

/**
 * Attach `owner` to `ws` and listen. `messages`: take data from `ws`'s `message` events (where
 * the receiver cannot be hooked); `pongs`: a heartbeat times the pongs.
 */
export function listen(ws: WsWebSocket, owner: WsOwner, messages: boolean, pongs: boolean): void {
  (ws as OwnedWs)[kOwner] = owner;
  ws.on('upgrade', onUpgrade);
  ws.on('open', onOpen);
  if (messages) ws.on('message', onMessage);
  ws.on('unexpected-response', onUnexpectedResponse);
  ws.on('error', onError);
  ws.on('close', onClose);
  ws.on('ping', onPing);
  if (pongs) ws.on('pong', onPong);
}

function onUpgrade(this: WsWebSocket, res: IncomingMessage): void {
  ownerOf(this).upgraded(res);
}

function onOpen(this: WsWebSocket): void {
  ownerOf(this).opened(this);
}

/** The event path, used only where the receiver cannot be hooked. */
function onMessage(this: WsWebSocket, data: Buffer, isBinary: boolean): void {
  const owner = ownerOf(this);
  // Text stays bytes until a handler wants it: ws has already validated the UTF-8.
  if (isBinary) owner.sink.binary(data, owner.readTime);
  else owner.sink.text(data, owner.readTime);
}

function onPing(this: WsWebSocket): void {
  ownerOf(this).pinged(this);
}

function onPong(this: WsWebSocket, data: Buffer): void {
  const owner = ownerOf(this);
  // Our pings carry their send time; the heartbeat times only pongs of pings it sent.
  if (data.length === 8) owner.heartbeat?.pong(data.readDoubleLE(0), owner.readTime);
}

function onUnexpectedResponse(this: WsWebSocket, _request: ClientRequest, res: IncomingMessage): void {
  ownerOf(this).refused(res);
}

function onError(this: WsWebSocket, error: Error & { code?: string }): void {
  ownerOf(this).failed(error);
}

function onClose(this: WsWebSocket, code: number, reason: Buffer): void {
  ownerOf(this).ended(code, reason.toString());
}
