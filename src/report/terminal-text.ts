/**
 * The terminal sink's one escape. A log line, a process name or an audit entry can carry ESC, CSI,
 * OSC and C1 sequences (clear the screen, retitle the window, hide text, write a hyperlink), BEL, a
 * carriage return that overprints a line, or bidi overrides that reorder it. Every such character
 * is shown as its escape (`\x1b`, `\u202e`), so what prints is what the host sent, made visible.
 * Newlines and tabs stay (evidence is multi-line); the renderers add their own colours afterwards.
 */

// C0 but TAB and LF, DEL, C1 (U+0080-U+009F), and the bidi controls (LRM/RLM, embeddings,
// overrides, isolates).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Every string in `value` (a report, a check, an audit entry) escaped for the terminal. */
export function forTerminal<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T;
  if (Array.isArray(value)) return value.map(forTerminal) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forTerminal(v)])) as T;
  }
  return value;
}
