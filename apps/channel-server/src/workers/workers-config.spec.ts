import { describe, expect, it } from 'vitest';
import { ConfigError } from '@ims/app-kit';
import { parseServerConfig } from '../config.js';

describe('--workers', () => {
  it('defaults to 1 (one process) and reads the flag and IMS_WORKERS', () => {
    expect(parseServerConfig([], {}).workers).toBe(1);
    expect(parseServerConfig(['--workers', '4'], {}).workers).toBe(4);
    expect(parseServerConfig([], { IMS_WORKERS: '2' }).workers).toBe(2);
  });

  it('refuses 0 and --standby-for with more than one worker, naming the fix', () => {
    expect(() => parseServerConfig(['--workers', '0'], {})).toThrow(ConfigError);
    expect(() => parseServerConfig(['--workers', '2', '--standby-for', 'all'], {})).toThrow(/--standby-for: run the standby replica as its own server with --workers 1/);
    expect(parseServerConfig(['--workers', '1', '--standby-for', 'all'], {}).standbyFor).toEqual(['all']);
  });
});
