// From @slack/web-api (Bolt re-exports the same @slack/logger types): the worker, which posts with
// WebClient only, then never loads Bolt.
import { type Logger as BoltLogger, LogLevel } from '@slack/web-api';
import type { Logger } from 'pino';
import { redact } from '../parse/redact.js';

/**
 * Bolt logs through our pino (JSON) instead of its console logger. Bolt hands over strings and
 * objects (a debug line can hold a request body, a token, a response_url): pino's field-name
 * redaction cannot see inside a string, so the joined message goes through the same value
 * redaction as the evidence (redact.ts) before it is logged.
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  const join = (msg: unknown[]) =>
    redact(msg.map((m) => (typeof m === 'string' ? m : safeJson(m))).join(' '));
  let level = LogLevel.INFO;
  return {
    debug: (...m: unknown[]) => child.debug(join(m)),
    info: (...m: unknown[]) => child.info(join(m)),
    warn: (...m: unknown[]) => child.warn(join(m)),
    error: (...m: unknown[]) => child.error(join(m)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
