import { type Logger, pino } from 'pino';

/** JSON logs; secrets are redacted by field name wherever they appear (renovate's approach). */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'responseUrl',
  '*.responseUrl',
  '*.response_url',
  'headers.authorization',
  '*.headers.authorization',
  'redisUrl',
  '*.redisUrl',
];

export function createLogger(level: string, role: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'diagnose502', role },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
