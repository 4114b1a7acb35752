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
  return new InteractiveChat(options).run();
}

/** The state of one interactive session: the joined channels, the current one, the subscriptions. */
class InteractiveChat {
  private readonly node: PeerNode;
  private readonly print: (line: string) => void;
  private readonly names: Names;
  private readonly highlight: (line: string) => string;
  private readonly joined = new Map<string, ChannelHandle>();
  private readonly subs = new Subscription();
  private current: string | undefined;

  constructor(private readonly options: RunInteractiveOptions) {
    this.node = options.node;
    this.print = options.print;
    this.names = { selfId: options.node.selfId, nickOf: (id) => options.node.nameOf(id) };
    this.highlight = options.highlight ?? ((line: string) => `\u0007\u001b[1m${line}\u001b[0m`);
  }

  run(): Promise<number> {
    this.watchNode();
    this.print(`-- you are ${this.node.nick()} (${this.node.selfId}); /help lists the commands`);
    return new Promise((resolve) => {
      let quitting = false;
      const quit = (): void => {
        if (quitting) return;
        quitting = true;
        void Promise.all([...this.joined.values()].map((h) => h.exit())).finally(() => {
          this.subs.unsubscribe();
          resolve(EXIT.OK);
        });
      };
      this.subs.add(
        this.options.lines$.subscribe({
          next: (line) => {
            if (!quitting && this.execute(parseChatLine(line), line) === 'quit') quit();
          },
          complete: quit,
          error: quit,
        }),
      );
    });
  }

  private nick(id: string): string {
    return displayName(this.names, id);
  }

  private setCurrent(channel: string | undefined): void {
    this.current = channel;
    (this.options.onCurrent ?? (() => undefined))(channel);
  }

  private onEvent(handle: ChannelHandle, e: ChatEvent): void {
    if (e.event === 'failover' && e.reason === 'closed') void this.printFailover(e);
    else if (e.event === 'say' && e.author !== this.node.selfId && mentions(e.text, this.node.nick())) this.print(this.highlight(formatEvent(e, this.names)));
    else this.print(formatEvent(e, this.names));
    if (e.event === 'left') {
      this.joined.delete(handle.channel);
      if (this.current === handle.channel) this.setCurrent(this.joined.keys().next().value);
    }
  }

  /**
   * A host that stops on purpose announces it (docs/protocol.md §3.7), but that PDU may arrive just
   * after the closed connection: wait for it a moment before calling the host lost.
   */
  private async printFailover(e: FailoverEvent): Promise<void> {
    const clean =
      this.node.hostStopped(e.from) ||
      (await firstValueFrom(
        this.node.notices$.pipe(
          filter((n) => n.kind === 'stopped' && n.peer === e.from),
          take(1),
          map(() => true),
          timeout({ first: STOP_NOTICE_WAIT_MS, with: () => of(false), scheduler: this.options.scheduler ?? asyncScheduler }),
        ),
        { defaultValue: false },
      ));
    this.print(formatFailover(e, this.names, clean));
  }

  private join(channel: string, server?: string): void {
    if (this.joined.has(channel)) {
      this.setCurrent(channel);
      this.print(`-- ${channel} is now the current channel`);
      return;
    }
    let target: string | undefined;
    if (server !== undefined) {
      const r = resolvePeer(this.node.lobby(), server);
      if (!r.ok) return this.print(`!! ${r.message}`);
      target = r.id;
    }
    this.open(channel, target);
    this.setCurrent(channel);
  }

  private open(channel: string, target: string | undefined): ChannelHandle {
    const handle = this.node.join(channel, target);
    this.joined.set(channel, handle);
    this.subs.add(handle.events$.subscribe((e) => this.onEvent(handle, e)));
    return handle;
  }

  /** `/msg`: the private chat for two (direct-message.ts), on the addressee's host when it has one. */
  private message(who: string, text: string): void {
    const node = this.node;
    const r = who === node.nick() ? { ok: true as const, id: node.selfId } : resolvePeer(node.lobby(), who);
    if (!r.ok) return this.print(`!! ${r.message}`);
    if (r.id === node.selfId) return this.print('!! that is you: /msg WHO TEXT writes to someone else');
    const channel = directChannel(node.selfId, r.id);
    const existing = this.joined.get(channel);
    if (existing) return existing.post(text);
    const theirs = node.lobby().peers.find((p) => p.id === r.id)?.serverPort !== undefined;
    const handle = this.open(channel, theirs ? r.id : node.selfId);
    // INVITE goes out at `joined`, before the post: the host admits them before they can see it (§8).
    handle.invite([r.id]);
    let posted = false;
    this.subs.add(
      handle.events$.subscribe((e) => {
        if (posted || (e.event !== 'joined' && e.event !== 'failover')) return;
        posted = true;
        handle.post(text);
      }),
    );
    this.print(`-- ${channel} is your private chat with ${this.nick(r.id)}${theirs ? '' : ` (they host nothing, so tell them: /join ${channel} ${node.selfId})`}`);
  }

