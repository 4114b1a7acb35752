/** Runs the wire recorder process for one run and collects what it saw. */
import { createSocket } from 'node:dgram';
import { firstValueFrom, filter, map, timeout } from 'rxjs';
import { decodePdu } from '@ims/codec';
import type { Backend } from '../backend/types.js';
import { WIRE_HOST } from '../backend/types.js';
import { recordPid } from '../backend/run-dir.js';
import type { WireRecord } from '../checks/wire.js';
import { NetsimError } from '../errors.js';
import { spawnProcess } from '../proc/host-process.js';
import { HELPER_MAINS, REPO_ROOT, nodeCommand } from '../proc/launch.js';
import type { WireSummary } from '../runner/result.js';
import { parseEventLine } from '../runner/host-manager.js';

/** How long the recorder may take to join the group, unless the run says. @default 20000 */
export const RECORDER_START_MS = 20_000;

/** A running recorder. */
export interface WireRecorder {
  /** The run's discovery port (the recorder picked it: a free one, so runs never meet). */
  readonly port: number;
  readonly records: WireRecord[];
  stop(): Promise<void>;
}

/**
 * Starts the recorder on the backend's wire host. `read` turns each datagram into what the checks
 * decode (in secure mode: opened and with host names for peer IDs, see secure/open-datagram.ts).
 */
export async function startRecorder(backend: Backend, runDir: string, t0: number, deadlineMs = RECORDER_START_MS, port = 0, read: (bytes: Uint8Array) => Uint8Array = (b) => b): Promise<WireRecorder> {
  const node = nodeCommand(HELPER_MAINS.recorder, ['--discovery-port', String(port), '--interface', backend.interfaceOf(WIRE_HOST)]);
  const line = backend.wrap(WIRE_HOST, node.cmd, node.args);
  const proc = await spawnProcess(line.cmd, line.args, { cwd: REPO_ROOT });
  await recordPid(runDir, proc.pid);
  const records: WireRecord[] = [];
  const events$ = proc.lines$.pipe(
    filter((l) => l.stream === 'stdout'),
    map((l) => parseEventLine(l.line)),
    filter((e) => e !== undefined),
  );
  const port$ = events$.pipe(
    filter((e) => e.event === 'listening'),
    map((e) => Number(e.data['port'])),
    timeout(deadlineMs),
  );
  const portPromise = firstValueFrom(port$);
  events$.subscribe((e) => {
    if (e.event !== 'datagram' || typeof e.data['hex'] !== 'string') return;
    records.push({ t: Number(e.data['t']) - t0, from: String(e.data['from']), bytes: read(Uint8Array.from(Buffer.from(e.data['hex'], 'hex'))) });
  });
  const errors: string[] = [];
  proc.lines$.subscribe((l) => {
    if (l.stream === 'stderr') errors.push(l.line);
  });
  let bound: number;
  try {
    bound = await portPromise;
  } catch (e) {
    proc.signal('SIGKILL');
    // A recorder that died says why on stderr; one that hangs only runs out of time.
    const exit = proc.exited() ? await proc.exit : undefined;
    const why = exit ? `exited (code ${String(exit.code)}, signal ${String(exit.signal)}) before it was listening${errors.length > 0 ? `: ${errors.slice(-3).join(' ')}` : ''}` : `did not start within ${deadlineMs} ms`;
    throw new NetsimError('HOST_FAILED', `the wire recorder ${why}`, { cause: e });
  }
  return {
    port: bound,
    records,
    async stop() {
      proc.signal('SIGTERM');
      await proc.exit;
    },
  };
}

/**
 * A free UDP port on loopback for a run's discovery, chosen before any process starts, so the
 * recorder and the first hosts can start together. (The recorder binds it with SO_REUSEADDR, as
 * every peer does: a run's group is told apart by its port.)
 */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

/** Decodes what was recorded: how many PDUs were valid and who announced which channels. */
export function summariseWire(records: readonly WireRecord[]): WireSummary {
  let decoded = 0;
  const announced: Record<string, Set<string>> = {};
  for (const r of records) {
    const d = decodePdu(r.bytes);
    if (!d.ok) continue;
    decoded += 1;
    for (const o of d.value.options) {
      if (o.type !== 'SERVER_CHANNELS') continue;
      const set = (announced[d.value.peerId] ??= new Set());
      for (const c of o.channels) set.add(c);
    }
  }
  return { datagrams: records.length, decoded, announced: Object.fromEntries(Object.entries(announced).map(([k, v]) => [k, [...v].sort()])) };
}
