import { StringDecoder } from 'node:string_decoder';
import { IdylError } from '../api/errors.js';

/**
 * Yields one parsed value per line of newline-delimited JSON as soon as its line is
 * complete (chunks may split lines and UTF-8 characters anywhere). Blank lines are
 * skipped; a line that is not JSON is a broken stream and throws `internal`.
 */
export async function* parseNdjson<T>(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<T> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const parse = (line: string): T => {
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new IdylError('internal', `the server sent a stream line that is not JSON: ${line.slice(0, 120)}`);
    }
  };
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield parse(line);
      nl = pending.indexOf('\n');
    }
  }
  const last = (pending + decoder.end()).trim();
  if (last) yield parse(last);
}
