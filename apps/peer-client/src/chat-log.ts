/**
 * The optional chat log (`--log-dir`, off by default): one file per channel, `<dir>/<channel>.log`,
 * the lines the terminal shows (posts, history, notices), appended. A file that cannot be written is
 * logged once and given up; the chat goes on.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@ims/app-kit';

/** Appends lines to per-channel log files. */
export interface ChatLog {
  /** Appends one line (a newline is added) to the file of `channel`. */
  write(channel: string, line: string): void;
  /** Closes every file, once what was written is flushed. */
  close(): Promise<void>;
}

/** The file name of a channel's log: the name with anything outside `[A-Za-z0-9#@._-]` as `_`. */
export function logFileName(channel: string): string {
  return `${channel.replace(/[^A-Za-z0-9#@._-]/g, '_')}.log`;
}

/** Opens the log directory (creating it); `undefined` dir gives a log that writes nothing. */
export function openChatLog(dir: string | undefined, logger: Logger): ChatLog {
  if (dir === undefined) return { write: () => undefined, close: () => Promise.resolve() };
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, WriteStream | undefined>();
  const fileOf = (channel: string): WriteStream | undefined => {
    if (files.has(channel)) return files.get(channel);
    const stream = createWriteStream(join(dir, logFileName(channel)), { flags: 'a' });
    stream.on('error', (error) => {
      logger.warn('chat_log.failed', { channel, error });
      files.set(channel, undefined);
    });
    files.set(channel, stream);
    return stream;
  };
  return {
    write(channel, line) {
      fileOf(channel)?.write(line + '\n');
    },
    async close() {
      await Promise.all([...files.values()].map((s) => (s ? new Promise<void>((resolve) => s.end(resolve)) : undefined)));
      files.clear();
    },
  };
}