  private channelOf(named: string | undefined): ChannelHandle | undefined {
    const name = named ?? this.current;
    const handle = name === undefined ? undefined : this.joined.get(name);
    if (!handle) this.print(name === undefined ? '!! join a channel first: /join #room' : `!! not in ${name}`);
    return handle;
  }

  private execute(cmd: ChatCommand, line: string): 'quit' | undefined {
    switch (cmd.kind) {
      case 'empty':
        return undefined;
      case 'invalid':
        this.print(`!! ${cmd.message}`);
        return undefined;
      case 'help':
        this.print(HELP_TEXT);
        return undefined;
      case 'list':
        this.print(renderLobby(this.node.lobby()));
        return undefined;
      case 'quit':
        return 'quit';
      case 'join':
        this.join(cmd.channel, cmd.server);
        return undefined;
      case 'switch':
        if (this.joined.has(cmd.channel)) {
          this.setCurrent(cmd.channel);
          this.print(`-- ${cmd.channel} is now the current channel`);
        } else this.print(`!! not in ${cmd.channel}: /join ${cmd.channel}`);
        return undefined;
      case 'part':
        void this.channelOf(cmd.channel)?.exit();
        return undefined;
      case 'nick':
        this.node.setNick(cmd.nick);
        this.print(`-- you are now ${cmd.nick}`);
        return undefined;
      case 'invite':
        this.invite(cmd.targets, cmd.channel);
        return undefined;
      case 'who':
        this.who(cmd.channel);
        return undefined;
      case 'msg':
        this.message(cmd.target, cmd.text);
        return undefined;
      case 'me':
        this.post(`/me ${cmd.text}`, line);
        return undefined;
      case 'say':
        this.post(cmd.text, line);
        return undefined;
    }
  }

  /**
   * A post (or action) to the current channel. On a terminal the typed line goes: the host's echo
   * (`say` with our nick) shows it once; one the host never echoes is told by an error line
   * (refusals) or stays pending across failovers.
   */
  private post(text: string, line: string): void {
    const handle = this.channelOf(undefined);
    if (!handle) return;
    this.options.eraseTyped?.(line);
    handle.post(text);
  }

  private invite(targets: readonly string[], channel: string | undefined): void {
    const handle = this.channelOf(channel);
    if (!handle) return;
    const ids: string[] = [];
    for (const who of targets) {
      const r = resolvePeer(this.node.lobby(), who);
      if (r.ok) ids.push(r.id);
      else this.print(`!! ${r.message}`);
    }
    if (ids.length === 0) return;
    handle.invite(ids);
    this.print(`-- invited ${ids.map((id) => this.nick(id)).join(', ')} to ${handle.channel}`);
    // docs/protocol.md §1: a private name is never multicast, so no SERVER_INVITE reaches them.
    if (isPrivateChannel(handle.channel)) {
      this.print(`-- ${handle.channel} is private and never announced: tell them to /join ${handle.channel} ${handle.host ?? '<host>'}`);
    }
  }

  private who(channel: string | undefined): void {
    const handle = this.channelOf(channel);
    if (!handle) return;
    const others = handle
      .members()
      .filter((id) => id !== this.node.selfId)
      .map((id) => this.node.nameOf(id))
      .sort((a, b) => a.localeCompare(b));
    this.print(`-- ${handle.channel} (${others.length + 1}): ${[`${this.node.nick()} (you)`, ...others].join(', ')}`);
  }

  /** Notices, private chats opened for us, and invitations: printed as they come. */
  private watchNode(): void {
    const node = this.node;
    this.subs.add(
      node.notices$.subscribe((n) => {
        const line = formatNotice(n, (id) => this.nick(id), formatTime(n.ts));
        if (line !== undefined) this.print(line);
      }),
    );
    // A private chat someone opened for us on our host: join it there, and say so (not made current).
    this.subs.add(
      node.directMessages$.subscribe((d) => {
        if (this.joined.has(d.channel)) return;
        this.open(d.channel, node.selfId);
        this.print(`-- ${this.nick(d.from)} writes to you privately in ${d.channel}: answer with /msg ${this.nick(d.from)} TEXT`);
      }),
    );
    // Announce invitations for me as they appear, once each.
    const seenInvites = new Set<string>();
    this.subs.add(
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
            this.print(`-- ${this.nick(inv.serverId)} invites you to ${inv.channel}: /join ${inv.channel} ${inv.serverId}`);
          }
        }),
    );
  }
}
