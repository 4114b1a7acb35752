/**
 * The primary's worker processes (README "Workers"): forks them (child_process.fork, an IPC
 * channel with structured-clone serialization), hands them sockets, asks them for stats, restarts
 * one that exits unasked (after a delay that grows while it keeps dying young), stops them all.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@ims/app-kit';
import type { WorkerSample } from './aggregate.js';
import type { FromWorker, ToWorker } from './ipc-messages.js';

/** The worker entry beside this file: sources under tsx, the build under node. */
const WORKER_MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker-main.ts' : './worker-main.js', import.meta.url));

/** A worker that exits sooner than this after its start counts as dying young. */
const YOUNG_MS = 10_000;
/** Restart delays while a worker keeps dying young: doubling from the first to the last. */
const RESTART_MIN_MS = 100;
const RESTART_MAX_MS = 5_000;

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** How many workers. */
  readonly workers: number;
  /** The `init` message of worker `index`. */
  readonly init: (index: number) => Extract<ToWorker, { t: 'init' }>;
  readonly logger: Logger;
  /** Every message of a worker but `stats` answers and `stopped`. */
  readonly onMessage: (index: number, msg: FromWorker) => void;
  /** Worker `index` is serving (at start and after each restart). */
  readonly onReady: (index: number) => void;
  /** Worker `index` exited unasked; `addresses` are the sources of the connections it held (one entry each). */
  readonly onLost: (index: number, addresses: readonly string[]) => void;
  /** A connection from `address` could not be handed over (its worker died meanwhile) and was dropped. */
  readonly onDropped: (address: string) => void;
}

/** One worker's state as /healthz shows it. */
export interface WorkerInfo {
  readonly index: number;
  readonly pid: number | undefined;
  readonly ready: boolean;
  readonly restarts: number;
}

class Slot {
  child: ChildProcess | undefined;
  ready = false;
  restarts = 0;
  youngDeaths = 0;
  startedAt = 0;
  /** Sockets for this worker while it is not ready. */
  readonly queue: { readonly msg: ToWorker; readonly socket: Socket; readonly address: string }[] = [];
  /** Sources of the connections handed to it and not released yet, with their counts. */
  readonly held = new Map<string, number>();
  readonly stats = new Map<number, (s: WorkerSample | undefined) => void>();
  stopped: (() => void) | undefined;

  constructor(readonly index: number) {}

  hold(address: string, delta: number): void {
    const n = (this.held.get(address) ?? 0) + delta;
    if (n <= 0) this.held.delete(address);
    else this.held.set(address, n);
  }
}

