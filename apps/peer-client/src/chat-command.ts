/**
 * Parses one line typed in the interactive chat into a typed command. Pure: no I/O.
 */
import { isValidChannelName } from '@ims/codec';

/** One thing the user asked for; `say` is a line that is not a command. */
export type ChatCommand =
  | { readonly kind: 'join'; readonly channel: string; readonly server?: string }
  | { readonly kind: 'part'; readonly channel?: string }
  | { readonly kind: 'switch'; readonly channel: string }
  | { readonly kind: 'nick'; readonly nick: string }
  | { readonly kind: 'invite'; readonly targets: readonly string[]; readonly channel?: string }
  | { readonly kind: 'who'; readonly channel?: string }
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
  '/list                  the lobby: peers online, servers and channels, invitations',
  '/help                  this text',
  '/quit                  leave every channel and exit',
  'anything else          is posted to the current channel (start with // to post a leading /)',
].join('\n');

// A nick travels NUL-terminated in CLIENT_NICK (docs/protocol.md §3): letters, marks, digits,
// punctuation and symbols only, so it prints on one line and has no spaces.
const NICK_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]{1,32}$/u;

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
      return args[0] !== undefined && args.length === 1 && isValidChannelName(args[0])
        ? { kind: 'switch', channel: args[0] }
        : { kind: 'invalid', message: 'usage: /switch #room' };
    case 'nick':
      return args.length === 1 && args[0] !== undefined && NICK_RE.test(args[0])
        ? { kind: 'nick', nick: args[0] }
        : { kind: 'invalid', message: 'usage: /nick NAME (1-32 characters, no spaces)' };
    case 'invite':
      return parseInvite(args);
    case 'who':
    case 'names':
      return optionalChannel(args, (channel) => ({ kind: 'who', ...(channel ? { channel } : {}) }), '/who [#room]');
    case 'list':
    case 'lobby':
      return { kind: 'list' };
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    default:
      return { kind: 'invalid', message: `unknown command /${head}; try /help` };
  }
}

function parseJoin(args: readonly string[]): ChatCommand {
  const [channel, server, ...rest] = args;
  if (channel === undefined || !isValidChannelName(channel) || rest.length > 0) {
    return { kind: 'invalid', message: 'usage: /join #room [server]' };
  }
  return server === undefined ? { kind: 'join', channel } : { kind: 'join', channel, server };
}

function parseInvite(args: readonly string[]): ChatCommand {
  const last = args[args.length - 1];
  const channel = last !== undefined && isValidChannelName(last) ? last : undefined;
  const targets = channel === undefined ? args : args.slice(0, -1);
  if (targets.length === 0) return { kind: 'invalid', message: 'usage: /invite WHO... [#room]' };
  return channel === undefined ? { kind: 'invite', targets } : { kind: 'invite', targets, channel };
}

function optionalChannel(
  args: readonly string[],
  make: (channel: string | undefined) => ChatCommand,
  usage: string,
): ChatCommand {
  if (args.length === 0) return make(undefined);
  if (args.length === 1 && args[0] !== undefined && isValidChannelName(args[0])) return make(args[0]);
  return { kind: 'invalid', message: `usage: ${usage}` };
}
