import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.js';

describe('bot logger', () => {
  it('writes JSON lines with secrets redacted by field name, in child loggers too', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', 'worker', sink);
    log.child({ jobId: 'j1' }).info(
      {
        token: 'xoxb-secret',
        data: { responseUrl: 'https://hooks.slack.com/x', target: 'web-3' },
        headers: { authorization: 'Bearer x' },
      },
      'posted',
    );
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ role: 'worker', jobId: 'j1', msg: 'posted', token: '[redacted]' });
    expect(entry.data).toEqual({ responseUrl: '[redacted]', target: 'web-3' });
    expect(lines.join('')).not.toMatch(/xoxb-secret|hooks\.slack\.com|Bearer x/);
  });
});
