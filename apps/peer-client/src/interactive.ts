/**
 * The interactive terminal chat: several channels at once, one of them current; lines that are
 * not commands are posted to the current channel. Input and output are injected (readline in
 * main.ts, plain arrays in tests), so this file does no I/O of its own.
 */
import { isPrivateChannel } from '@ims/codec';
import { asyncScheduler, distinctUntilChanged, filter, firstValueFrom, map, of, Subscription, take, timeout, type Observable, type SchedulerLike } from 'rxjs';
import { displayName, formatEvent, formatFailover, formatTime, type ChatEvent, type FailoverEvent, type Names } from './chat-event.js';
import { formatNotice } from './member-notices.js';
import { directChannel } from './direct-message.js';
import { HELP_TEXT, parseChatLine, type ChatCommand } from './chat-command.js';
import { mentions } from './mention.js';
import { EXIT } from './config.js';
import { renderLobby, resolvePeer } from './lobby-view.js';
import type { ChannelHandle, PeerNode } from './peer-node.js';

/** ms a failover line waits for the lost host's announced stop before calling it lost. */
const STOP_NOTICE_WAIT_MS = 1_000;

/** Options of {@link runInteractive}. */
export interface RunInteractiveOptions {
  readonly node: PeerNode;
  /** Typed lines; completion (EOF, Ctrl-D) quits like /quit. */
  readonly lines$: Observable<string>;
  /** Prints one line for the user. */
  readonly print: (line: string) => void;
  /** Called when the current channel changes, e.g. to update the prompt. @default no-op */
  readonly onCurrent?: (channel: string | undefined) => void;
  /** Takes a typed post off the screen: the host's echo shows it (issue 14). @default no-op */
  readonly eraseTyped?: (line: string) => void;
  /**
   * Marks a line that mentions this peer's nick. @default a terminal bell (BEL) and bold (ANSI),
   * which a terminal rings and shows; main.ts passes the same on pipes (scripts can look for BEL)
   */
  readonly highlight?: (line: string) => string;
  /** Timers (the wait for a lost host's announced stop); tests pass a virtual one. @default asyncScheduler */
  readonly scheduler?: SchedulerLike;
}

