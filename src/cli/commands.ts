/**
 * The CLI's commands, each a module imported only when it runs: one small dispatch, so the
 * process loads what the command in hand needs and nothing else. `--help` never pays for SSH, YAML
 * or the rule engine, and a diagnosis never loads the Slack bot's dependencies (Bolt, BullMQ,
 * prom-client), which only its `serve`, `worker` and `start` subcommands need.
 */
import type { CliIo } from './run-cli.js';

/** A command: its own arguments and the process's streams in, an exit code out. */
export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Loads a command's module; called only for the command that runs. */
export type LoadCommand = () => Promise<Command>;

/** Without a subcommand, the argument is a host or group to diagnose. */
export const DIAGNOSE: LoadCommand = async () => (await import('./run-cli.js')).runCli;

export const BOT_ROLES: ReadonlySet<string> = new Set(['serve', 'worker', 'start']);

/** The Slack bot's roles: Bolt, BullMQ and prom-client load only when one of them runs. */
const bot =
  (role: 'serve' | 'worker' | 'start'): LoadCommand =>
  async () => {
    const { runBot } = await import('../bot/run-bot.js');
    return (_argv, io) =>
      runBot(role, { env: io.env, stderr: io.stderr, signal: io.signal ?? new AbortController().signal });
  };

/**
 * Subcommands by name, the first argument. An inventory host named like a subcommand would be
 * shadowed by it, so subcommand names are words, not hosts.
 */
export const SUBCOMMANDS: Readonly<Record<string, LoadCommand>> = {
  serve: bot('serve'),
  worker: bot('worker'),
  start: bot('start'),
  /** The safe restarts' audit trail (src/actions/run-audit.ts). */
  audit: async () => (await import('../actions/run-audit.js')).runAudit,
  /** The sudoers file for `sudo: true` hosts: exactly the commands run as root (src/probes/privileged-commands.ts). */
  sudoers: async () => (await import('./run-sudoers.js')).runSudoers,
  /** `feedback export`: each verdict marked wrong in Slack as a lab-scenario skeleton (src/feedback/). */
  feedback: async () => (await import('./run-feedback.js')).runFeedback,
};

export interface PickedCommand {
  /** `diagnose` or the subcommand's name. */
  name: string;
  load: LoadCommand;
  /** The arguments the command itself reads (the subcommand's name removed). */
  argv: string[];
}

export function pickCommand(
  argv: readonly string[],
  subcommands: Readonly<Record<string, LoadCommand>> = SUBCOMMANDS,
): PickedCommand {
  const [first, ...rest] = argv;
  const load = first === undefined ? undefined : Object.hasOwn(subcommands, first) && subcommands[first];
  if (first !== undefined && load) return { name: first, load, argv: rest };
  return { name: 'diagnose', load: DIAGNOSE, argv: [...argv] };
}
