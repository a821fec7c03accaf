/** `backtest keys create|list|revoke`: flags and help; the work is in keys-action.ts. */
import { Option, type Command } from 'commander';
import { API_KEY_ROLES } from '../data/api-key-roles.js';
import { choiceFlag } from './flag-parsers.js';

export function register(program: Command): void {
  const keys = program
    .command('keys')
    .summary('create, list or revoke API keys')
    .description(
      'API keys for the service (in its database: DATABASE_URL, else DATABASE_PATH). Roles: read (strategies, datasets, bars; changes nothing), ' +
        'run (starts runs and sweeps; sees, cancels and deletes only its own), admin (everything: every run and sweep, datasets). ' +
        'Once a key exists, every request needs one: `Authorization: Bearer <key>`, or connectionParams.authorization on the WebSocket.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ backtest keys create --name alice --role run
  $ backtest keys list
  $ backtest keys revoke alice`,
    );

  keys
    .command('create')
    .description('Create a key and print its secret once (only its hash is stored).')
    .requiredOption('--name <name>', 'a unique name: 1-64 letters, digits, ".", "_" or "-"')
    .addOption(new Option('--role <role>', `what the key may do: ${API_KEY_ROLES.join(', ')}`).default('run').argParser(choiceFlag('--role', API_KEY_ROLES)))
    .addOption(new Option('--json', 'print JSON (the key with its secret) instead of text'))
    .addHelpText('after', '\nExamples:\n  $ backtest keys create --name dashboard --role read\n  $ backtest keys create --name ci --role run --json')
    .action(async (flags: { name: string; role: string; json?: boolean }) => (await import('./keys-action.js')).createKeyCommand(flags.name, flags.role, flags.json === true));

  keys
    .command('list')
    .description('List keys: id, name, role, created, revoked (secrets are never shown again).')
    .addOption(new Option('--json', 'print JSON (an array of keys) instead of a table'))
    .addHelpText('after', '\nExamples:\n  $ backtest keys list\n  $ backtest keys list --json')
    .action(async (flags: { json?: boolean }) => (await import('./keys-action.js')).listKeysCommand(flags.json === true));

  keys
    .command('revoke')
    .argument('<key>', 'the name or id of the key')
    .description('Revoke a key: requests with it are refused at once. Its runs stay (admins still see them).')
    .addHelpText('after', '\nExamples:\n  $ backtest keys revoke alice\n  $ backtest keys revoke 3')
    .action(async (key: string) => (await import('./keys-action.js')).revokeKeyCommand(key));
}
