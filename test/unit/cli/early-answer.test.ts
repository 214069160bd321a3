import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { earlyAnswer } from '../../../src/cli/parse-args.js';
import { runCli } from '../../../src/cli/run-cli.js';

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

describe('answers given before the diagnosis is loaded', () => {
  it.each([
    [['--help']],
    [['-h']],
    [['web-1', '--help']],
    [['--version']],
    [[]],
    [['--json']],
    [['web-1', '--bogus']],
    [['web-1', 'web-2']],
    [['web-1', '--since', '1y']],
    [['web-1', '--concurrency', '0']],
    [['web-1', '--inventory']],
  ])('%j: the same text and exit code as runCli', async (argv) => {
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(argv, { env: {}, stdout, stderr, version: '9.9.9' });
    expect(earlyAnswer(argv, '9.9.9')).toEqual({ code, stdout: stdout.text(), stderr: stderr.text() });
  });

  it('leaves a command line naming a target to the diagnosis', () => {
    expect(earlyAnswer(['web-1'], '9.9.9')).toBeUndefined();
    expect(earlyAnswer(['web', '--json', '--since', '1h'], '9.9.9')).toBeUndefined();
  });
});
