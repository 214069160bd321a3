/** Hostile text shared by the render tests (test/unit/report, test/bot/audit-output). */

/** A mention, a channel ping, a hidden link, formatting, a fence, terminal sequences and secrets. */
export const HOSTILE =
  'x <!channel> <!here|here> <@U0VICTIM> <#C0SECRET> <https://evil.example/|click here> *ALL CLEAR* :large_green_circle: _calm_ ~fire~ `tick` ``` breakout ``` &amp; ' +
  '\u001b[2J\u001b]0;pwned\u0007\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007\u009b31m\r\u202eevil token=SECRETVALUE redis://:hunter2@db:6379';

/** Control characters other than LF and TAB, DEL, C1, bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the test looks for.
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
