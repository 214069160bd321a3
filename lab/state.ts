/**
 * state.json: what a running lab consists of (hosts, addresses, pids), written after `up` and read
 * by `status`, `down`, tests and benchmarks. Parsed with zod, since a half-written or old file must
 * fail with a clear message rather than half-work.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { LabConfig } from './config.js';
import { statePath } from './config.js';

export const HostStateSchema = z.object({
  name: z.string(),
  kind: z.enum(['web', 'app']),
  address: z.string(),
  lastOctet: z.number().int(),
  services: z.array(z.enum(['sshd', 'nginx', 'app', 'php-fpm', 'gunicorn', 'uwsgi', 'puma', 'apache'])),
  appHost: z.object({ name: z.string(), address: z.string() }).optional(),
  netns: z.string(),
  veth: z.string(),
  unsharePid: z.number().int(),
  initPid: z.number().int(),
  hostKey: z.string(),
});
export type HostState = z.infer<typeof HostStateSchema>;

export const LabStateSchema = z.object({
  version: z.literal(1),
  id: z.number().int(),
  dir: z.string(),
  uplink: z.string(),
  createdAt: z.string(),
  /** `cli`: started by `npm run lab -- up`, lives until `down`; `process`: dies with that process. */
  owner: z.union([
    z.object({ kind: z.literal('cli') }),
    z.object({ kind: z.literal('process'), pid: z.number() }),
  ]),
  hosts: z.array(HostStateSchema),
});
export type LabState = z.infer<typeof LabStateSchema>;

export async function readState(cfg: LabConfig): Promise<LabState | undefined> {
  const file = statePath(cfg);
  if (!existsSync(file)) return undefined;
  const parsed = LabStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `lab: ${file} is not a lab state file (${parsed.error.issues[0]?.message}). Run \`npm run lab -- down\` to clean up.`,
    );
  }
  return parsed.data;
}

export async function writeState(cfg: LabConfig, state: LabState): Promise<void> {
  const file = statePath(cfg);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}
