import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@ims/app-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { logFileName, openChatLog } from './chat-log.js';

const logger = createLogger({ level: 'silent' });
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('chat log', () => {
  it('appends the lines of each channel to its own file, created with the folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ims-chatlog-'));
    dirs.push(root);
    const dir = join(root, 'logs');
    const log = openChatLog(dir, logger);
    log.write('#ops', 'one');
    log.write('@p/x', 'private');
    log.write('#ops', 'two');
    await log.close();
    expect(readFileSync(join(dir, '#ops.log'), 'utf8')).toBe('one\ntwo\n');
    expect(readFileSync(join(dir, logFileName('@p/x')), 'utf8')).toBe('private\n');
    expect(logFileName('@p/x')).toBe('@p_x.log');
    const again = openChatLog(dir, logger);
    again.write('#ops', 'three');
    await again.close();
    expect(readFileSync(join(dir, '#ops.log'), 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('writes nothing without a folder', async () => {
    const log = openChatLog(undefined, logger);
    log.write('#ops', 'x');
    await log.close();
  });
});
