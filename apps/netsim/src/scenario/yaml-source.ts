/**
 * Reads a scenario text (YAML, or JSON, which the YAML parser also reads) and keeps a way back
 * from a value's path to its line, so validation messages can name the bad line.
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { NetsimError } from '../errors.js';

/** A path into the parsed value: keys and indexes. */
export type ValuePath = readonly (string | number)[];

/** The parsed value plus line lookup. */
export interface YamlSource {
  readonly file: string;
  readonly value: unknown;
  /** 1-based line of the value at `path`, or of its nearest existing ancestor. */
  lineOf(path: ValuePath): number;
}

/** Parses `text`; syntax errors come back as NetsimErrors with line and column. */
export function readYamlSource(text: string, file: string): { ok: true; source: YamlSource } | { ok: false; errors: NetsimError[] } {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return new NetsimError('SCENARIO_SYNTAX', `${file}:${pos.line}:${pos.col}: ${firstLine(e.message)}`, { file, line: pos.line, column: pos.col });
      }),
    };
  }
  const lineOf = (path: ValuePath): number => {
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { ok: true, source: { file, value: doc.toJS({ maxAliasCount: 100 }) as unknown, lineOf } };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
