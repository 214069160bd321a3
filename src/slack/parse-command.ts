import { parseDuration } from '../cli/parse-args.js';
import { TARGET_PATTERN } from '../inventory/resolve-target.js';

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'diagnose'; target: string; sinceS: number }
  | { kind: 'usage'; message: string };

export const DEFAULT_SINCE_S = 15 * 60;

/** `/diagnose502 <host|group> [since]` or `help` (pure; the text never reaches a shell). */
export function parseCommandText(text: string): ParsedCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || (words.length === 1 && /^(help|-h|--help)$/i.test(words[0] ?? ''))) {
    return { kind: 'help' };
  }
  if (words.length > 2) {
    return { kind: 'usage', message: 'Give one host or group and at most a window, e.g. `web-3 1h`.' };
  }
  const [target = '', since] = words;
  if (!TARGET_PATTERN.test(target)) {
    return { kind: 'usage', message: `\`${target.slice(0, 80)}\` is not a host or group name.` };
  }
  if (since === undefined) return { kind: 'diagnose', target, sinceS: DEFAULT_SINCE_S };
  try {
    return { kind: 'diagnose', target, sinceS: parseDuration(since) };
  } catch {
    return {
      kind: 'usage',
      message: `\`${since.slice(0, 20)}\` is not a window: use 30s, 15m, 2h or 1d (at most 7d).`,
    };
  }
}
