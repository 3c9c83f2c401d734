/**
 * `session-archive verify`: checks the archive against its evidence (docs/evidence.md, "Verify
 * and restore"). Reads every record through the query API (local or deployed, as `export` does)
 * and every evidence object from the folder or bucket, and names every record changed, deleted or
 * inserted and every broken link. Exit 0 only when all holds.
 */
import { parseArgs } from 'node:util';
import { verifyArchive } from '../../lambdas/core/evidence/verify';
import type { ArchivedRecord, IntegrityFinding, VerifyReport } from '../../lambdas/core/evidence/verify-findings';
import { CliFailureError, CliUsageError, runCli } from './cli-support';
import { isoFlag, openEvidence, targetFlag, trustedKeys } from './evidence-source';
import { DEFAULT_API_URL, fetchSessionPages, MAX_ATTEMPTS, MAX_PAGE_SIZE } from './query';
import { ApiClient, ApiUnreachableError } from './signed-fetch';
import { forStream } from './terminal-text';

export const VERIFY_USAGE = `Usage: session-archive verify --evidence <s3://bucket/prefix | folder> [options]

Walks every evidence chain (signatures, sequence, previous-hash links, keys) and every archived
record, and names each record changed (its hash is not that of its latest evidenced state),
deleted (evidenced, not in the archive) or inserted (in the archive, in no evidence), and each
evidence object missing, reordered, altered, unsigned or signed by an unknown key.

Options:
  --evidence <where>   s3://bucket/prefix (deployed: stack output EvidenceLocation) or a folder
                       (the local stack: <data-dir>/evidence, e.g. .session-archive/evidence)
  --api <url>          the query API (default $SESSION_ARCHIVE_API, else ${DEFAULT_API_URL})
  --from <time>        only records of sessions that started at or after (ISO-8601)
  --to <time>          only records of sessions that started before
  --target <key>       only this target: <source>#<account>#<region>, e.g. ssm#123456789012#eu-west-1
                       (chains are always walked whole: --from/--to narrow the records compared)
  --key <file.pem>     trust this public key (repeatable; key id = file name) instead of the keys
                       published beside the evidence
  --json               print the report as JSON
  --sign | --no-sign   sign API requests with SigV4 (default: only for *.amazonaws.com)
  --region <r>         signing region and the bucket's region when not told
  --profile <p>        AWS profile for the API and the bucket
  --help               show this help

Exit codes: 0 everything holds, 3 violations found (listed), 2 bad flags, 1 could not verify
(API or evidence unreachable, credentials).
`;

export const EXIT_VIOLATIONS = 3;

export async function runVerifyCommand(argv: string[]): Promise<void> {
  await runCli('verify', VERIFY_USAGE, async () => {
    const { values } = parseArgs({
      args: argv,
      options: {
        evidence: { type: 'string' }, api: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, target: { type: 'string' },
        key: { type: 'string', multiple: true }, json: { type: 'boolean' }, sign: { type: 'boolean' }, 'no-sign': { type: 'boolean' },
        region: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return VERIFY_USAGE;
    if (values.sign && values['no-sign']) throw new CliUsageError('give --sign or --no-sign, not both');
    const from = isoFlag('--from', values.from);
    const to = isoFlag('--to', values.to);
    if (from !== undefined && to !== undefined && from >= to) throw new CliUsageError(`--from (${from}) must be before --to (${to})`);
    const target = targetFlag(values.target);
    const keys = trustedKeys(values.key ?? []);
    const evidence = openEvidence(values.evidence, { region: values.region, profile: values.profile });
    const apiUrl = apiUrlOf(values.api ?? (process.env.SESSION_ARCHIVE_API?.trim() || DEFAULT_API_URL));
    const client = new ApiClient(apiUrl, { sign: values.sign ? true : values['no-sign'] ? false : 'auto', region: values.region ?? process.env.AWS_REGION, profile: values.profile });

    const filters: Array<[string, string]> = [['order', 'asc']];
    if (from !== undefined) filters.push(['from', from]);
    if (to !== undefined) filters.push(['to', to]);
    if (target !== undefined) filters.push(['source', target.source], ['accountId', target.accountId], ['region', target.region]);
    const progress = progressLine();
    const report = await verifyArchive({
      store: evidence.store,
      prefix: evidence.prefix,
      filter: { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(target ? { target: target.key } : {}) },
      ...(keys ? { trustedKeys: keys } : {}),
      now: () => new Date().toISOString(),
      records: () => apiRecords(client, filters),
      progress: (event) => progress(event.phase === 'archive' ? `read ${event.count} archived records` : `checked ${event.count} evidence objects`),
    }).catch((error: unknown) => {
      if (error instanceof ApiUnreachableError) {
        const local = ['127.0.0.1', 'localhost', '[::1]'].includes(apiUrl.hostname);
        throw new CliFailureError(`${error.message}; ${local ? 'is the local stack running (npm start)? Pass --api for another API' : 'check --api and the network'}`);
      }
      throw error;
    });
    process.stderr.write(`verified ${report.records} records against ${report.evidenceObjects} evidence objects of ${report.chains.length} targets: ${report.ok ? 'all holds' : `${report.findings.length} violations`}\n`);
    if (!report.ok) process.exitCode = EXIT_VIOLATIONS;
    return forStream(process.stdout)(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  });
}

async function* apiRecords(client: ApiClient, filters: Array<[string, string]>): AsyncIterable<readonly ArchivedRecord[]> {
  const pages = fetchSessionPages(client, { filters, pageSize: MAX_PAGE_SIZE }, (reason, attempt) => {
    process.stderr.write(`retrying after ${reason} (attempt ${attempt + 1} of ${MAX_ATTEMPTS})\n`);
  });
  for await (const page of pages) yield page.sessions as ArchivedRecord[];
}

function apiUrlOf(text: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new CliUsageError(`--api must be an http(s) URL such as ${DEFAULT_API_URL}, got '${text}'`);
}

/** At most one progress line a second on stderr. */
function progressLine(): (line: string) => void {
  let last = 0;
  return (line) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    process.stderr.write(`${line}\n`);
  };
}

export function renderReport(report: VerifyReport): string {
  const lines = [`${report.ok ? 'OK' : 'VIOLATIONS'}: ${report.records} records, ${report.evidenceStates} evidenced states, ${report.evidenceObjects} evidence objects, ${report.chains.length} targets (checked ${report.checkedAt})`];
  for (const chain of report.chains) lines.push(`  chain ${chain.target}: ${chain.objects} trusted objects, last sequence ${chain.lastSequence}, keys ${chain.keyIds.join(', ') || '-'}`);
  for (const finding of report.findings) lines.push(describeFinding(finding));
  return `${lines.join('\n')}\n`;
}

function describeFinding(finding: IntegrityFinding): string {
  const where = finding.sessionId !== undefined ? `session ${finding.sessionId}` : `object ${finding.key ?? finding.sequence}`;
  return `${finding.kind.toUpperCase().padEnd(12)} ${finding.target} ${where}: ${finding.message}`;
}
