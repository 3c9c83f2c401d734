/**
 * The `session-archive` command line: one entry, a sub-command each.
 */

const USAGE = `Usage: session-archive <command> [options]

Commands:
  local       run the whole archive on this machine (npm start): store, SSM emulator, sweeper, API
  query       query archived sessions through the API (local or deployed) and print them
  export      export every matching session to CSV, JSON Lines or JSON, following pages to the end
  findings    export compliance findings (rule breaches) through the API
  coverage    show every target's watermark, covered ranges, gaps and last error
  verify      check the archive against its signed evidence: names every record changed, deleted or inserted
  restore     rebuild an archive table from the evidence alone
  sweep       run one sweep of SSM Session Manager history into an archive table
  api         serve the query API over an existing archive table
  emulator    run the local SSM Session Manager emulator
  alibaba-emulator
              run the local Alibaba Cloud ECS emulator (DescribeTerminalSessions)
  console     open the auditor's console (a web page) for a deployed archive, signing with your AWS credentials

Run 'session-archive <command> --help' for a command's options.
`;

// Each command loads its own modules when it runs: `query` need not load the SDK clients,
// dynalite and the API handler that `local` needs (about 0.6 s per start). require() rather
// than import(): under the tsx CommonJS hook, import() of an extension-less path fails.
type CommandModules = {
  local: typeof import('./commands/local');
  query: typeof import('./commands/query');
  findings: typeof import('./commands/findings');
  coverage: typeof import('./commands/coverage');
  verify: typeof import('./commands/verify');
  restore: typeof import('./commands/restore');
  sweep: typeof import('./commands/sweep');
  api: typeof import('./commands/api');
  emulator: typeof import('./commands/emulator');
  'alibaba-emulator': typeof import('./commands/alibaba-emulator');
  console: typeof import('./commands/console');
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <Name extends keyof CommandModules>(name: Name): CommandModules[Name] => require(`./commands/${name}`) as CommandModules[Name];

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  local: (argv) => load('local').runLocalCommand(argv),
  query: (argv) => load('query').runQueryCommand(argv),
  export: (argv) => load('query').runExportCommand(argv),
  findings: (argv) => load('findings').runFindingsCommand(argv),
  coverage: (argv) => load('coverage').runCoverageCommand(argv),
  verify: (argv) => load('verify').runVerifyCommand(argv),
  restore: (argv) => load('restore').runRestoreCommand(argv),
  sweep: (argv) => load('sweep').runSweepCommand(argv),
  api: (argv) => load('api').runApiCommand(argv),
  emulator: (argv) => load('emulator').runEmulatorCommand(argv),
  'alibaba-emulator': (argv) => load('alibaba-emulator').runAlibabaEmulatorCommand(argv),
  console: (argv) => load('console').runConsoleCommand(argv),
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
