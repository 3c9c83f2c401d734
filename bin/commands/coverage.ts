/**
 * `session-archive coverage`: what the archive can vouch for, per target (source, account,
 * region), from `GET /coverage`: the watermark, covered and confirmed ranges, gaps and the last
 * error of a failing target. The same connection flags as `query`.
 */
import { parseArgs } from 'node:util';
import type { CoverageReport, SourceCoverage } from '../../lambdas/core/query/coverage';
import { CliFailureError, CliUsageError, runCli } from './cli-support';
import { DEFAULT_API_URL, getWithRetries, MAX_ATTEMPTS } from './query';
import { ApiClient } from './signed-fetch';
import { escapeTerminalLine, forStream } from './terminal-text';

export const COVERAGE_USAGE = `Usage: session-archive coverage [options]

Shows every target the archive sweeps (source, account, region): its watermark, how much of
its history is covered and confirmed, the gaps the source dropped, and its last error.

Options:
  --api <url>          the API (default $SESSION_ARCHIVE_API, else ${DEFAULT_API_URL})
  --account-id <id>    only this AWS account (12 digits)
  --target-region <r>  only this region, e.g. eu-west-1 (--region is the signing region)
  --source <s>         only this source: ssm | alibaba
  --format <f>         table (default) | json
  --sign | --no-sign   sign requests with SigV4 (default: only for *.amazonaws.com)
  --region <r>         signing region when the host does not say
  --profile <p>        AWS profile for signing
  --help               show this help

Example:
  session-archive coverage --account-id 123456789012
`;

export async function runCoverageCommand(argv: string[]): Promise<void> {
  await runCli('coverage', COVERAGE_USAGE, async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        api: { type: 'string' }, 'account-id': { type: 'string' }, 'target-region': { type: 'string' }, source: { type: 'string' },
        format: { type: 'string' }, sign: { type: 'boolean' }, 'no-sign': { type: 'boolean' }, region: { type: 'string' },
        profile: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return COVERAGE_USAGE;
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CliUsageError(`--format must be table or json, got '${format}'`);
    if (values.sign && values['no-sign']) throw new CliUsageError('give --sign or --no-sign, not both');
    const apiText = values.api ?? process.env.SESSION_ARCHIVE_API ?? DEFAULT_API_URL;
    let apiUrl: URL;
    try {
      apiUrl = new URL(apiText);
    } catch {
      throw new CliUsageError(`--api must be a URL such as ${DEFAULT_API_URL}, got '${apiText}'`);
    }
    const parameters: Array<[string, string]> = [];
    if (values['account-id'] !== undefined) parameters.push(['accountId', values['account-id']]);
    if (values['target-region'] !== undefined) parameters.push(['region', values['target-region']]);
    if (values.source !== undefined) parameters.push(['source', values.source]);
    const client = new ApiClient(apiUrl, { sign: values.sign ? true : values['no-sign'] ? false : 'auto', region: values.region ?? process.env.AWS_REGION, profile: values.profile });
    const response = await getWithRetries(client, '/coverage', parameters, (reason, attempt) => {
      process.stderr.write(`retrying after ${reason} (attempt ${attempt + 1} of ${MAX_ATTEMPTS})\n`);
    });
    const report = parseReport(client.baseUrl, response.body);
    // Error messages come from member accounts: escaped like archived text on a terminal.
    return forStream(process.stdout)(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
  });
}

function parseReport(baseUrl: URL, body: string): CoverageReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new CliFailureError(`the API at ${baseUrl.href} answered with something that is not JSON; is --api the Session Archive API?`);
  }
  const sources = (parsed as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources)) throw new CliFailureError(`the API at ${baseUrl.href} answered without a coverage list; is --api the Session Archive API?`);
  return parsed as CoverageReport;
}

const COLUMNS: ReadonlyArray<readonly [title: string, width: number, cell: (entry: SourceCoverage) => string]> = [
  ['TARGET', 34, (entry) => `${entry.source}#${entry.accountId}#${entry.region}`],
  ['WATERMARK (UTC)', 19, (entry) => shortTime(entry.watermark)],
  ['CONFIRMED UNTIL', 19, (entry) => shortTime(entry.confirmedUntil)],
  ['RANGES', 6, (entry) => String(entry.coverage.length)],
  ['GAPS', 4, (entry) => String(entry.gaps.length)],
  ['LAST ERROR', 0, (entry) => (entry.lastError ? escapeTerminalLine(`${entry.lastError.kind} since ${shortTime(entry.lastError.since)}: ${entry.lastError.message}`) : '-')],
];

function renderTable(report: CoverageReport): string {
  if (report.sources.length === 0) return 'No targets match.\n';
  const row = (cells: readonly string[]) => `${cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(COLUMNS[i]?.[1] ?? 0) : cell)).join('  ')}\n`;
  return row(COLUMNS.map(([title]) => title)) + report.sources.map((entry) => row(COLUMNS.map(([, , cell]) => cell(entry)))).join('');
}

function shortTime(iso: string | null): string {
  return iso === null ? '-' : iso.slice(0, 19).replace('T', ' ');
}
