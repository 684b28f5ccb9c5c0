/**
 * A small TOML reader, enough for the Kata Containers configuration files the host
 * checks read: tables, arrays of tables, dotted and quoted keys, strings of all four
 * kinds, numbers, booleans, dates (kept as text), arrays and inline tables. Anything
 * it cannot read is an error with a line number, never a guess: a Kata config that
 * does not parse fails its check (field case 11).
 */

/** A TOML value as read. Dates and times are kept as their text. */
export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
/** A TOML table. */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** The parsed document, or the first error with its line. */
export type TomlParse = { readonly ok: true; readonly value: TomlTable } | { readonly ok: false; readonly error: string };

class TomlSyntaxError extends Error {}

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** Parses TOML text; never throws. */
export function parseToml(text: string): TomlParse {
  const reader = new Reader(text);
  try {
    return { ok: true, value: reader.document() };
  } catch (e) {
    if (e instanceof TomlSyntaxError) return { ok: false, error: `line ${reader.line()}: ${e.message}` };
    throw e;
  }
}

/** The table at a dotted path of plain keys (e.g. `['hypervisor', 'qemu']`), or undefined. */
export function tomlTableAt(root: TomlTable, path: readonly string[]): TomlTable | undefined {
  let at: TomlValue | undefined = root;
  for (const key of path) {
    if (!isTable(at)) return undefined;
    at = Object.hasOwn(at, key) ? at[key] : undefined;
  }
  return isTable(at) ? at : undefined;
}