/** The workers of one primary. */
export class WorkerPool {
  private readonly slots: Slot[];
  private stopping = false;
  private nextReq = 1;

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.workers }, (_, i) => new Slot(i));
  }

  /** Forks every worker; resolves once all serve, rejects if one exits before (a start-up failure). */
  start(): Promise<void> {
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            const child = this.spawn(slot);
            child.once('exit', (code, signal) => {
              if (!slot.ready) reject(new Error(`worker ${slot.index} exited (${code ?? signal}) before serving`));
            });
            const onReady = (m: FromWorker): void => {
              if (m.t !== 'ready') return;
              child.off('message', onReady);
              resolve();
            };
            child.on('message', onReady);
          }),
      ),
    ).then(() => undefined);
  }

  private spawn(slot: Slot): ChildProcess {
    const child = fork(WORKER_MAIN, [], { execArgv: process.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    slot.child = child;
    slot.ready = false;
    slot.startedAt = Date.now();
    child.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    child.on('error', (err) => this.options.logger.warn('worker.ipc_error', { worker: slot.index, err }));
    child.once('exit', (code, signal) => this.onExit(slot, child, code, signal));
    child.send(this.options.init(slot.index));
    return child;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    switch (msg.t) {
      case 'ready':
        slot.ready = true;
        if (slot.restarts > 0) this.options.logger.info('worker.restarted', { worker: slot.index, pid: slot.child?.pid, restarts: slot.restarts });
        this.options.onReady(slot.index);
        for (const q of slot.queue.splice(0)) this.send(slot, q.msg, q.socket, q.address);
        return;
      case 'stats':
        slot.stats.get(msg.req)?.(msg.sample);
        slot.stats.delete(msg.req);
        return;
      case 'stopped':
        return slot.stopped?.();
      case 'released':
        slot.hold(msg.address, -1);
        return this.options.onMessage(slot.index, msg);
      default:
        return this.options.onMessage(slot.index, msg);
    }
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.child = undefined;
    slot.ready = false;
    for (const done of slot.stats.values()) done(undefined);
    slot.stats.clear();
    slot.stopped?.();
    if (this.stopping) return;
    const addresses = [...slot.held].flatMap(([address, n]) => Array<string>(n).fill(address));
    slot.held.clear();
    this.options.onLost(slot.index, addresses);
    slot.youngDeaths = Date.now() - slot.startedAt < YOUNG_MS ? slot.youngDeaths + 1 : 0;
    const delayMs = slot.youngDeaths === 0 ? 0 : Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (slot.youngDeaths - 1));
    this.options.logger.error('worker.exited', { worker: slot.index, pid: child.pid, code, signal, connections: addresses.length, restartInMs: delayMs });
    setTimeout(() => {
      if (this.stopping) return;
      slot.restarts++;
      this.spawn(slot);
    }, delayMs).unref();
  }

  /** Hands a connection to worker `index` (queued while it is not ready); `address` is its source, for `onLost`. */
  hand(index: number, socket: Socket, head: Uint8Array, routed: boolean, address: string): void {
    const slot = this.slots[index];
    if (slot === undefined) throw new Error(`no worker ${index}`);
    const msg: ToWorker = { t: 'conn', head, routed };
    if (slot.ready && slot.child) this.send(slot, msg, socket, address);
    else slot.queue.push({ msg, socket, address });
  }

  private send(slot: Slot, msg: ToWorker, socket: Socket, address: string): void {
    const child = slot.child;
    if (child === undefined || !child.connected) {
      slot.queue.push({ msg, socket, address });
      return;
    }
    slot.hold(address, 1);
    child.send(msg, socket, {}, (err) => {
      if (err === null) return;
      // The worker died meanwhile: the socket is gone with the message (the member reconnects).
      this.options.logger.warn('worker.handoff_failed', { worker: slot.index, err });
      socket.destroy();
      if (slot.child !== child) return; // onExit already gave back everything the dead worker held
      slot.hold(address, -1);
      this.options.onDropped(address);
    });
  }

  /** Sends `msg` to every serving worker. */
  broadcast(msg: ToWorker): void {
    for (const slot of this.slots) if (slot.ready && slot.child?.connected) slot.child.send(msg);
  }

  /** Every worker's sample (undefined for one not serving or not answering within `timeoutMs`), by index. */
  stats(timeoutMs = 1_000): Promise<(WorkerSample | undefined)[]> {
    return Promise.all(
      this.slots.map((slot) => {
        const child = slot.child;
        if (!slot.ready || child === undefined || !child.connected) return Promise.resolve(undefined);
        const req = this.nextReq++;
        return new Promise<WorkerSample | undefined>((resolve) => {
          const timer = setTimeout(() => {
            slot.stats.delete(req);
            resolve(undefined);
          }, timeoutMs);
          slot.stats.set(req, (s) => {
            clearTimeout(timer);
            resolve(s);
          });
          child.send({ t: 'stats', req });
        });
      }),
    );
  }

  /** Each worker's state. */
  info(): WorkerInfo[] {
    return this.slots.map((s) => ({ index: s.index, pid: s.child?.pid, ready: s.ready, restarts: s.restarts }));
  }

  /** Asks every worker to stop gracefully; resolves once each answered `stopped` or exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map((slot) => {
        for (const q of slot.queue.splice(0)) q.socket.destroy();
        const child = slot.child;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        return new Promise<void>((resolve) => {
          slot.stopped = resolve;
          if (child.connected) child.send({ t: 'stop' });
          else child.kill('SIGTERM');
        });
      }),
    );
  }
}
