import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CONFIGURED_PEER_ID_LENGTH } from '@ims/codec';
import { SERVER_ID_FILE, ServerIdError, defaultServerId } from './server-id.js';

describe('defaultServerId', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ims-id-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates an ID in the data directory once and returns it ever after', () => {
    const data = join(dir, 'data');
    const first = defaultServerId(data);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(join(data, SERVER_ID_FILE), 'utf8')).toBe(first + '\n');
    expect(defaultServerId(data)).toBe(first);
  });

  it('returns a fresh UUID without a data directory', () => {
    expect(defaultServerId(undefined)).not.toBe(defaultServerId(undefined));
  });

  it('uses an ID an operator wrote, and refuses one that is not a peer ID', () => {
    writeFileSync(join(dir, SERVER_ID_FILE), 'box-7\n');
    expect(defaultServerId(dir)).toBe('box-7');
    writeFileSync(join(dir, SERVER_ID_FILE), 'two words\n');
    expect(() => defaultServerId(dir)).toThrow(ServerIdError);
    writeFileSync(join(dir, SERVER_ID_FILE), 'x'.repeat(MAX_CONFIGURED_PEER_ID_LENGTH + 1) + '\n');
    expect(() => defaultServerId(dir)).toThrow(/1-64 characters/);
  });
});
