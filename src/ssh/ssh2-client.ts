/**
 * ssh2's client and key parser, loaded from their own files. ssh2's index also loads its SSH server,
 * its HTTP agents and key generation, none of which a diagnosis uses: ~5 ms of every run's start.
 * Imported statically so that the CLI's CommonJS bundle (build.mjs) can carry them, compiled once
 * into its code cache (src/cli/compile-cache.ts); the bot's ES module build imports them from
 * node_modules.
 */
import type { ParsedKey, Client as Ssh2Client } from 'ssh2';
import clientModule from 'ssh2/lib/client.js';
import keyParser from 'ssh2/lib/protocol/keyParser.js';

export const Client = clientModule as typeof Ssh2Client;

/** An OpenSSH or PEM private key (without a passphrase), or why it cannot be used. */
export const parseKey = (keyParser as { parseKey: (data: string) => ParsedKey | Error }).parseKey;
