/**
 * Operators' HTTP endpoint: `/healthz` (JSON) and `/metrics` (Prometheus text). It binds to
 * 127.0.0.1 only: metrics name peers and channels, which stay on the box.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The JSON of `/healthz`. */
export type HealthBody = { readonly ok: boolean } & Record<string, unknown>;

/** Options of {@link startOpsHttpServer}. */
export interface OpsHttpServerOptions {
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Body of `/metrics` (a promise: a `--workers` primary asks its workers first). */
  readonly metrics: () => string | Promise<string>;
  /** Body of `/healthz`; `ok: false` answers 503. */
  readonly health: () => HealthBody | Promise<HealthBody>;
}

/** A running ops server. */
export interface OpsHttpServer {
  /** The port actually bound. */
  readonly port: number;
  /** Stop listening and end open keep-alive connections. */
  close(): Promise<void>;
}

/** Start the ops HTTP server; resolves once it listens. */
export async function startOpsHttpServer(options: OpsHttpServerOptions): Promise<OpsHttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      void Promise.resolve()
        .then(options.metrics)
        .then(
          (body) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
        );
    } else if (path === '/healthz') {
      void Promise.resolve()
        .then(options.health)
        .then(
          (h) => res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h) + '\n'),
          (err: unknown) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: String(err) }) + '\n'),
        );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
