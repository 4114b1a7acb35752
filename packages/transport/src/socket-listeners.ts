/**
 * One set of socket listeners for every TCP connection (EventEmitter calls them with the socket as
 * `this`) instead of five closures per connection: a server holds thousands of idle connections.
 */
import type { Socket } from 'node:net';

/** What the shared listeners call on the connection that owns a socket. */
export interface SocketOwner {
  onError(err: NodeJS.ErrnoException): void;
  onEnd(): void;
  handleSocketClose(): void;
  onData(chunk: Buffer): void;
  onDrain(): void;
}

/** The owner behind a socket, for the shared listeners below. */
const kOwner = Symbol('ims.connection');
type OwnedSocket = Socket & { [kOwner]?: SocketOwner };

function onSocketError(this: OwnedSocket, err: NodeJS.ErrnoException): void {
  this[kOwner]?.onError(err);
}
function onSocketEnd(this: OwnedSocket): void {
  this[kOwner]?.onEnd();
}
function onSocketClose(this: OwnedSocket): void {
  this[kOwner]?.handleSocketClose();
}
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[kOwner]?.onData(chunk);
}
function onSocketDrain(this: OwnedSocket): void {
  this[kOwner]?.onDrain();
}

/** Makes `owner` the socket's owner and listens for its error, end and close. */
export function ownSocket(socket: Socket, owner: SocketOwner): void {
  (socket as OwnedSocket)[kOwner] = owner;
  socket.on('error', onSocketError);
  socket.on('end', onSocketEnd);
  socket.on('close', onSocketClose);
}

/** Starts delivering the socket's data to its owner. */
export function listenData(socket: Socket): void {
  socket.on('data', onSocketData);
}

/** Tells the owner once when the socket drains. */
export function onceDrain(socket: Socket): void {
  socket.once('drain', onSocketDrain);
}
