/**
 * ssh2's client and key parser, loaded from their own files. ssh2's index also loads its SSH server,
 * its HTTP agents and key generation, none of which a diagnosis uses: ~5 ms of every run's start.
 * ssh2 is CommonJS and stays outside the bundle (build.mjs), so it is required from node_modules.
 */
import { createRequire } from 'node:module';
import type { ParsedKey, Client as Ssh2Client } from 'ssh2';

const load = createRequire(import.meta.url);

export const Client = load('ssh2/lib/client.js') as typeof Ssh2Client;

/** An OpenSSH or PEM private key (without a passphrase), or why it cannot be used. */
export const parseKey = (
  load('ssh2/lib/protocol/keyParser.js') as { parseKey: (data: string) => ParsedKey | Error }
).parseKey;
