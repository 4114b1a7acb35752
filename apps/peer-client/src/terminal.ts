/**
 * Line I/O for the front-ends. On a terminal, a readline prompt showing the current channel that
 * incoming lines do not garble; on pipes (scripts, tests, netsim), plain lines in and out.
 */
import { clearLine, createInterface, cursorTo, moveCursor } from 'node:readline';
import { Observable } from 'rxjs';

/** Lines in, lines out, and the prompt. */
export interface LineIo {
  /** Input lines; completes on EOF (Ctrl-D) or Ctrl-C on a terminal. */
  readonly lines$: Observable<string>;
  /** Writes one line (adds the newline). */
  print(line: string): void;
  /** Shows the current channel in the prompt (terminal only). */
  setCurrent(channel: string | undefined): void;
  /**
   * Takes the line just typed off the screen (terminal only; call it while handling that line): a
   * post is shown once, when the host echoes it, not twice (issue 14).
   */
  eraseTyped(line: string): void;
  /**
   * Resolves with the write error once the output went away (EPIPE: whoever read our stdout closed
   * it); nothing is written after that, so the process can still leave its channels with EXIT.
   */
  readonly gone: Promise<Error>;
}

/** Watches `output` for its first write error; `isGone()` tells the printers to stop writing. */
function watchOutput(output: NodeJS.WriteStream): { gone: Promise<Error>; isGone: () => boolean } {
  let failed = false;
  const gone = new Promise<Error>((resolve) => {
    // A listener stays for good: a later write to the broken pipe must not become uncaught.
    output.on('error', (err: Error) => {
      if (failed) return;
      failed = true;
      resolve(err);
    });
  });
  return { gone, isGone: () => failed || output.destroyed };
}

/** Line I/O over a process's stdin/stdout; `interactive` asks for a prompt when stdin is a TTY. */
export function lineIo(input: NodeJS.ReadStream, output: NodeJS.WriteStream, interactive: boolean): LineIo {
  const tty = interactive && input.isTTY === true && output.isTTY === true;
  const { gone, isGone } = watchOutput(output);
  if (!tty) {
    return {
      lines$: linesOf(input),
      print: (line) => {
        if (!isGone()) output.write(line + '\n');
      },
      setCurrent: () => undefined,
      eraseTyped: () => undefined,
      gone,
    };
  }
  const rl = createInterface({ input, output, terminal: true });
  let prompt = '> ';
  rl.setPrompt(prompt);
  const lines$ = new Observable<string>((sub) => {
    rl.on('line', (line) => {
      sub.next(line);
      rl.prompt();
    });
    rl.on('close', () => sub.complete());
    // Ctrl-C at the prompt quits like /quit (EXIT on every channel) instead of killing the process.
    rl.on('SIGINT', () => rl.close());
    rl.prompt();
    return () => rl.close();
  });
  return {
    lines$,
    gone,
    print(line) {
      if (isGone()) return;
      // Write above the prompt, then redraw it with what the user had typed so far.
      clearLine(output, 0);
      cursorTo(output, 0);
      output.write(line + '\n');
      rl.prompt(true);
    },
    setCurrent(channel) {
      if (isGone()) return;
      prompt = `${channel ?? ''}> `;
      rl.setPrompt(prompt);
      rl.prompt(true);
    },
    eraseTyped(line) {
      if (isGone()) return;
      // Enter left the cursor below the typed line (the prompt is redrawn after the handler): go
      // up over every row it wrapped onto and clear them.
      const columns = output.columns > 0 ? output.columns : 80;
      const rows = Math.max(1, Math.ceil((prompt.length + [...line].length) / columns));
      for (let i = 0; i < rows; i++) {
        moveCursor(output, 0, -1);
        clearLine(output, 0);
      }
      cursorTo(output, 0);
    },
  };
}

/** Lines of a readable stream; completes on EOF. */
export function linesOf(input: NodeJS.ReadableStream): Observable<string> {
  return new Observable<string>((sub) => {
    const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
    rl.on('line', (line) => sub.next(line));
    rl.on('close', () => sub.complete());
    return () => rl.close();
  });
}
