import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidChannelName } from '@ims/codec';
import { parseChatLine } from './chat-command.js';
import { fcRuns } from '../test/fc-runs.js';

const numRuns = fcRuns(200);

describe('parseChatLine properties', () => {
  it('never throws, and every result is a known kind', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (line) => {
        const cmd = parseChatLine(line);
        expect(['join', 'part', 'switch', 'nick', 'invite', 'who', 'me', 'msg', 'list', 'help', 'quit', 'say', 'empty', 'invalid']).toContain(cmd.kind);
      }),
      { numRuns },
    );
  });

  it('a line not starting with / is posted unchanged (apart from trailing blanks)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 100 }).filter((s) => !s.trimStart().startsWith('/') && s.trim() !== ''),
        (line) => {
          expect(parseChatLine(line)).toEqual({ kind: 'say', text: line.trimEnd() });
        },
      ),
      { numRuns },
    );
  });

  it('a join always names a valid channel', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 20 }), (a, b) => {
        const cmd = parseChatLine(`/join ${a} ${b}`);
        if (cmd.kind === 'join') expect(isValidChannelName(cmd.channel)).toBe(true);
      }),
      { numRuns },
    );
  });
});