/** Runs the chat until /quit or EOF; resolves to the exit code. */
export function runInteractive(options: RunInteractiveOptions): Promise<number> {
  const { node, print } = options;
  const onCurrent = options.onCurrent ?? (() => undefined);
  const highlight = options.highlight ?? ((line: string) => `\u0007\u001b[1m${line}\u001b[0m`);
  const joined = new Map<string, ChannelHandle>();
  const subs = new Subscription();
  let current: string | undefined;
  const names: Names = { selfId: node.selfId, nickOf: (id) => node.nameOf(id) };
  const nick = (id: string): string => displayName(names, id);
  const setCurrent = (channel: string | undefined): void => {
    current = channel;
    onCurrent(channel);
  };

  const onEvent = (handle: ChannelHandle) => (e: ChatEvent) => {
    if (e.event === 'failover' && e.reason === 'closed') void printFailover(e);
    else if (e.event === 'say' && e.author !== node.selfId && mentions(e.text, node.nick())) print(highlight(formatEvent(e, names)));
    else print(formatEvent(e, names));
    if (e.event === 'left') {
      joined.delete(handle.channel);
      if (current === handle.channel) setCurrent(joined.keys().next().value);
    }
  };

  /**
   * A host that stops on purpose announces it (docs/protocol.md §3.7), but that PDU may arrive just
   * after the closed connection: wait for it a moment before calling the host lost.
   */
  const printFailover = async (e: FailoverEvent): Promise<void> => {
    const clean =
      node.hostStopped(e.from) ||
      (await firstValueFrom(
        node.notices$.pipe(
          filter((n) => n.kind === 'stopped' && n.peer === e.from),
          take(1),
          map(() => true),
          timeout({ first: STOP_NOTICE_WAIT_MS, with: () => of(false), scheduler: options.scheduler ?? asyncScheduler }),
        ),
        { defaultValue: false },
      ));
    print(formatFailover(e, names, clean));
  };

  const join = (channel: string, server?: string): void => {
    if (joined.has(channel)) {
      setCurrent(channel);
      print(`-- ${channel} is now the current channel`);
      return;
    }
    let target: string | undefined;
    if (server !== undefined) {
      const r = resolvePeer(node.lobby(), server);
      if (!r.ok) return print(`!! ${r.message}`);
      target = r.id;
    }
    open(channel, target);
    setCurrent(channel);
  };

  const open = (channel: string, target: string | undefined): ChannelHandle => {
    const handle = node.join(channel, target);
    joined.set(channel, handle);
    subs.add(handle.events$.subscribe(onEvent(handle)));
    return handle;
  };

  /** `/msg`: the private chat for two (direct-message.ts), on the addressee's host when it has one. */
  const message = (who: string, text: string): void => {
    const r = who === node.nick() ? { ok: true as const, id: node.selfId } : resolvePeer(node.lobby(), who);
    if (!r.ok) return print(`!! ${r.message}`);
    if (r.id === node.selfId) return print('!! that is you: /msg WHO TEXT writes to someone else');
    const channel = directChannel(node.selfId, r.id);
    const existing = joined.get(channel);
    if (existing) return existing.post(text);
    const theirs = node.lobby().peers.find((p) => p.id === r.id)?.serverPort !== undefined;
    const handle = open(channel, theirs ? r.id : node.selfId);
    // INVITE goes out at `joined`, before the post: the host admits them before they can see it (§8).
    handle.invite([r.id]);
    let posted = false;
    subs.add(
      handle.events$.subscribe((e) => {
        if (posted || (e.event !== 'joined' && e.event !== 'failover')) return;
        posted = true;
        handle.post(text);
      }),
    );
    print(`-- ${channel} is your private chat with ${nick(r.id)}${theirs ? '' : ` (they host nothing, so tell them: /join ${channel} ${node.selfId})`}`);
  };

  const channelOf = (named: string | undefined): ChannelHandle | undefined => {
    const name = named ?? current;
    const handle = name === undefined ? undefined : joined.get(name);
    if (!handle) print(name === undefined ? '!! join a channel first: /join #room' : `!! not in ${name}`);
    return handle;
  };

  const execute = (cmd: ChatCommand, line: string): 'quit' | undefined => {
    switch (cmd.kind) {
      case 'empty':
        return undefined;
      case 'invalid':
        print(`!! ${cmd.message}`);
        return undefined;
      case 'help':
        print(HELP_TEXT);
        return undefined;
      case 'list':
        print(renderLobby(node.lobby()));
        return undefined;
      case 'quit':
        return 'quit';
      case 'join':
        join(cmd.channel, cmd.server);
        return undefined;
      case 'switch':
        if (joined.has(cmd.channel)) {
          setCurrent(cmd.channel);
          print(`-- ${cmd.channel} is now the current channel`);
        } else print(`!! not in ${cmd.channel}: /join ${cmd.channel}`);
        return undefined;
      case 'part': {
        const handle = channelOf(cmd.channel);
        if (handle) void handle.exit();
        return undefined;
      }
      case 'nick':
        node.setNick(cmd.nick);
        print(`-- you are now ${cmd.nick}`);
        return undefined;
      case 'invite': {
        const handle = channelOf(cmd.channel);
        if (!handle) return undefined;
        const ids: string[] = [];
        for (const who of cmd.targets) {
          const r = resolvePeer(node.lobby(), who);
          if (r.ok) ids.push(r.id);
          else print(`!! ${r.message}`);
        }
        if (ids.length > 0) {
          handle.invite(ids);
          print(`-- invited ${ids.map(nick).join(', ')} to ${handle.channel}`);
          // docs/protocol.md §1: a private name is never multicast, so no SERVER_INVITE reaches them.
          if (isPrivateChannel(handle.channel)) {
            print(`-- ${handle.channel} is private and never announced: tell them to /join ${handle.channel} ${handle.host ?? '<host>'}`);
          }
        }
        return undefined;
      }
      case 'who': {
        const handle = channelOf(cmd.channel);
        if (handle) {
          const others = handle
            .members()
            .filter((id) => id !== node.selfId)
            .map((id) => node.nameOf(id))
            .sort((a, b) => a.localeCompare(b));
          print(`-- ${handle.channel} (${others.length + 1}): ${[`${node.nick()} (you)`, ...others].join(', ')}`);
        }
        return undefined;
      }
      case 'msg':
        message(cmd.target, cmd.text);
        return undefined;
      case 'me': {
        const handle = channelOf(undefined);
        if (handle) {
          options.eraseTyped?.(line);
          handle.post(`/me ${cmd.text}`);
        }
        return undefined;
      }
      case 'say': {
        const handle = channelOf(undefined);
        if (handle) {
          // The echo (`say` from the host, own nick) replaces the typed line; a post the host never
          // echoes is told by an error line (refusals) or stays pending across failovers.
          options.eraseTyped?.(line);
          handle.post(cmd.text);
        }
        return undefined;
      }
    }
  };

  subs.add(
    node.notices$.subscribe((n) => {
      const line = formatNotice(n, nick, formatTime(n.ts));
      if (line !== undefined) print(line);
    }),
  );
  // A private chat someone opened for us on our host: join it there, and say so (not made current).
  subs.add(
    node.directMessages$.subscribe((d) => {
      if (joined.has(d.channel)) return;
      open(d.channel, node.selfId);
      print(`-- ${nick(d.from)} writes to you privately in ${d.channel}: answer with /msg ${nick(d.from)} TEXT`);
    }),
  );
  // Announce invitations for me as they appear, once each.
  const seenInvites = new Set<string>();
  subs.add(
    node.lobby$
      .pipe(
        map((l) => l.invitations.map((i) => `${i.channel}\0${i.serverId}`).sort().join('\n')),
        distinctUntilChanged(),
      )
      .subscribe(() => {
        for (const inv of node.lobby().invitations) {
          const key = `${inv.channel}\0${inv.serverId}`;
          if (seenInvites.has(key)) continue;
          seenInvites.add(key);
          print(`-- ${nick(inv.serverId)} invites you to ${inv.channel}: /join ${inv.channel} ${inv.serverId}`);
        }
      }),
  );
  print(`-- you are ${node.nick()} (${node.selfId}); /help lists the commands`);
  return new Promise((resolve) => {
    let quitting = false;
    const quit = (): void => {
      if (quitting) return;
      quitting = true;
      void Promise.all([...joined.values()].map((h) => h.exit())).finally(() => {
        subs.unsubscribe();
        resolve(EXIT.OK);
      });
    };
    subs.add(
      options.lines$.subscribe({
        next: (line) => {
          if (!quitting && execute(parseChatLine(line), line) === 'quit') quit();
        },
        complete: quit,
        error: quit,
      }),
    );
  });
}
