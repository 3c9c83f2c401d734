/**
 * What each function may do with the archive table: exactly the calls its adapters make, each
 * limited to the partition keys it owns (`dynamodb:LeadingKeys`), and the data writes the table's
 * own resource policy allows to nobody else.
 */
import { ARCHIVE_PARTITION, EVIDENCE_PARTITION, evidenceJournalPartition, EVENTS_AND_FINDINGS, BY_OWNER, BY_START_DAY, BY_START_MONTH, BY_TARGET, findingPartitionKey, LEASES_PARTITION, OPEN_SESSIONS, SOURCES_PARTITION } from '../lambdas/adapters/dynamodb/archive-table';
import type { TableAccess } from './archive-function';

/** Session items: `SESSION#<id>` (lambdas/adapters/dynamodb/archive-table.ts). */
export const SESSION_KEYS = 'SESSION#*';
/** Finding items: `FINDING#<id>`. */
export const FINDING_KEYS = findingPartitionKey('*');

/** The evidence chain heads (`EVIDENCE`) and each target's journal (`EVIDENCE#<target>`). */
export const EVIDENCE_KEYS = [EVIDENCE_PARTITION, evidenceJournalPartition('*')] as const;

/** The sweeper deletes its own sweep lease when done, and evidence journal entries once their object is written; nothing else. */
export const SWEEPER_DELETES = [LEASES_PARTITION, evidenceJournalPartition('*')] as const;

/**
 * The sweeper: DynamoArchiveStore reads and writes session items, the sweep state of each target
 * (`SOURCES`) and its sweep lease (`LEASES`, taken with a conditional put and given back with a
 * conditional delete), widens the archive's start bounds (`ARCHIVE`), and queries openSessions and
 * the event outbox in eventsAndFindings, and keeps each target's evidence chain head and journal
 * (`EVIDENCE`, `EVIDENCE#<target>`). It can neither read nor write a finding. It also runs the
 * add-start-day migration: a Scan of the table (no partition key to limit it to) and DescribeTable
 * to see the new index ACTIVE; the migration's writes are session and `ARCHIVE` updates above.
 */
export const SWEEPER_TABLE_ACCESS: TableAccess = {
  items: [
    {
      actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      leadingKeys: [SESSION_KEYS, SOURCES_PARTITION, LEASES_PARTITION, ARCHIVE_PARTITION, ...EVIDENCE_KEYS],
    },
    { actions: ['dynamodb:Scan', 'dynamodb:DescribeTable'] },
    { actions: ['dynamodb:DeleteItem'], leadingKeys: [...SWEEPER_DELETES] },
  ],
  indexes: [OPEN_SESSIONS.name, EVENTS_AND_FINDINGS.name],
  writes: true,
};

/**
 * The compliance check: DynamoFindingsStore puts a finding conditionally, reads one already stored
 * and clears its outbox mark, on finding items only; DynamoArchivedSessionReader reads the archived
 * session by key (the check judges the stored record, never the event body), and nothing else of it.
 */
export const COMPLIANCE_TABLE_ACCESS: TableAccess = {
  items: [
    { actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'], leadingKeys: [FINDING_KEYS] },
    { actions: ['dynamodb:GetItem'], leadingKeys: [SESSION_KEYS] },
  ],
  writes: true,
};

/**
 * The query function: DynamoSessionReader only ever Queries (a session by key, the checkpoints, a
 * time range on an index, findings); never Scan, never a write.
 */
export const QUERY_TABLE_ACCESS: TableAccess = {
  items: [{ actions: ['dynamodb:Query'] }],
  indexes: [BY_START_MONTH.name, BY_START_DAY.name, BY_TARGET.name, BY_OWNER.name, EVENTS_AND_FINDINGS.name],
  writes: false,
};

/**
 * The planner: DynamoSessionReader.listSweepStates Queries the sweep states (`SOURCES`) to count
 * stale and failing targets. It reads nothing else and writes nothing.
 */
export const PLANNER_TABLE_ACCESS: TableAccess = {
  items: [{ actions: ['dynamodb:Query'], leadingKeys: [SOURCES_PARTITION] }],
  writes: false,
};

/**
 * The scheduled verify: DynamoSessionScan reads every session item (a Scan, limited to `SESSION#`
 * items by its filter; Scan has no partition key to limit the grant to). It writes nothing.
 */
export const VERIFY_TABLE_ACCESS: TableAccess = {
  items: [{ actions: ['dynamodb:Scan'] }],
  writes: false,
};

/** Writes the archive's own functions make (and a break-glass role may). */
export const ARCHIVE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
/** Deletes: the sweeper's of its lease, and a break-glass role's. */
export const DELETE_ACTIONS = ['dynamodb:DeleteItem'] as const;
/** Writes no function makes: bulk or PartiQL writes, for a break-glass role only. */
export const OTHER_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;
