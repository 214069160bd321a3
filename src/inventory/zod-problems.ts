/** The schema's issues (zod) as inventory problems: plain words, the value found, a "did you mean". */
import type { z } from 'zod';
import { closeMatches } from './close-matches.js';
import { formatFieldPath } from './errors.js';
import type { Problem } from './problem.js';
import {
  Host,
  InventoryFile,
  JournalLog,
  NginxPaths,
  RestartAllow,
  RestartPolicyFile,
  Service,
  SshSettings,
} from './schema.js';

function describeInput(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 60)}…` : input);
  if (typeof input === 'number' || typeof input === 'boolean' || input === null) return String(input);
  if (Array.isArray(input)) return 'a list';
  return 'a map';
}

/** The fields an object at `path` may have, to suggest the intended one for a typo. */
function knownFieldsAt(path: readonly PropertyKey[]): string[] {
  const last = path.at(-1);
  const shapeKeys = (schema: { shape: Record<string, unknown> }) => Object.keys(schema.shape);
  if (path.length === 0) return shapeKeys(InventoryFile);
  if (last === 'ssh') return shapeKeys(SshSettings);
  if (last === 'nginx') return shapeKeys(NginxPaths);
  if (path.length === 1 && last === 'restart') return shapeKeys(RestartPolicyFile);
  if (typeof last === 'number' && path.at(-2) === 'allow') return shapeKeys(RestartAllow);
  if (path.length === 2 && path[0] === 'hosts') return shapeKeys(Host);
  if (typeof last === 'number' && path.at(-2) === 'services') return shapeKeys(Service);
  if (typeof last === 'number' && path.at(-2) === 'logs') return shapeKeys(JournalLog);
  return [];
}

export function problemsFromZod(issue: z.core.$ZodIssue, filePath: string): Problem[] {
  const path = issue.path as PropertyKey[];
  const field = formatFieldPath(path);
  const message = issue.message.replace(/^Invalid input: /, '');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFieldsAt(path);
      return issue.keys.map((key) => {
        const guess = closeMatches(key, known, 1)[0];
        const keyField = formatFieldPath([...path, key]);
        const hint = guess === undefined ? `known fields: ${known.join(', ')}` : `did you mean ${guess}?`;
        return {
          path: [...path, key],
          message: `unknown field (${hint})`,
          fix: `remove or rename ${keyField} in ${filePath}`,
        };
      });
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? message;
      return [{ path, message: `invalid name: ${inner}`, fix: `rename ${field} in ${filePath}` }];
    }
    default: {
      if (!('input' in issue) || issue.input === undefined) {
        return [{ path, message: `missing: ${message}`, fix: `add ${field} in ${filePath}` }];
      }
      return [{ path, message: `${message} (got ${describeInput(issue.input)})` }];
    }
  }
}
