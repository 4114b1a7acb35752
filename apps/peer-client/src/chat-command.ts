/**
 * Parses one line typed in the interactive chat into a typed command. Pure: no I/O.
 */
import { isValidChannelName, MAX_CHANNEL_NAME_BYTES } from '@ims/codec';

/** One thing the user asked for; `say` is a line that is not a command. */
export type ChatCommand =
  | { readonly kind: 'join'; readonly channel: string; readonly server?: string }
  | { readonly kind: 'part'; readonly channel?: string }
  | { readonly kind: 'switch'; readonly channel: string }
  | { readonly kind: 'nick'; readonly nick: string }
  | { readonly kind: 'invite'; readonly targets: readonly string[]; readonly channel?: string }
  | { readonly kind: 'who'; readonly channel?: string }
  /** `/me text`: an action, posted as the text `/me text` (see {@link actionOf}). */
  | { readonly kind: 'me'; readonly text: string }
  /** `/msg WHO text`: a private channel for two (direct-message.ts). */
  | { readonly kind: 'msg'; readonly target: string; readonly text: string }
  | { readonly kind: 'list' }
  | { readonly kind: 'help' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'invalid'; readonly message: string };

/** Help text shown by `/help`; one command per line. */
export const HELP_TEXT = [
  '/join #room [server]   join (or create) a channel; server = peer ID or nick of a host',
  '/part [#room]          leave the current (or named) channel',
  '/switch #room          make a joined channel the current one (also: /#room)',
  '/nick NAME             change your nickname',
  '/invite WHO... [#room] invite peers by nick or ID to the current (or named) channel',
  '/who [#room]           members of the current (or named) channel',
  '/me ACTION             an action in the current channel: * you ACTION',
  '/msg WHO TEXT          a private message: a private channel for the two of you',
  '/list                  the lobby: peers online, servers and channels, invitations',
  '/help                  this text',
  '/quit                  leave every channel and exit',
  'anything else          is posted to the current channel (start with // to post a leading /)',
].join('\n');

// A nick travels NUL-terminated in CLIENT_NICK (docs/protocol.md §3): letters, marks, digits,
// punctuation and symbols only, so it prints on one line and has no spaces.
const NICK_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]{1,32}$/u;

/** The rule every channel name error ends with (docs/protocol.md §1). */
const CHANNEL_RULE = 'channel names are ASCII and start with # or @ (e.g. #lobby, @team)';

/**
 * Why `name` is no channel name, for a person (issue 14: not just the usage line); `undefined`
 * when it is one.
 */
export function channelProblem(name: string): string | undefined {
  if (isValidChannelName(name)) return undefined;
  const odd = [...name].find((c) => !/^[\x21-\x7e]$/.test(c));
  if (odd !== undefined) return `${name} has ${JSON.stringify(odd)}: ${CHANNEL_RULE}`;
  if (name[0] !== '#' && name[0] !== '@') return `${name} does not start with # or @: ${CHANNEL_RULE}; did you mean #${name}?`;
  if (name.length < 2) return `${name} alone is no name: ${CHANNEL_RULE}`;
  return `${name} is longer than ${MAX_CHANNEL_NAME_BYTES} characters: ${CHANNEL_RULE}`;
}

/** Why `nick` is no nickname; `undefined` when it is one. */
export function nickProblem(nick: string): string | undefined {
  if (NICK_RE.test(nick)) return undefined;
  if ([...nick].length > 32) return `${nick} has ${[...nick].length} characters; nicks have 1-32`;
  return `${JSON.stringify(nick)} has a character a nick cannot carry: letters, digits, punctuation and symbols only`;
}

const invalid = (message: string): ChatCommand => ({ kind: 'invalid', message });

/** Parses one input line of the interactive chat. Never throws. */
export function parseChatLine(line: string): ChatCommand {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (trimmed.startsWith('//')) return { kind: 'say', text: trimmed.slice(1) };
  if (!trimmed.startsWith('/')) return { kind: 'say', text: line.trimEnd() };
  const [head = '', ...args] = trimmed.slice(1).split(/\s+/);
  const name = head.toLowerCase();
  if (isValidChannelName(head) && args.length === 0) return { kind: 'switch', channel: head };
  switch (name) {
    case 'join':
    case 'j':
      return parseJoin(args);
    case 'part':
    case 'leave':
      return optionalChannel(args, (channel) => ({ kind: 'part', ...(channel ? { channel } : {}) }), '/part [#room]');
    case 'switch':
      return parseSwitch(args);
    case 'nick':
      return parseNick(args);
    case 'invite':
      return parseInvite(args);
    case 'who':
    case 'names':
      return optionalChannel(args, (channel) => ({ kind: 'who', ...(channel ? { channel } : {}) }), '/who [#room]');
    case 'me':
      return args.length === 0 ? invalid('/me needs an action: usage: /me waves') : { kind: 'me', text: restAfter(trimmed, 1) };
    case 'msg':
    case 'query':
      return parseMsg(trimmed, args);
    case 'list':
    case 'lobby':
      return noArgs(args, '/list', { kind: 'list' });
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
      return noArgs(args, '/quit', { kind: 'quit' });
    default:
      if (head.startsWith('#') || head.startsWith('@')) return invalid(`${channelProblem(head) ?? `/${head} takes nothing after it`}; to switch: /#room`);
      return invalid(`unknown command /${head}: the commands are ${COMMANDS.join(' ')} (/help explains them; //text posts /text)`);
  }
}

