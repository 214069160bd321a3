import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/cli/commands.js';
import { DIAGNOSE, pickCommand } from '../../../src/cli/commands.js';
import { runCli } from '../../../src/cli/run-cli.js';

const serve: Command = async () => 0;
const TABLE = { serve: async () => serve };

describe('command dispatch', () => {
  it('diagnoses by default, with every argument passed on', () => {
    const picked = pickCommand(['web-3', '--json']);
    expect(picked).toMatchObject({ name: 'diagnose', argv: ['web-3', '--json'] });
    expect(picked.load).toBe(DIAGNOSE);
    expect(pickCommand([])).toMatchObject({ name: 'diagnose', argv: [] });
  });

  it('loads the diagnosis only when asked, and it is runCli', async () => {
    expect(await DIAGNOSE()).toBe(runCli);
  });

  it('picks a subcommand by its first argument and hands it the rest', async () => {
    const picked = pickCommand(['serve', '--port', '3000'], TABLE);
    expect(picked).toMatchObject({ name: 'serve', argv: ['--port', '3000'] });
    expect(await picked.load()).toBe(serve);
  });

  it('treats a subcommand name after the first argument, and Object builtins, as hosts', () => {
    expect(pickCommand(['web-3', 'serve'], TABLE).name).toBe('diagnose');
    expect(pickCommand(['constructor'], TABLE)).toMatchObject({ name: 'diagnose', argv: ['constructor'] });
    expect(pickCommand(['toString']).name).toBe('diagnose');
  });
});
