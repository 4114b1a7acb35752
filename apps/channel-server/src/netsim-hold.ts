/**
 * Test hook for netsim's warm starts, inert unless IMS_NETSIM_HOLD_FD is set (only netsim sets
 * it): the process has loaded its modules and waits until netsim writes to that pipe, so netsim
 * can start it ahead of the scenario step that starts it. When the pipe closes without a byte
 * (netsim went away), the process exits instead of running unsupervised.
 */
import { Socket } from 'node:net';

/** Resolves at once, or (under netsim) once netsim says go. */
export function netsimHold(): Promise<void> {
  const fd = Number(process.env['IMS_NETSIM_HOLD_FD']);
  delete process.env['IMS_NETSIM_HOLD_FD'];
  if (!Number.isInteger(fd) || fd < 3) return Promise.resolve();
  return new Promise((resolve) => {
    const pipe = new Socket({ fd, readable: true, writable: false });
    pipe.once('data', () => {
      pipe.destroy();
      resolve();
    });
    pipe.once('end', () => process.exit(0));
    pipe.once('error', () => process.exit(0));
  });
}