function isTable(v: TomlValue | undefined): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  private pos = 0;
  constructor(private readonly src: string) {}

  line(): number {
    return this.src.slice(0, this.pos).split('\n').length;
  }

  document(): TomlTable {
    const root: TomlTable = {};
    // Tables named by a header, so a second `[a]` header is refused as TOML requires.
    const declared = new Set<TomlTable>();
    let current = root;
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.src.length) return root;
      const c = this.src[this.pos];
      if (c === '\n' || c === '\r') {
        this.pos++;
        continue;
      }
      if (c === '#') {
        this.skipComment();
        continue;
      }
      if (c === '[') current = this.header(root, declared);
      else this.keyValue(current);
      this.endOfLine();
    }
  }

  private header(root: TomlTable, declared: Set<TomlTable>): TomlTable {
    const many = this.src.startsWith('[[', this.pos);
    this.pos += many ? 2 : 1;
    this.skipBlank();
    const keys = this.key();
    this.skipBlank();
    if (!this.src.startsWith(many ? ']]' : ']', this.pos)) this.fail(`expected ${many ? ']]' : ']'} after table name`);
    this.pos += many ? 2 : 1;
    const parent = this.descend(root, keys.slice(0, -1));
    const last = keys[keys.length - 1] as string;
    if (many) {
      const list = Object.hasOwn(parent, last) ? parent[last] : (parent[last] = []);
      if (!Array.isArray(list)) this.fail(`"${keys.join('.')}" is not an array of tables`);
      const table: TomlTable = {};
      list.push(table);
      return table;
    }
    const existing = Object.hasOwn(parent, last) ? parent[last] : undefined;
    if (existing !== undefined && !isTable(existing)) this.fail(`"${keys.join('.')}" is already a value`);
    const table = existing ?? (parent[last] = {});
    if (declared.has(table)) this.fail(`table [${keys.join('.')}] is defined twice`);
    declared.add(table);
    return table;
  }

  private keyValue(table: TomlTable): void {
    const keys = this.key();
    this.skipBlank();
    if (this.src[this.pos] !== '=') this.fail(`expected "=" after key "${keys.join('.')}"`);
    this.pos++;
    this.skipBlank();
    const value = this.value();
    const parent = this.descend(table, keys.slice(0, -1));
    const last = keys[keys.length - 1] as string;
    if (Object.hasOwn(parent, last)) this.fail(`duplicate key "${keys.join('.')}"`);
    parent[last] = value;
  }

  private descend(table: TomlTable, keys: readonly string[]): TomlTable {
    let at = table;
    for (const k of keys) {
      let next: TomlValue | undefined = Object.hasOwn(at, k) ? at[k] : (at[k] = {});
      if (Array.isArray(next)) next = next[next.length - 1];
      if (!isTable(next)) this.fail(`"${k}" is a value, not a table`);
      at = next;
    }
    return at;
  }

  private key(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipBlank();
      const c = this.src[this.pos];
      if (c === '"') keys.push(this.basicString());
      else if (c === "'") keys.push(this.literalString());
      else {
        const start = this.pos;
        while (this.pos < this.src.length && BARE_KEY.test(this.src[this.pos] as string)) this.pos++;
        if (this.pos === start) this.fail('expected a key');
        keys.push(this.src.slice(start, this.pos));
      }
      this.skipBlank();
      if (this.src[this.pos] !== '.') return keys;
      this.pos++;
    }
  }

  private value(): TomlValue {
    const rest = this.src.slice(this.pos, this.pos + 3);
    if (rest === '"""') return this.multiline('"""');
    if (rest === "'''") return this.multiline("'''");
    const c = this.src[this.pos];
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    if (c === '[') return this.array();
    if (c === '{') return this.inlineTable();
    const m = /^[0-9A-Za-z_.:+-]+(?: [0-9][0-9:.+Z-]*)?/.exec(this.src.slice(this.pos));
    if (!m) this.fail('expected a value');
    const word = m[0];
    this.pos += word.length;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (/^[+-]?(inf|nan)$/.test(word)) return Number(word.replace('inf', 'Infinity').replace('nan', 'NaN'));
    if (/^[+-]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][+-]?\d(_?\d)*)?$/.test(word)) return Number(word.replace(/_/g, ''));
    if (/^0x[0-9A-Fa-f](_?[0-9A-Fa-f])*$|^0o[0-7](_?[0-7])*$|^0b[01](_?[01])*$/.test(word)) return Number(word.replace(/_/g, ''));
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}:\d{2}/.test(word)) return word;
    this.fail(`"${word}" is not a TOML value (strings need quotes)`);
  }

  private array(): TomlValue[] {
    this.pos++;
    const out: TomlValue[] = [];
    for (;;) {
      this.skipSpaceAndComments();
      if (this.src[this.pos] === ']') {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.skipSpaceAndComments();
      const c = this.src[this.pos];
      if (c === ',') this.pos++;
      else if (c !== ']') this.fail('expected "," or "]" in array');
    }
  }

  private inlineTable(): TomlTable {
    this.pos++;
    const table: TomlTable = {};
    this.skipBlank();
    if (this.src[this.pos] === '}') {
      this.pos++;
      return table;
    }
    for (;;) {
      this.keyValue(table);
      this.skipBlank();
      const c = this.src[this.pos];
      this.pos++;
      if (c === '}') return table;
      if (c !== ',') this.fail('expected "," or "}" in inline table');
      this.skipBlank();
    }
  }

  private basicString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      this.pos++;
      if (c === '"') return out;
      out += c === '\\' ? this.escape() : c;
    }
  }

  private literalString(): string {
    const end = this.src.indexOf("'", this.pos + 1);
    const nl = this.src.indexOf('\n', this.pos + 1);
    if (end < 0 || (nl >= 0 && nl < end)) this.fail('unterminated string');
    const out = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return out;
  }

  private multiline(quote: '"""' | "'''"): string {
    this.pos += 3;
    if (this.src[this.pos] === '\n') this.pos++;
    else if (this.src.startsWith('\r\n', this.pos)) this.pos += 2;
    let out = '';
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated multi-line string');
      if (this.src.startsWith(quote, this.pos)) {
        this.pos += 3;
        return out;
      }
      const c = this.src[this.pos++] as string;
      if (c === '\\' && quote === '"""') {
        // A backslash at the end of a line trims the line break and leading blanks.
        if (/^[ \t]*\r?\n/.test(this.src.slice(this.pos))) {
          while (/[ \t\r\n]/.test(this.src[this.pos] ?? '')) this.pos++;
        } else out += this.escape();
      } else out += c;
    }
  }

  private escape(): string {
    const c = this.src[this.pos++] ?? '';
    if (Object.hasOwn(ESCAPES, c)) return ESCAPES[c] as string;
    if (c === 'u' || c === 'U') {
      const len = c === 'u' ? 4 : 8;
      const hex = this.src.slice(this.pos, this.pos + len);
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) this.fail('bad unicode escape');
      this.pos += len;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    this.fail(`bad escape "\\${c}"`);
  }

  private endOfLine(): void {
    this.skipBlank();
    if (this.src[this.pos] === '#') this.skipComment();
    const c = this.src[this.pos];
    if (c !== undefined && c !== '\n' && c !== '\r') this.fail(`unexpected "${c}" after a value`);
  }

  private skipBlank(): void {
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.pos++;
  }

  private skipComment(): void {
    while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#') this.skipComment();
      else return;
    }
  }

  private fail(message: string): never {
    throw new TomlSyntaxError(message);
  }
}
