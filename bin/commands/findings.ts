/**
 * `session-archive findings`: compliance findings from `GET /findings`, every page, as CSV,
 * JSON Lines or JSON. The same connection flags as `query` (--api, --sign, --region, --profile).
 */
import { parseArgs } from 'node:util';
import type { ComplianceFinding } from '../../lambdas/core/compliance/finding';
import { csvRow } from '../../lambdas/core/query/csv';
import { FINDING_CSV_COLUMNS, findingCsvCells } from '../../lambdas/core/query/findings-formats';
import { CliFailureError, CliUsageError, positiveInteger, runCli } from './cli-support';
import { createOutputFile } from './output-file';
import { apiError, DEFAULT_API_URL, ProgressReporter } from './query';
import { ApiClient } from './signed-fetch';
import { forStream } from './terminal-text';

export const FINDINGS_USAGE = `Usage: session-archive findings [options]

Lists compliance findings (rule breaches found in archived sessions) from the query API,
following every page.

Options:
  --api <url>          the API (default ${DEFAULT_API_URL}, or $SESSION_ARCHIVE_API)
  --from <iso>         findings of sessions that started at or after this time
  --to <iso>           ... and before this time
  --rule <name>        max-duration | reason-required | owner-not-allowed | forbidden-document |
                       just-in-time-required | off-hours
  --target <id>        one managed node
  --owner <arn>        one owner
  --order <o>          desc (default) | asc
  --format <f>         csv (default) | jsonl | json
  --out <file>         write to this new file (default: stdout); created with mode 0600, written
                       whole or not at all; an existing file or link there is refused (exit 2)
  --limit <n>          stop after n findings (default: all)
  --sign | --no-sign   sign requests with SigV4 (default: only for *.amazonaws.com)
  --region <r>         signing region when the host does not say
  --profile <p>        AWS profile for signing
  --help               show this help

Example:
  session-archive findings --rule off-hours --from 2026-01-01 --out off-hours.csv
`;

const FORMATS = ['csv', 'jsonl', 'json'] as const;
type FindingsFormat = (typeof FORMATS)[number];
const PAGE_SIZE = 1000;

export async function runFindingsCommand(argv: string[]): Promise<void> {
  await runCli('findings', FINDINGS_USAGE, async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        api: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, rule: { type: 'string' },
        target: { type: 'string' }, owner: { type: 'string' }, order: { type: 'string' }, format: { type: 'string' },
        out: { type: 'string' }, limit: { type: 'string' }, sign: { type: 'boolean' }, 'no-sign': { type: 'boolean' },
        region: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return FINDINGS_USAGE;
    const format = (values.format ?? 'csv') as FindingsFormat;
    if (!FORMATS.includes(format)) throw new CliUsageError(`--format must be one of ${FORMATS.join(', ')}, got '${values.format}'`);
    if (values.sign && values['no-sign']) throw new CliUsageError('give --sign or --no-sign, not both');
    const apiText = values.api ?? process.env.SESSION_ARCHIVE_API ?? DEFAULT_API_URL;
    let apiUrl: URL;
    try {
      apiUrl = new URL(apiText.endsWith('/') ? apiText : `${apiText}/`);
    } catch {
      throw new CliUsageError(`--api must be a URL such as ${DEFAULT_API_URL}, got '${apiText}'`);
    }
    const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : positiveInteger('--limit', values.limit);
    const filters: Array<[string, string]> = [];
    for (const name of ['from', 'to', 'rule', 'target', 'owner', 'order'] as const) {
      const value = values[name];
      if (value !== undefined) filters.push([name, value]);
    }
    const client = new ApiClient(apiUrl, {
      sign: values.sign ? true : values['no-sign'] ? false : 'auto',
      region: values.region ?? process.env.AWS_REGION,
      profile: values.profile,
    });
    await exportFindings(client, filters, format, limit, values.out);
  });
}

async function exportFindings(client: ApiClient, filters: Array<[string, string]>, format: FindingsFormat, limit: number, out: string | undefined): Promise<void> {
  // A file is written beside its name and moved into place only when complete: no half exports.
  const file = out === undefined ? undefined : createOutputFile(out);
  const stream = file?.stream ?? process.stdout;
  // A finding repeats the session's reason, chosen by the person audited: escaped on a terminal.
  const shown = file === undefined ? forStream(process.stdout) : (text: string) => text;
  const write = (text: string): Promise<void> => new Promise((resolve, reject) => stream.write(shown(text), (error) => (error ? reject(error) : resolve())));
  const progress = new ProgressReporter('exported', process.stderr);
  let first = true;
  let nextToken: string | undefined;
  let remaining = limit;
  try {
    if (format === 'csv') await write(csvRow(FINDING_CSV_COLUMNS));
    if (format === 'json') await write('[');
    do {
      const parameters: Array<[string, string]> = [...filters, ['format', 'json'], ['limit', String(Math.min(PAGE_SIZE, remaining))]];
      if (nextToken !== undefined) parameters.push(['nextToken', nextToken]);
      const response = await client.get('/findings', parameters);
      if (response.status >= 400) throw apiError(client, response);
      const page = parseFindingsPage(client.baseUrl, response.body);
      for (const finding of page.findings) {
        if (format === 'csv') await write(csvRow(findingCsvCells(finding)));
        else if (format === 'jsonl') await write(`${JSON.stringify(finding)}\n`);
        else await write(`${first ? '' : ','}\n${JSON.stringify(finding)}`);
        first = false;
      }
      progress.add(page.findings.length);
      remaining -= page.findings.length;
      nextToken = page.nextToken;
    } while (nextToken !== undefined && remaining > 0);
    if (format === 'json') await write('\n]\n');
    await file?.commit();
  } catch (error: unknown) {
    file?.abandon();
    throw error;
  }
  progress.finish(out, true);
}

function parseFindingsPage(baseUrl: URL, body: string): { findings: ComplianceFinding[]; nextToken?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new CliFailureError(`the API at ${baseUrl.href} answered with something that is not JSON; is --api the Session Archive API?`);
  }
  const page = parsed as { findings?: unknown; nextToken?: unknown };
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(page.findings)) {
    throw new CliFailureError(`the API at ${baseUrl.href} answered without a findings list; is --api the Session Archive API?`);
  }
  return { findings: page.findings as ComplianceFinding[], ...(typeof page.nextToken === 'string' ? { nextToken: page.nextToken } : {}) };
}
