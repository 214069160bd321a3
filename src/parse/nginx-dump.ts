/**
 * Splitting `nginx -T` output. `ngx_dump_config` (src/core/nginx.c) writes, after the `nginx -t`
 * messages, each file parsed as `# configuration file <path>:` + LF + the file's bytes + LF, in
 * parse order, each file once (even when included several times). The test messages go to stderr;
 * callers usually merge it (`2>&1`), so they come first.
 */

export interface DumpedFile {
  path: string;
  text: string;
}

export interface NginxDumpFiles {
  /** Non-empty lines before the first file marker: `nginx: the configuration file ... syntax is ok`. */
  testLines: string[];
  files: DumpedFile[];
}

const MARKER_RE = /^# configuration file (.+):$/;
/** `nginx -t` messages (ngx_log_stderr / ngx_test_config); stderr can land after the dump when merged. */
const TEST_LINE_RE =
  /^nginx: (?:\[(?:emerg|alert|crit|error|warn|notice|info)\] |(?:the )?configuration file )/;

export function splitNginxDump(output: string): NginxDumpFiles {
  const lines = output.split('\n');
  const testLines: string[] = [];
  const files: DumpedFile[] = [];
  let path: string | undefined;
  let body: string[] = [];
  const flush = (): void => {
    if (path === undefined) return;
    // ngx_dump_config appends one LF after the file's own bytes: drop that line only.
    if (body.length > 0 && body[body.length - 1] === '') body.pop();
    files.push({ path, text: body.join('\n') });
  };
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = MARKER_RE.exec(line);
    if (TEST_LINE_RE.test(line)) {
      testLines.push(line);
    } else if (m?.[1] !== undefined) {
      flush();
      path = m[1];
      body = [];
    } else if (path !== undefined) {
      body.push(line);
    } else if (line.trim() !== '') {
      testLines.push(line);
    }
  }
  flush();
  return { testLines, files };
}

/**
 * `nginx -t` verdict from its messages: ok when nginx said `test is successful` and nothing
 * said `[emerg]` or `test failed`. `lines` are the messages as printed.
 */
export function parseNginxTestOutput(text: string): { ok: boolean; lines: string[] } {
  const { testLines } = splitNginxDump(text);
  const ok =
    testLines.some((l) => /\btest is successful\b/.test(l)) &&
    !testLines.some((l) => /\[emerg\]|\btest failed\b/.test(l));
  return { ok, lines: testLines };
}
