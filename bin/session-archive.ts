/**
 * The `session-archive` command line: one entry, a sub-command each.
 */
import { runApiCommand } from './commands/api';
import { runEmulatorCommand } from './commands/emulator';
import { runSweepCommand } from './commands/sweep';

const USAGE = `Usage: session-archive <command> [options]

Commands:
  sweep       run one sweep of SSM Session Manager history into an archive table
  api         serve the query API over an existing archive table
  emulator    run the local SSM Session Manager emulator

Run 'session-archive <command> --help' for a command's options.
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  sweep: runSweepCommand,
  api: runApiCommand,
  emulator: runEmulatorCommand,
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`session-archive: unknown command '${command}'\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  await run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`session-archive: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
