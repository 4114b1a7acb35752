/**
 * The check of issue 14: a scripted tmux session. Two interactive peer-clients (alice, bob) on real
 * terminals and a dedicated channel-server, all on loopback; the test types into the panes and
 * reads them back with `tmux capture-pane`, polling for the expected text until a deadline that
 * only fails (no sleeps as synchronisation). Skipped, with the reason, where tmux is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, randomDiscoveryPort, spawnServer, type PeerProcess } from './peer-process.js';

const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux', '/bin/tmux'].find((p) => existsSync(p));
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const CWD = fileURLToPath(new URL('..', import.meta.url));
/** Our own tmux server (its own socket): nothing of a user's tmux is touched. */
const SOCKET = `ims-test-${process.pid}`;
const INTERVAL_MS = 200;
const WAIT_MS = 30_000;

const tmux = (...args: string[]): string => execFileSync(TMUX as string, ['-L', SOCKET, ...args], { encoding: 'utf8' });

/** The whole pane of `session` (scrollback included, wrapped lines joined); `escapes` keeps SGR attributes. */
const screen = (session: string, escapes = false): string => tmux('capture-pane', '-p', '-J', ...(escapes ? ['-e'] : []), '-S', '-2000', '-t', session);

/** Types a line into `session`, then Enter. */
const type = (session: string, line: string): void => {
  tmux('send-keys', '-t', session, '-l', line);
  tmux('send-keys', '-t', session, 'Enter');
};