/** Command names, for the unknown-command message. */
const COMMANDS = ['/join', '/part', '/switch', '/nick', '/invite', '/who', '/me', '/msg', '/list', '/help', '/quit'];

/** The text of a post that is an action (`/me waves`), else `undefined`. A plain peer shows the line as it is. */
export function actionOf(text: string): string | undefined {
  return text.startsWith('/me ') && text.length > 4 ? text.slice(4) : undefined;
}

/** `line` after its first `words` words, with its own spacing. */
function restAfter(line: string, words: number): string {
  let rest = line;
  for (let i = 0; i < words; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest;
}

function parseMsg(trimmed: string, args: readonly string[]): ChatCommand {
  const usage = 'usage: /msg WHO TEXT (WHO = a nick or peer ID)';
  const [target] = args;
  if (target === undefined) return invalid(`/msg needs whom to write to and what: ${usage}`);
  if (args.length < 2) return invalid(`/msg needs a text after ${target}: ${usage}`);
  return { kind: 'msg', target, text: restAfter(trimmed, 2) };
}

function parseJoin(args: readonly string[]): ChatCommand {
  const [channel, server, ...rest] = args;
  const usage = 'usage: /join #room [server]';
  if (channel === undefined) return invalid(`/join needs a channel: ${usage}`);
  const problem = channelProblem(channel);
  if (problem !== undefined) return invalid(`${problem}; ${usage}`);
  if (rest.length > 0) return invalid(`/join takes a channel and at most one server, not "${rest.join(' ')}": ${usage}`);
  return server === undefined ? { kind: 'join', channel } : { kind: 'join', channel, server };
}

function parseSwitch(args: readonly string[]): ChatCommand {
  const usage = 'usage: /switch #room (or /#room)';
  const [channel] = args;
  if (channel === undefined || args.length > 1) return invalid(`/switch takes one channel: ${usage}`);
  const problem = channelProblem(channel);
  return problem === undefined ? { kind: 'switch', channel } : invalid(`${problem}; ${usage}`);
}

function parseNick(args: readonly string[]): ChatCommand {
  const usage = 'usage: /nick NAME (1-32 characters, no spaces)';
  const [nick] = args;
  if (nick === undefined) return invalid(`/nick needs a name: ${usage}`);
  if (args.length > 1) return invalid(`nicks have no spaces: ${usage}`);
  const problem = nickProblem(nick);
  return problem === undefined ? { kind: 'nick', nick } : invalid(`${problem}; ${usage}`);
}

function parseInvite(args: readonly string[]): ChatCommand {
  const usage = 'usage: /invite WHO... [#room]';
  const last = args[args.length - 1];
  const looksLikeChannel = last !== undefined && (last.startsWith('#') || last.startsWith('@'));
  if (looksLikeChannel) {
    const problem = channelProblem(last);
    if (problem !== undefined) return invalid(`${problem}; ${usage}`);
  }
  const channel = looksLikeChannel ? last : undefined;
  const targets = channel === undefined ? args : args.slice(0, -1);
  if (targets.length === 0) return invalid(`/invite needs whom to invite (nicks or peer IDs): ${usage}`);
  return channel === undefined ? { kind: 'invite', targets } : { kind: 'invite', targets, channel };
}

function optionalChannel(
  args: readonly string[],
  make: (channel: string | undefined) => ChatCommand,
  usage: string,
): ChatCommand {
  if (args.length === 0) return make(undefined);
  const [channel] = args;
  if (args.length > 1 || channel === undefined) return invalid(`${usage.split(' ')[0]} takes at most one channel: usage: ${usage}`);
  const problem = channelProblem(channel);
  return problem === undefined ? make(channel) : invalid(`${problem}; usage: ${usage}`);
}

function noArgs(args: readonly string[], command: string, cmd: ChatCommand): ChatCommand {
  return args.length === 0 ? cmd : invalid(`${command} takes nothing after it: usage: ${command}`);
}
