/**
 * `chat '#room' [--json]`: joins one channel, writes every event as one line (JSON or text), posts
 * every stdin line. EOF on stdin leaves the channel (EXIT) once joined and our posts are echoed,
 * and ends with exit code 0 (an EOF before the join waits for it); a channel
 * that is lost (no host reachable) ends with exit code 3.
 */
import { Subscription, type Observable } from 'rxjs';
import { displayName, formatEvent, formatTime, toJsonLine, type ChatEvent, type Names } from './chat-event.js';
import { formatNotice } from './member-notices.js';
import { EXIT } from './config.js';
import type { PeerNode } from './peer-node.js';

/** Options of {@link runChat}. */
export interface RunChatOptions {
  readonly node: PeerNode;
  readonly channel: string;
  /** Peer ID or nick of the host to join on. @default where the lobby shows the channel, else self */
  readonly server?: string;
  /** Stdin lines; completion means EOF. */
  readonly lines$: Observable<string>;
  /** Writes one output line (without its newline). */
  readonly write: (line: string) => void;
  /** JSON lines (true) or human text (false). @default true */
  readonly json?: boolean;
  /** Peer IDs to INVITE once joined (and again after each failover: the new host never saw it). @default [] */
  readonly invite?: readonly string[];
  /** After EOF and the join, ms to wait for our unechoed posts before leaving anyway. @default 5000 */
  readonly drainMs?: number;
}

/** Runs the scriptable chat until EOF or channel loss; resolves to the process exit code. */
export function runChat(options: RunChatOptions): Promise<number> {
  const { node, channel, lines$, write } = options;
  const json = options.json ?? true;
  return new Promise((resolve) => {
    const subs = new Subscription();
    let lost = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      subs.unsubscribe();
      resolve(lost ? EXIT.CHANNEL_LOST : EXIT.OK);
    };
    const handle = node.join(channel, options.server);
    const invite = options.invite ?? [];
    let eof = false;
    let leaving = false;
    const leave = (): void => {
      if (leaving) return;
      leaving = true;
      void handle.exit().then(finish, finish);
    };
    // `echo hi | chat '#x'` must post before it leaves: after EOF, wait until no post of ours awaits
    // its echo. The handle counts them (the member reducer's pending posts, re-sent across a
    // failover, plus any queued before the session started); one the reducer refused is not waited for.
    // Issue 14: a stdin that ends before the join completes still joins first, posts, then leaves.
    let joinedOnce = false;
    const leaveWhenEchoed = (): void => {
      if (eof && joinedOnce && handle.pending() === 0) leave();
    };
    const startDrain = (): void => {
      const timer = setTimeout(leave, options.drainMs ?? 5_000);
      subs.add(() => clearTimeout(timer));
    };
    const onEvent = (e: ChatEvent): void => {
      write(json ? toJsonLine(e) : formatEvent(e, { selfId: node.selfId, nickOf: (id) => node.nameOf(id) }));
      if ((e.event === 'joined' || e.event === 'failover') && invite.length > 0) handle.invite(invite);
      if ((e.event === 'joined' || e.event === 'failover') && !joinedOnce) {
        joinedOnce = true;
        if (eof) startDrain();
      }
      if (e.event === 'left') {
        lost = e.reason === 'lost';
        finish();
      } else leaveWhenEchoed();
    };
    const onEof = (): void => {
      eof = true;
      // The bounded wait for our echoes starts once joined (a join that fails ends with `left` anyway).
      if (joinedOnce) startDrain();
      leaveWhenEchoed();
    };
    subs.add(handle.events$.subscribe({ next: onEvent, complete: finish }));
    // Join/part/quit notices are for people: the text mode only (the JSON contract keeps its events).
    if (!json) {
      const names: Names = { selfId: node.selfId, nickOf: (id) => node.nameOf(id) };
      subs.add(
        node.notices$.subscribe((n) => {
          if (('channel' in n && n.channel !== channel) || ('channels' in n && !n.channels.includes(channel))) return;
          const line = formatNotice(n, (id) => displayName(names, id), formatTime(n.ts));
          if (line !== undefined) write(line);
        }),
      );
    }
    subs.add(
      lines$.subscribe({
        // An empty line carries no post: SAY with empty text is legal but useless for scripts.
        next: (line) => {
          if (line.length > 0) handle.post(line);
        },
        // EOF = EXIT and quit (the JSON contract), once our posts are through (bounded wait).
        complete: () => onEof(),
        error: () => onEof(),
      }),
    );
  });
}
