/** The live progress line on stderr (only on a TTY, or when asked with --progress). */

/** Something that can show progress. */
export interface Progress {
  update(text: string): void;
  done(): void;
}

/** A progress line that rewrites itself; a no-op when disabled. */
export function progressLine(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) return { update: () => undefined, done: () => undefined };
  const tty = stream.isTTY === true;
  return {
    update(text) {
      // Not a TTY (e.g. --progress in CI): plain lines, since \r would pile up.
      stream.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
    },
    done() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}
