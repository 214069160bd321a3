import type { NginxDirective } from './types.js';

/**
 * Tokenizer and directive-tree builder for one nginx config file, following
 * `ngx_conf_read_token()` in src/core/ngx_conf_file.c:
 * - tokens are separated by whitespace; `;` ends a directive, `{` opens a block, `}` closes one;
 * - `#` starts a comment only at the start of a token (`a#b` is one token);
 * - `"..."` and `'...'` are single tokens; `\"`, `\'`, `\\` lose the backslash and `\t \r \n`
 *   become control characters (other `\x` pairs are kept as written), inside and outside quotes;
 * - in an unquoted word only whitespace, `;` and `{` end the token, except `${`, which starts a
 *   variable name running to `}` (`${host}` does not open a block);
 * - `*_by_lua_block { ... }` bodies are Lua, not nginx syntax: kept as one raw argument
 *   (what crossplane does).
 */

interface Token {
  value: string;
  line: number;
  /** `;`, `{` or `}` as syntax (a quoted `";"` is a plain word). */
  special: boolean;
}

class Lexer {
  private pos = 0;
  line = 1;

  constructor(private readonly text: string) {}

  next(): Token | undefined {
    const s = this.text;
    for (;;) {
      if (this.pos >= s.length) return undefined;
      const ch = s[this.pos];
      if (ch === '\n') {
        this.line++;
        this.pos++;
      } else if (ch === ' ' || ch === '\t' || ch === '\r') {
        this.pos++;
      } else if (ch === '#') {
        const eol = s.indexOf('\n', this.pos);
        this.pos = eol < 0 ? s.length : eol;
      } else {
        break;
      }
    }
    const ch = s[this.pos] ?? '';
    const line = this.line;
    if (ch === ';' || ch === '{' || ch === '}') {
      this.pos++;
      return { value: ch, line, special: true };
    }
    if (ch === '"' || ch === "'") return { value: this.quoted(ch), line, special: false };
    return { value: this.word(), line, special: false };
  }

  private quoted(quote: string): string {
    const s = this.text;
    const out: string[] = [];
    let i = this.pos + 1;
    let chunk = i;
    while (i < s.length && s[i] !== quote) {
      if (s[i] === '\\' && i + 1 < s.length) {
        out.push(s.slice(chunk, i), unescapeChar(s[i + 1] ?? ''));
        if (s[i + 1] === '\n') this.line++;
        i += 2;
        chunk = i;
        continue;
      }
      if (s[i] === '\n') this.line++;
      i++;
    }
    out.push(s.slice(chunk, i));
    this.pos = Math.min(i + 1, s.length);
    return out.join('');
  }

  private word(): string {
    const s = this.text;
    const out: string[] = [];
    let i = this.pos;
    let chunk = i;
    while (i < s.length) {
      const c = s[i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === ';' || c === '{') break;
      if (c === '\\' && i + 1 < s.length) {
        out.push(s.slice(chunk, i), unescapeChar(s[i + 1] ?? ''));
        i += 2;
        chunk = i;
        continue;
      }
      if (c === '$' && s[i + 1] === '{') {
        const close = s.indexOf('}', i + 2);
        const nl = s.indexOf('\n', i + 2);
        // `${name}` never spans lines; an unclosed `${` is left to end the word normally.
        if (close >= 0 && (nl < 0 || close < nl)) {
          i = close + 1;
          continue;
        }
      }
      i++;
    }
    out.push(s.slice(chunk, i));
    this.pos = i;
    return out.join('');
  }

  /**
   * Raw body of a `*_by_lua_block` after its `{`: brace depth counted outside Lua strings and
   * `--` comments. Returns the text between the braces and consumes the closing `}`.
   */
  luaBlock(): string {
    const s = this.text;
    const start = this.pos;
    let depth = 1;
    let i = start;
    while (i < s.length) {
      const c = s[i];
      if (c === '\n') this.line++;
      if (c === '"' || c === "'") {
        i++;
        while (i < s.length && s[i] !== c && s[i] !== '\n') i += s[i] === '\\' ? 2 : 1;
      } else if (c === '-' && s[i + 1] === '-') {
        const eol = s.indexOf('\n', i);
        i = eol < 0 ? s.length : eol;
        continue;
      } else if (c === '{') {
        depth++;
      } else if (c === '}') {
        depth--;
        if (depth === 0) {
          this.pos = i + 1;
          return s.slice(start, i);
        }
      }
      i++;
    }
    this.pos = s.length;
    return s.slice(start);
  }
}

function unescapeChar(c: string): string {
  switch (c) {
    case '"':
    case "'":
    case '\\':
      return c;
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'n':
      return '\n';
    default:
      return `\\${c}`;
  }
}

export interface ParsedFile {
  directives: NginxDirective[];
  errors: string[];
  /** Set when the file was not read to its end (blocks nested past MAX_BLOCK_DEPTH). */
  notRead?: string;
}

/**
 * Blocks nested deeper than this end the file's reading: real configs nest a handful of levels
 * (http > server > location > if), and the expansion and every walk over the tree recurse per level.
 */
export const MAX_BLOCK_DEPTH = 64;
/** Errors kept per file: a hostile file of a million `}` says so once, not a million times. */
const MAX_ERRORS = 50;

/** Parses one file's text into directives (includes are left as `include` directives). */
export function parseConfigText(text: string, file: string): ParsedFile {
  const lexer = new Lexer(text);
  const errors: string[] = [];
  const root: NginxDirective[] = [];
  const stack: NginxDirective[][] = [root];
  let words: Token[] = [];
  let notRead: string | undefined;
  let dropped = 0;
  const error = (message: string) => {
    if (errors.length < MAX_ERRORS) errors.push(message);
    else dropped++;
  };
  for (let tok = lexer.next(); tok !== undefined; tok = lexer.next()) {
    if (!tok.special) {
      words.push(tok);
      continue;
    }
    const current = stack[stack.length - 1] ?? root;
    const head = words[0];
    if (tok.value === '}') {
      if (head) error(`${file}:${head.line}: "${head.value}" is not terminated by ";"`);
      words = [];
      if (stack.length === 1) error(`${file}:${tok.line}: unexpected "}"`);
      else stack.pop();
      continue;
    }
    if (!head) {
      error(`${file}:${tok.line}: unexpected "${tok.value}"`);
      continue;
    }
    const d: NginxDirective = {
      name: head.value,
      args: words.slice(1).map((w) => w.value),
      file,
      line: head.line,
    };
    words = [];
    current.push(d);
    if (tok.value === '{') {
      if (d.name.endsWith('_by_lua_block')) {
        d.args.push(lexer.luaBlock());
        continue;
      }
      if (stack.length > MAX_BLOCK_DEPTH) {
        current.pop();
        notRead = `${file} from line ${d.line}: blocks nested deeper than ${MAX_BLOCK_DEPTH} levels`;
        break;
      }
      d.block = [];
      stack.push(d.block);
    }
  }
  if (notRead === undefined) {
    if (words[0]) error(`${file}:${words[0].line}: unexpected end of file, expecting ";" or "}"`);
    if (stack.length > 1) error(`${file}:${lexer.line}: unexpected end of file, expecting "}"`);
  }
  if (dropped > 0) errors.push(`${file}: ${dropped} more errors`);
  return notRead === undefined ? { directives: root, errors } : { directives: root, errors, notRead };
}
