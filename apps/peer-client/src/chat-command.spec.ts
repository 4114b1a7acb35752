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
  ])('%j', (line, expected) => {
    expect(parseChatLine(line)).toEqual(expected);
  });

  it.each(['/join', '/join room', '/join #a b c', '/nick', '/nick a b', '/invite', '/invite #x', '/who a', '/frob', '/switch x'])(
    'rejects %j with a usage message',
    (line) => {
      const cmd = parseChatLine(line);
      expect(cmd.kind).toBe('invalid');
    },
  );
});