/** Polls the pane until `re` matches; fails after `ms` with the pane in the message. */
async function onScreen(session: string, re: RegExp, what: string, escapes = false, ms = WAIT_MS): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const text = screen(session, escapes);
    const m = re.exec(text);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`${session}: no ${what} (${String(re)}) within ${ms} ms; the pane:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts an interactive peer-client in its own tmux session, wide enough that no line wraps. */
function startClient(name: string, discoveryPort: number): void {
  const argv = [process.execPath, '--conditions=@ims/source', '--import', 'tsx', MAIN, '--id', name, '--nick', name, '--discovery-port', String(discoveryPort), '--announce-interval', String(INTERVAL_MS), '--log-level', 'silent'];
  tmux('new-session', '-d', '-s', name, '-x', '240', '-y', '60', '-c', CWD, argv.map((a) => `'${a}'`).join(' '));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.skipIf(TMUX === undefined)('two interactive clients and a channel-server in tmux (issue 14)', () => {
  let server: PeerProcess | undefined;

  beforeAll(async () => {
    const net = { discoveryPort: randomDiscoveryPort(), intervalMs: INTERVAL_MS };
    // A dedicated server with a human name (--name, announced as CLIENT_NICK without CLIENT_MEMBERSHIP).
    server = spawnServer('srv-0f3a9c2e', net, 'info', ['--name', 'server-a']);
    await server.waitFor((e) => e.event === 'listening', 'server listening', WAIT_MS);
    startClient('alice', net.discoveryPort);
    // A pane whose process ended stays, so a failure shows what it printed last.
    tmux('set-option', '-g', 'remain-on-exit', 'on');
    startClient('bob', net.discoveryPort);
    await onScreen('alice', /-- you are alice \(alice\)/, 'greeting');
    await onScreen('bob', /-- you are bob \(bob\)/, 'greeting');
  });

  afterAll(async () => {
    if (TMUX !== undefined) {
      try {
        tmux('kill-server');
      } catch (err) {
        // Already gone (every session ended): nothing to kill.
        if (!String(err).includes('no server running')) throw err;
      }
    }
    await killAll(server ? [server] : []);
  });

  it('/join lands on the server; notices, nicks, /who, /me, /msg, mentions and history times are what the table promises', async () => {
    type('alice', '/join #日本');
    await onScreen('alice', /!! #日本 has "日": channel names are ASCII and start with # or @/, 'the reason of a bad name');
    type('alice', '/join #ops');
    // No server named: a new channel goes to the dedicated server, shown by its name.
    await onScreen('alice', /-- joined #ops on server-a\n/, 'joined on the dedicated server');
    // The server picks alice's embedded host as standby: she is told it is her.
    await onScreen('alice', /-- #ops: standby is you\n/, 'the standby is "you"');
    type('alice', 'hello all');
    const [, postedAt] = await onScreen('alice', /\[(\d\d:\d\d:\d\d)\] #ops <alice> hello all/, 'the echo of our post');
    // The typed line left the screen: the post shows once.
    expect(screen('alice').split('hello all').length - 1).toBe(1);

    // Bob joins at least a second later, so a history time that were the join time would differ.
    while (new Date().toTimeString().slice(0, 8) === postedAt) await new Promise((resolve) => setTimeout(resolve, 50));
    type('bob', '/join #ops');
    await onScreen('bob', /-- joined #ops on server-a\n/, 'joined on the same server');
    await onScreen('bob', new RegExp(`\\[${escapeRe(postedAt ?? '')}\\] #ops \\(history\\) <alice> hello all`), 'history at the original time, by nick');
    await onScreen('alice', /-> bob joined #ops/, 'the join notice');
    await onScreen('bob', /-- #ops: standby is (alice|you)\n/, 'the standby by nick');

    type('alice', '/who');
    await onScreen('alice', /-- #ops \(2\): alice \(you\), bob/, 'the current members by nick');
    type('alice', '/list');
    await onScreen('alice', /^ {2}server-a \(srv-0f3a9c2e\) at 127\.0\.0\.1:\d+: #ops$/m, 'the server by name in the lobby');
    type('alice', '/me waves');
    await onScreen('bob', /#ops \* alice waves/, 'the action');
    type('bob', 'alice: are you there?');
    // A post naming us rings the bell and is bold: tmux shows the attribute as SGR 1.
    await onScreen('alice', new RegExp(`${String.fromCharCode(27)}\\[1m[^\\n]*<bob> alice: are you there\\?`), 'the highlighted mention', true);

    type('bob', '/msg alice psst, private');
    await onScreen('bob', /-- @msg\.[0-9a-f]{24} is your private chat with alice/, 'the private chat opened');
    await onScreen('alice', /-- bob writes to you privately in @msg\.[0-9a-f]{24}: answer with \/msg bob TEXT/, 'the private chat announced');
    await onScreen('alice', /@msg\.[0-9a-f]{24} (\(history\) )?<bob> psst, private/, 'the private message');
    type('alice', '/msg bob got it');
    await onScreen('bob', /@msg\.[0-9a-f]{24} <alice> got it/, 'the answer in the same private chat');

    // A channel on bob's own embedded host, alice its other member (and standby, with her host).
    type('bob', '/join #dev bob');
    await onScreen('bob', /-- joined #dev, hosted by you\n/, 'a channel on his own host');
    // Named, by nick: a /join racing bob's announcement of #dev would create it on the server instead.
    type('alice', '/join #dev bob');
    await onScreen('alice', /-- joined #dev on bob\n/, 'joined on bob');
    await onScreen('alice', /-- #dev: standby is you\n/, 'alice standby of #dev');

    type('bob', '/nick robert');
    await onScreen('alice', /-- bob is now known as robert/, 'the nick change');
    type('bob', '/quit');
    await onScreen('alice', /<- robert quit \((#ops #dev|#dev #ops)\)/, 'a clean quit said to be one');
    // His host stopped on purpose: the channel moves, and the stop is not called a loss.
    await onScreen('alice', /-- #dev: host robert stopped \(a clean stop\); now hosted by you/, 'a clean stop of the host');
    expect(screen('alice')).not.toMatch(/lost/);
    // The server's ID shows only where /list gives it beside the name; everywhere else its name.
    expect(screen('alice').split('srv-0f3a9c2e').length - 1).toBe(1);
    type('alice', '/who #ops');
    await onScreen('alice', /-- #ops \(1\): alice \(you\)\n/, 'the members after the quit');
  });
});
