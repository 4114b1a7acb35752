/** Dials a TCP endpoint and wraps the socket as a framed connection. */
import { connect } from 'node:net';
import type { Connection } from './connection.js';
import { wrapSocket } from './tcp-connection.js';
import { TRANSPORT_DEFAULTS } from './limits.js';
import { TransportError } from './transport-error.js';
import type { DialOptions } from './transport.js';

/** Connects (from `localAddress` when given); rejects with TransportError CONNECTION_REFUSED (nothing listens), CONNECT_TIMEOUT or CONNECT_FAILED (also: `localAddress` is not ours). */
export function dialTcp<T>(options: DialOptions<T>): Promise<Connection<T>> {
  const timeoutMs = options.connectTimeoutMs ?? TRANSPORT_DEFAULTS.connectTimeoutMs;
  return new Promise((resolve, reject) => {
    const local = options.localAddress === undefined ? {} : { localAddress: options.localAddress };
    const socket = connect({ host: options.host, port: options.port, ...local, allowHalfOpen: true });
    const where = `${options.host}:${options.port}`;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError('CONNECT_TIMEOUT', `connect to ${where} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (err: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      const code = err.code === 'ECONNREFUSED' ? 'CONNECTION_REFUSED' : 'CONNECT_FAILED';
      reject(new TransportError(code, `connect to ${where} failed (${err.code ?? err.message})`, { cause: err }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      // wrapSocket installs the permanent 'error' listener before any further event can fire.
      resolve(wrapSocket(socket, { ...options, idleTimeoutMs: options.idleTimeoutMs ?? 0 }));
    });
  });
}
