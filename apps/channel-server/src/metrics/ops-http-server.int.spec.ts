import { afterEach, describe, expect, it } from 'vitest';
import { startOpsHttpServer, type OpsHttpServer } from './ops-http-server.js';

describe('ops HTTP server', () => {
  let server: OpsHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves metrics text, health JSON and 404 on loopback', async () => {
    let healthy = true;
    server = await startOpsHttpServer({ port: 0, metrics: () => 'm 1\n', health: () => ({ ok: healthy, id: 'x' }) });
    const base = `http://127.0.0.1:${server.port}`;
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toBe('m 1\n');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, id: 'x' });
    healthy = false;
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('rejects a port already in use', async () => {
    server = await startOpsHttpServer({ port: 0, metrics: () => '', health: () => ({ ok: true }) });
    await expect(startOpsHttpServer({ port: server.port, metrics: () => '', health: () => ({ ok: true }) })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
