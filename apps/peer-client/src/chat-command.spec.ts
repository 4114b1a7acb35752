import { describe, expect, it } from 'vitest';
import { parseChatLine } from './chat-command.js';

describe('parseChatLine', () => {
  it.each([
    ['hello there', { kind: 'say', text: 'hello there' }],
    ['  indented  ', { kind: 'say', text: '  indented' }],
    ['//not a command', { kind: 'say', text: '/not a command' }],
    ['', { kind: 'empty' }],
    ['   ', { kind: 'empty' }],
    ['/join #room', { kind: 'join', channel: '#room' }],
    ['/JOIN #room srv-1', { kind: 'join', channel: '#room', server: 'srv-1' }],
    ['/join @secret', { kind: 'join', channel: '@secret' }],
    ['/part', { kind: 'part' }],
    ['/part #room', { kind: 'part', channel: '#room' }],
    ['/#room', { kind: 'switch', channel: '#room' }],
    ['/switch #b', { kind: 'switch', channel: '#b' }],
    ['/nick bob', { kind: 'nick', nick: 'bob' }],
    ['/invite bob carol', { kind: 'invite', targets: ['bob', 'carol'] }],
    ['/invite bob @priv', { kind: 'invite', targets: ['bob'], channel: '@priv' }],
    ['/who', { kind: 'who' }],
    ['/who #x', { kind: 'who', channel: '#x' }],
    ['/list', { kind: 'list' }],
    ['/help', { kind: 'help' }],
    ['/quit', { kind: 'quit' }],
    ['/me waves  hello', { kind: 'me', text: 'waves  hello' }],
    ['/msg bob hi  there', { kind: 'msg', target: 'bob', text: 'hi  there' }],
  ])('%j', (line, expected) => {
    expect(parseChatLine(line)).toEqual(expected);
  });

  it.each([
    ['/join #日本', '#日本 has "日": channel names are ASCII and start with # or @'],
    ['/join lobby', 'lobby does not start with # or @: channel names are ASCII and start with # or @ (e.g. #lobby, @team); did you mean #lobby?'],
    ['/join #', '# alone is no name'],
    [`/join #${'x'.repeat(200)}`, 'longer than 200 characters'],
    ['/join', '/join needs a channel: usage: /join #room [server]'],
    ['/join #a b c', 'at most one server, not "c"'],
    ['/nick', '/nick needs a name'],
    ['/nick a b', 'nicks have no spaces'],
    [`/nick ${'n'.repeat(33)}`, 'has 33 characters; nicks have 1-32'],
    ['/invite', '/invite needs whom to invite'],
    ['/invite bob #日本', '#日本 has "日"'],
    ['/part a', 'a does not start with # or @'],
    ['/who #a #b', '/who takes at most one channel'],
    ['/switch', '/switch takes one channel'],
    ['/quit now', '/quit takes nothing after it'],
    ['/frob', 'unknown command /frob: the commands are /join'],
    ['/me', '/me needs an action'],
    ['/msg', '/msg needs whom to write to'],
    ['/msg bob', '/msg needs a text after bob'],
    ['/#日本', '#日本 has "日"'],
  ])('%j says what is wrong and how to do it right', (line, reason) => {
    const cmd = parseChatLine(line);
    expect(cmd.kind).toBe('invalid');
    expect(cmd.kind === 'invalid' ? cmd.message : '').toContain(reason);
  });

  it.each(['/join', '/join room', '/join #a b c', '/nick', '/nick a b', '/invite', '/invite #x', '/who a', '/frob', '/switch x'])(
    'rejects %j with a usage message',
    (line) => {
      const cmd = parseChatLine(line);
      expect(cmd.kind).toBe('invalid');
    },
  );
});
