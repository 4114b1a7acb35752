/**
 * Test helper for member-session specs: one virtual clock, one in-memory network, hosts the test
 * answers frame by frame, and sessions whose reducer inputs and events are recorded. Every wait is
 * event-driven: it re-checks whenever something happened and runs virtual time until it holds, or
 * fails when nothing is left to run (or after `limitMs` of virtual time).
 */
import { encodeFrame, serverSideDecoder, type ClientCommand, type Decoded, type ServerCommand } from '@ims/codec';
import { createLogger, type Logger } from '@ims/app-kit';
import { createMember, type LobbyHost, type Member, type MemberInput, type Post } from '@ims/channel-core';
import { memoryTransport, virtualTime, type CloseInfo, type Connection, type ConnectionSink, type MemoryTransport, type VirtualTime } from '@ims/transport';
import type { Observable } from 'rxjs';
import { startMemberSession, type MemberSession, type TimedMemberEvent } from '../src/member-session.js';
import { provenView } from './proven-view.js';

/** Re-runs registered checks after anything happened (coalesced in a microtask). */
class Watch {
  private checks = new Set<() => void>();
  private queued = false;

  poke(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      for (const c of [...this.checks]) c();
    });
  }

  wait<T>(vt: VirtualTime, what: string, ready: () => T | undefined, limitMs?: number): Promise<T> {
    let check = (): void => undefined;
    const p = new Promise<T>((resolve) => {
      check = () => {
        const v = ready();
        if (v === undefined) return;
        this.checks.delete(check);
        resolve(v);
      };
      this.checks.add(check);
      check();
    });
    return vt.until(p, limitMs).catch((err: unknown) => {
      this.checks.delete(check);
      throw new Error(`waiting for ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
  }
}

/** One accepted connection as a scripted host sees it. */
export class HostEnd implements ConnectionSink<ClientCommand> {
  /** Decoded commands from the member, in order. */
  readonly commands: ClientCommand[] = [];
  info: CloseInfo | undefined;
  /** Virtual time of the close. */
  closedAt: number | undefined;

  constructor(
    readonly conn: Connection<ClientCommand>,
    /** Byte chunks as the network delivered them: one per network write of the member. */
    readonly chunks: number[],
    private readonly world: SessionWorld,
    private readonly onJoin: ((end: HostEnd) => void) | undefined,
    private readonly onCommand: ((end: HostEnd, cmd: ClientCommand) => void) | undefined,
  ) {}

  frame(d: Decoded<ClientCommand>): void {
    if (!d.ok) return;
    this.commands.push(d.value);
    if (d.value.cmd === 'JOIN') this.onJoin?.(this);
    this.onCommand?.(this, d.value);
    this.world.poke();
  }

  closed(info: CloseInfo): void {
    this.info = info;
    this.closedAt = this.world.vt.now();
    this.world.poke();
  }

  /** Writes each command (they leave in this turn's flush). */
  send(...cmds: ServerCommand[]): void {
    for (const c of cmds) this.conn.write(encodeFrame(c));
  }

  /** Command names received, in order. */
  names(): string[] {
    return this.commands.map((c) => c.cmd);
  }
}

/** A listener whose connections the test answers by hand. */
export interface ScriptedHost {
  readonly id: string;
  readonly target: { readonly peerId: string; readonly address: string; readonly port: number };
  /** Every accepted connection, in order. */
  readonly ends: HostEnd[];
  /** The `n`th accepted connection (0-based), once its JOIN arrived. */
  joined(n: number): Promise<HostEnd>;
  /** As a lobby entry (alive, announcing `channels`). */
  lobby(channels: readonly string[], state?: LobbyHost['state']): LobbyHost;
}

/** A started session with what it reported. */
export interface WatchedSession {
  readonly session: MemberSession;
  /** Inputs the session gave its reducer, in order. */
  readonly inputs: MemberInput[];
  /** Events published, in order. */
  readonly events: TimedMemberEvent[];
  /** Archive calls (the posts of each). */
  readonly archives: Post[][];
  /** The admission list of each archive call (`undefined` when it passed none). */
  readonly admittedArchives: (string[] | undefined)[];
  /** Log lines written by the session. */
  readonly logs: Record<string, unknown>[];
  kinds(): string[];
  /** The first input matching `pred` not yet returned by an earlier call. */
  input(what: string, pred: (i: MemberInput) => boolean): Promise<MemberInput>;
  /** The first event matching `pred` (earlier ones count). */
  event(what: string, pred: (e: TimedMemberEvent) => boolean): Promise<TimedMemberEvent>;
}

/** Options of {@link SessionWorld.start} besides the target. */
export interface StartOptions {
  readonly selfId?: string;
  readonly channel?: string;
  readonly from?: string;
  readonly member?: Member;
  readonly hosts$?: Observable<readonly LobbyHost[]>;
  readonly joinTimeoutMs?: number;
  readonly historyQuietMs?: number;
  readonly connectTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  readonly archive?: boolean;
  readonly sendRate?: number;
  readonly sendBurst?: number;
  readonly random?: () => number;
  /** The peer ID the session's connections prove (secure mode). @default none (plain) */
  readonly provenAs?: string;
  readonly targetIdKnown?: boolean;
}

/** The world: clock, network, waits. */
export class SessionWorld {
  readonly vt: VirtualTime = virtualTime();
  readonly net: MemoryTransport = memoryTransport({ scheduler: this.vt.scheduler });
  private readonly watch = new Watch();

  poke(): void {
    this.watch.poke();
  }

  /** Runs virtual time until `ready()` returns a value. */
  wait<T>(what: string, ready: () => T | undefined, limitMs?: number): Promise<T> {
    return this.watch.wait(this.vt, what, ready, limitMs);
  }

  /**
   * A host listening at `address`; `onJoin` answers each JOIN (e.g. {@link standbyOf}), `onCommand`
   * sees every command; with `proven`, its connections prove that peer ID (secure mode's TLS, in memory).
   */
  async host(id: string, address: string, onJoin?: (end: HostEnd) => void, onCommand?: (end: HostEnd, cmd: ClientCommand) => void, proven?: string): Promise<ScriptedHost> {
    const chunkLists: number[][] = [];
    const at = this.net.at(address);
    const listener = await (proven === undefined ? at : provenView(at, proven)).listen<ClientCommand>({
      // The decoder sees each chunk as the network delivered it: the outbox's one write each.
      decoder: () => {
        const inner = serverSideDecoder();
        const chunks: number[] = [];
        chunkLists.push(chunks);
        return {
          push: (chunk: Uint8Array) => (chunks.push(chunk.byteLength), inner.push(chunk)),
          get bufferedBytes() {
            return inner.bufferedBytes;
          },
        };
      },
      idleTimeoutMs: 0,
    });
    const ends: HostEnd[] = [];
    listener.connections$.subscribe((conn) => {
      // One decoder per connection, made just before the connection is announced.
      const end = new HostEnd(conn, chunkLists.shift() ?? [], this, onJoin, onCommand);
      ends.push(end);
      conn.attach(end);
      this.poke();
    });
    const target = { peerId: id, address, port: listener.port };
    return {
      id,
      target,
      ends,
      joined: (n) => this.wait(`${id}: JOIN on connection #${n}`, () => (ends[n]?.commands.some((c) => c.cmd === 'JOIN') ? ends[n] : undefined)),
      lobby: (channels, state = 'alive') => ({ id, address, port: target.port, state, channels }),
    };
  }

  /** Starts a session on the network (from `options.from`, default 10.0.0.9) with the real reducer unless one is given. */
  start(target: ScriptedHost['target'], options: StartOptions = {}): WatchedSession {
    const selfId = options.selfId ?? 'me';
    const channel = options.channel ?? '#room';
    const inner = options.member ?? createMember({ selfId, channel });
    const inputs: MemberInput[] = [];
    const events: TimedMemberEvent[] = [];
    const archives: Post[][] = [];
    const admittedArchives: (string[] | undefined)[] = [];
    const logs: Record<string, unknown>[] = [];
    const from = this.net.at(options.from ?? '10.0.0.9');
    const logger: Logger = createLogger({ level: 'debug', stream: { write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }, clock: () => this.vt.now() });
    const member: Member = {
      handle: (input) => {
        inputs.push(input);
        this.poke();
        return inner.handle(input);
      },
      snapshot: () => inner.snapshot(),
      seenPosts: () => inner.seenPosts(),
      pendingCount: () => inner.pendingCount(),
      admitted: () => inner.admitted(),
    };
    const session = startMemberSession({
      selfId,
      channel,
      target,
      createMember: () => member,
      transport: options.provenAs === undefined ? from : provenView(from, options.provenAs),
      scheduler: this.vt.scheduler,
      logger,
      ...(options.hosts$ ? { hosts$: options.hosts$ } : {}),
      ...(options.joinTimeoutMs !== undefined ? { joinTimeoutMs: options.joinTimeoutMs } : {}),
      ...(options.historyQuietMs !== undefined ? { historyQuietMs: options.historyQuietMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.maxFrameBytes !== undefined ? { maxFrameBytes: options.maxFrameBytes } : {}),
      ...(options.sendRate !== undefined ? { sendRate: options.sendRate } : {}),
      ...(options.sendBurst !== undefined ? { sendBurst: options.sendBurst } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.targetIdKnown !== undefined ? { targetIdKnown: options.targetIdKnown } : {}),
      ...(options.archive
        ? { archive: (_c: string, posts: readonly Post[], admitted?: ReadonlySet<string>) => (archives.push([...posts]), admittedArchives.push(admitted && [...admitted]), this.poke()) }
        : {}),
    });
    session.events$.subscribe((e) => {
      events.push(e);
      this.poke();
    });
    let inputCursor = 0;
    return {
      session,
      inputs,
      events,
      archives,
      admittedArchives,
      logs,
      kinds: () => inputs.map((i) => i.kind),
      input: (what, pred) =>
        this.wait(`input ${what}`, () => {
          const at = inputs.findIndex((i, n) => n >= inputCursor && pred(i));
          if (at < 0) return undefined;
          inputCursor = at + 1;
          return inputs[at];
        }),
      event: (what, pred) => this.wait(`event ${what}`, () => events.find(pred)),
    };
  }
}

/** Answers a JOIN like a host with no history and no other member: STANDBY naming itself. */
export const standbyOf =
  (id: string) =>
  (end: HostEnd): void =>
    end.send({ cmd: 'STANDBY', peerId: id });

/** Input predicates. */
export const isKind =
  (kind: MemberInput['kind']) =>
  (i: MemberInput): boolean =>
    i.kind === kind;
