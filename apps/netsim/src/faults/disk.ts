/**
 * A full disk under a server's data dir: the dir is a small tmpfs of its own (mounted before the
 * server first starts, root only), which `diskFull` fills with a ballast file to the last byte and
 * `diskFree` empties again. Slow disks are not offered: dm-delay needs device-mapper (absent here)
 * and cgroup v1 blkio throttling does not reach buffered writes.
 */
import { execFile } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NetsimError } from '../errors.js';

const exec = promisify(execFile);
/** Size of a data dir that can fill up. @default '8m' */
export const SMALL_DISK_SIZE = '8m';
const BALLAST = '.netsim-ballast';

/** Why a data dir cannot be made to fill up here, or undefined. */
export function diskFaultUnavailableReason(): string | undefined {
  return process.getuid?.() === 0 ? undefined : 'a full disk needs root (the data dir is a tmpfs mount of its own)';
}

/** Mounts a small tmpfs on `dir` (an existing, empty folder). */
export async function mountSmallDisk(dir: string): Promise<void> {
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_DISK_SIZE},mode=0700`, 'tmpfs', dir]);
  } catch (e) {
    throw new NetsimError('BACKEND_COMMAND', `cannot mount a tmpfs on ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/** Unmounts `dir` (lazily: a process that still has a file open there does not keep it). */
export async function unmountSmallDisk(dir: string): Promise<void> {
  await exec('umount', ['-l', dir]).catch((e: unknown) => process.stderr.write(`netsim: umount ${dir}: ${(e as Error).message}\n`));
}

/** Fills the file system under `dir` to the last byte; resolves with the bytes written. */
export async function fillDisk(dir: string): Promise<number> {
  const f = await open(join(dir, BALLAST), 'a');
  let written = 0;
  try {
    // Big blocks first, then ever smaller ones, until not even one byte fits.
    for (let size = 1 << 20; size >= 1; size >>= 2) {
      const block = Buffer.alloc(size);
      for (;;) {
        try {
          await f.write(block);
          written += size;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    await f.close().catch(() => undefined);
  }
  return written;
}

/** Removes the ballast again. */
export async function freeDisk(dir: string): Promise<void> {
  await rm(join(dir, BALLAST), { force: true });
}

/** Mount points under a dead run's scratch folder, from /proc/mounts (for the sweep). */
export async function mountsUnder(prefix: string): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  return mounts.split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(prefix));
}
