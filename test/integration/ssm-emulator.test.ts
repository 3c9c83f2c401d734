/**
 * The SSM emulator driven through the real AWS SDK v3 over HTTP: every model constraint
 * gives the AWS error the SDK understands, and DescribeSessions / StartSession /
 * TerminateSession / ResumeSession / GetConnectionStatus behave as documented.
 */
import {
  DescribeSessionsCommand,
  GetConnectionStatusCommand,
  ResumeSessionCommand,
  SSMServiceException,
  StartSessionCommand,
  TerminateSessionCommand,
  type DescribeSessionsCommandInput,
  type SessionFilter,
  type SSMClient,
  type Session,
} from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXED_FLEET,
  ManualClock,
  startSsmEmulator,
  type EmulatedSession,
  type EmulatorOptions,
  type SsmEmulator,
} from '../../local/ssm-emulator';
import { DUMMY_ACCESS_KEY_ID, emulatorSsmClient, rawSsmCall } from '../../local/ssm-emulator/clients';

const T0 = Date.UTC(2024, 7, 29, 12, 0, 0); // 2024-08-29T12:00:00Z
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

function makeSession(overrides: Partial<EmulatedSession> & Pick<EmulatedSession, 'sessionId' | 'startMs'>): EmulatedSession {
  return {
    target: 'i-0aaaaaaaaaaaaaaaa',
    owner: 'arn:aws:iam::123456789012:user/alice',
    accessType: 'Standard',
    endMs: overrides.startMs + 10 * 60 * SECOND,
    endStatus: 'Terminated',
    documentName: 'SSM-SessionManagerRunShell',
    ...overrides,
  };
}

/** Resolves to the SDK's service exception, failing the test if the call succeeded or failed otherwise. */
async function sdkError(call: Promise<unknown>): Promise<SSMServiceException> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof SSMServiceException)) {
    throw new Error(`expected an SSMServiceException, got ${outcome === undefined ? 'success' : String(outcome)}`);
  }
  return outcome;
}

/** Lets a test send inputs the SDK types forbid; the SDK itself does no client-side validation. */
function unchecked(input: Record<string, unknown>): DescribeSessionsCommandInput {
  return input as unknown as DescribeSessionsCommandInput;
}

async function describeAll(client: SSMClient, state: 'Active' | 'History', filters?: SessionFilter[]): Promise<Session[]> {
  const sessions: Session[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeSessionsCommand({ State: state, Filters: filters, NextToken: nextToken }));
    sessions.push(...(page.Sessions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return sessions;
}

const idsOf = (sessions: readonly Session[]): Array<string | undefined> => sessions.map((session) => session.SessionId);

const emulators: SsmEmulator[] = [];
async function emulatorWith(options: EmulatorOptions = {}): Promise<{ emulator: SsmEmulator; clock: ManualClock; client: SSMClient }> {
  const clock = new ManualClock(T0);
  const emulator = await startSsmEmulator({ clock, ...options });
  emulators.push(emulator);
  return { emulator, clock, client: emulatorSsmClient(emulator.endpoint, { maxAttempts: 1 }) };
}
afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

describe('DescribeSessions request validation (real SDK)', () => {
  let emulator: SsmEmulator;
  let clock: ManualClock;
  let client: SSMClient;

  beforeAll(async () => {
    ({ emulator, clock, client } = await emulatorWith({ nextTokenTtlMs: HOUR }));
    emulator.addSessions(
      Array.from({ length: 5 }, (_, index) =>
        makeSession({ sessionId: `alice-0000000000000000${index}`, startMs: T0 - (index + 1) * HOUR }),
      ),
    );
  });

  it('rejects a missing State with ValidationException naming the member', async () => {
    const error = await sdkError(client.send(new DescribeSessionsCommand(unchecked({}))));
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$fault).toBe('client');
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'state' failed to satisfy constraint: Member must not be null",
    );
  });

  it('rejects a State outside the enum', async () => {
    const error = await sdkError(client.send(new DescribeSessionsCommand(unchecked({ State: 'Terminated' }))));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("Value 'Terminated' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [Active, History]");
  });

  it.each([
    [0, 'Member must have value greater than or equal to 1'],
    [201, 'Member must have value less than or equal to 200'],
  ])('rejects MaxResults %i', async (maxResults, constraint) => {
    const error = await sdkError(client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: maxResults })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: ${constraint}`,
    );
  });

  it('accepts MaxResults 1 and 200', async () => {
    const one = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 1 }));
    expect(one.Sessions).toHaveLength(1);
    expect(one.NextToken).toBeDefined();
    const max = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 200 }));
    expect(max.Sessions).toHaveLength(5);
    expect(max.NextToken).toBeUndefined();
  });

  it('reports every breach at once, like AWS', async () => {
    const error = await sdkError(client.send(new DescribeSessionsCommand(unchecked({ State: 'Both', MaxResults: 500 }))));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/^2 validation errors detected: .*'state'.*; .*'maxResults'/);
  });

  it.each([
    [0, 'greater than or equal to 1'],
    [7, 'less than or equal to 6'],
  ])('rejects a list of %i filters', async (count, constraint) => {
    const filters = Array.from({ length: count }, () => ({ key: 'Target' as const, value: 'i-0aaaaaaaaaaaaaaaa' }));
    const error = await sdkError(client.send(new DescribeSessionsCommand({ State: 'History', Filters: filters })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain(`at 'filters' failed to satisfy constraint: Member must have length ${constraint}`);
  });

  it('accepts 6 filters', async () => {
    const filters = Array.from({ length: 6 }, () => ({ key: 'Target' as const, value: 'i-0aaaaaaaaaaaaaaaa' }));
    const page = await client.send(new DescribeSessionsCommand({ State: 'History', Filters: filters }));
    expect(page.Sessions).toHaveLength(5);
  });

  it('rejects an unknown filter key with InvalidFilterKey', async () => {
    const error = await sdkError(
      client.send(new DescribeSessionsCommand(unchecked({ State: 'History', Filters: [{ key: 'DocumentName', value: 'x' }] }))),
    );
    expect(error.name).toBe('InvalidFilterKey');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain("'DocumentName'");
  });

  it.each([
    ['empty', '', 'greater than or equal to 1'],
    ['401-character', 'x'.repeat(401), 'less than or equal to 400'],
  ])('rejects an %s filter value', async (_label, value, constraint) => {
    const error = await sdkError(
      client.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'Owner', value }] })),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain(`at 'filters.1.member.value' failed to satisfy constraint: Member must have length ${constraint}`);
  });

  it('accepts a 400-character filter value', async () => {
    const page = await client.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'Owner', value: 'x'.repeat(400) }] }));
    expect(page.Sessions).toEqual([]);
  });

  it('rejects a filter without a value', async () => {
    const error = await sdkError(client.send(new DescribeSessionsCommand(unchecked({ State: 'History', Filters: [{ key: 'Owner' }] }))));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("Value null at 'filters.1.member.value'");
  });

  it.each([
    ['InvokedAfter', 'yesterday'],
    ['InvokedAfter', '2024-02-30T00:00:00Z'],
    ['InvokedBefore', '2024-08-29 00:00'],
    ['InvokedBefore', '1724889600'],
  ] as const)('rejects %s %j as a date', async (key, value) => {
    const error = await sdkError(
      client.send(new DescribeSessionsCommand({ State: 'History', Filters: [{ key: 'Target', value: 'i-1' }, { key, value }] })),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain(`Value '${value}' at 'filters.2.member.value'`);
    expect(error.message).toContain(key);
  });

  describe('NextToken', () => {
    async function firstToken(filters?: SessionFilter[]): Promise<string> {
      const page = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 2, Filters: filters }));
      expect(page.NextToken).toBeDefined();
      return page.NextToken as string;
    }

    it('rejects garbage', async () => {
      const error = await sdkError(client.send(new DescribeSessionsCommand({ State: 'History', NextToken: 'not-a-token' })));
      expect(error.name).toBe('InvalidNextToken');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });

    it('rejects a tampered token', async () => {
      const token = await firstToken();
      const [payload, signature] = token.split('.') as [string, string];
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...decoded, k: 0 })).toString('base64url');
      const error = await sdkError(client.send(new DescribeSessionsCommand({ State: 'History', NextToken: `${forged}.${signature}` })));
      expect(error.name).toBe('InvalidNextToken');
    });

    it('rejects a token reused with other filters or another State', async () => {
      const token = await firstToken([{ key: 'Target', value: 'i-0aaaaaaaaaaaaaaaa' }]);
      const otherFilters = await sdkError(
        client.send(
          new DescribeSessionsCommand({ State: 'History', NextToken: token, Filters: [{ key: 'Target', value: 'i-0bbbbbbbbbbbbbbbb' }] }),
        ),
      );
      expect(otherFilters.name).toBe('InvalidNextToken');
      expect(otherFilters.message).toContain('different State or Filters');
      const noFilters = await sdkError(client.send(new DescribeSessionsCommand({ State: 'History', NextToken: token })));
      expect(noFilters.name).toBe('InvalidNextToken');
      const otherState = await sdkError(
        client.send(
          new DescribeSessionsCommand({ State: 'Active', NextToken: token, Filters: [{ key: 'Target', value: 'i-0aaaaaaaaaaaaaaaa' }] }),
        ),
      );
      expect(otherState.name).toBe('InvalidNextToken');
    });

    it('accepts a token with the same filters in another order', async () => {
      const filters: SessionFilter[] = [
        { key: 'Target', value: 'i-0aaaaaaaaaaaaaaaa' },
        { key: 'AccessType', value: 'Standard' },
      ];
      const token = await firstToken(filters);
      const page = await client.send(
        new DescribeSessionsCommand({ State: 'History', MaxResults: 2, NextToken: token, Filters: [...filters].reverse() }),
      );
      expect(page.Sessions).toHaveLength(2);
    });

    it('rejects a token once nextTokenTtlMs of emulator time has passed', async () => {
      const token = await firstToken();
      clock.advance(HOUR);
      const stillValid = await client.send(new DescribeSessionsCommand({ State: 'History', MaxResults: 2, NextToken: token }));
      expect(stillValid.Sessions).toHaveLength(2);
      clock.advance(1);
      const error = await sdkError(client.send(new DescribeSessionsCommand({ State: 'History', NextToken: token })));
      expect(error.name).toBe('InvalidNextToken');
      expect(error.message).toContain('expired');
      clock.set(T0);
    });

    it('rejects a token issued by another emulator', async () => {
      const { client: otherClient } = await emulatorWith();
      const token = await firstToken();
      const error = await sdkError(otherClient.send(new DescribeSessionsCommand({ State: 'History', NextToken: token })));
      expect(error.name).toBe('InvalidNextToken');
    });
  });
});

describe('protocol errors (raw HTTP, where the SDK would not send the request)', () => {
  let emulator: SsmEmulator;
  beforeAll(async () => {
    ({ emulator } = await emulatorWith());
  });

  it('answers JSON 1.1 with a request id', async () => {
    const response = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: { State: 'History' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json).toEqual({ Sessions: [] });
  });

  it.each([
    ['malformed JSON', 'DescribeSessions', '{"State": "History"', 'SerializationException'],
    ['a JSON array body', 'DescribeSessions', '[]', 'SerializationException'],
    ['MaxResults as a string', 'DescribeSessions', '{"State":"History","MaxResults":"10"}', 'SerializationException'],
    ['Filters as an object', 'DescribeSessions', '{"State":"History","Filters":{"key":"Target"}}', 'SerializationException'],
    ['State as a number', 'DescribeSessions', '{"State":1}', 'SerializationException'],
    ['an unknown operation', 'DescribeInstances', '{}', 'UnknownOperationException'],
    ['no X-Amz-Target', null, '{}', 'UnknownOperationException'],
  ] as const)('answers %s with 400 %s', async (_label, operation, body, errorType) => {
    const response = await rawSsmCall(emulator.endpoint, { operation, body });
    expect(response.status).toBe(400);
    expect(response.json?.__type).toBe(errorType);
    expect(typeof response.json?.message).toBe('string');
  });

  it('treats an empty body as an empty request', async () => {
    const response = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: '' });
    expect(response.status).toBe(400);
    expect(response.json?.__type).toBe('ValidationException');
    expect(response.json?.message).toContain("'state'");
  });

  it('requires a SigV4 Authorization header', async () => {
    const response = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: { State: 'History' }, signed: false });
    expect(response.status).toBe(400);
    expect(response.json?.__type).toBe('MissingAuthenticationTokenException');
  });

  it('accepts only POST /', async () => {
    const response = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: '', method: 'GET' });
    expect(response.status).toBe(400);
    expect(response.json?.__type).toBe('UnknownOperationException');
  });

  it.each([
    ['TerminateSession', {}, "'sessionId'"],
    ['ResumeSession', { SessionId: 'x'.repeat(97) }, "'sessionId'"],
    ['GetConnectionStatus', {}, "'target'"],
    ['StartSession', { Target: 'x'.repeat(401) }, "'target'"],
  ] as const)('validates %s input', async (operation, body, member) => {
    const response = await rawSsmCall(emulator.endpoint, { operation, body });
    expect(response.status).toBe(400);
    expect(response.json?.__type).toBe('ValidationException');
    expect(response.json?.message).toContain(member);
  });
});

describe('DescribeSessions semantics', () => {
  it('sends StartDate/EndDate as epoch seconds with the millisecond fraction, matching toSsmShape', async () => {
    const { emulator } = await emulatorWith();
    const session = makeSession({
      sessionId: 'alice-0a1b2c3d4e5f6a7b8',
      startMs: T0 - HOUR + 352,
      endMs: T0 - HOUR + 90 * SECOND + 17,
      reason: 'Check "disk", then reboot – ✓',
      maxSessionDuration: '60',
      outputUrl: { s3OutputUrl: 's3://logs/alice-0a1b2c3d4e5f6a7b8.log' },
      details: 'console',
      accessType: 'JustInTime',
    });
    emulator.addSessions([session]);
    const response = await rawSsmCall(emulator.endpoint, { operation: 'DescribeSessions', body: { State: 'History' } });
    expect(response.text).toContain(`"StartDate":${(T0 - HOUR + 352) / 1000}`);
    expect(response.text).toMatch(/"EndDate":\d{10}\.017[,}]/);
    const [stored] = emulator.allSessions();
    expect(response.json).toEqual({ Sessions: [emulator.toSsmShape(stored as EmulatedSession)] });
    expect(response.json?.Sessions).toEqual([
      {
        SessionId: 'alice-0a1b2c3d4e5f6a7b8',
        Target: 'i-0aaaaaaaaaaaaaaaa',
        Status: 'Terminated',
        StartDate: (T0 - HOUR + 352) / 1000,
        EndDate: (T0 - HOUR + 90 * SECOND + 17) / 1000,
        DocumentName: 'SSM-SessionManagerRunShell',
        Owner: 'arn:aws:iam::123456789012:user/alice',
        Reason: 'Check "disk", then reboot – ✓',
        Details: 'console',
        OutputUrl: { S3OutputUrl: 's3://logs/alice-0a1b2c3d4e5f6a7b8.log' },
        MaxSessionDuration: '60',
        AccessType: 'JustInTime',
      },
    ]);
  });

  it('applies InvokedAfter as StartDate >= and InvokedBefore as StartDate <, to the millisecond', async () => {
    const { emulator, client } = await emulatorWith();
    const boundary = T0 - 5 * HOUR;
    emulator.addSessions([
      makeSession({ sessionId: 'before', startMs: boundary - 1 }),
      makeSession({ sessionId: 'at', startMs: boundary }),
      makeSession({ sessionId: 'after', startMs: boundary + 1 }),
    ]);
    const iso = new Date(boundary).toISOString();
    const invokedAfter = await describeAll(client, 'History', [{ key: 'InvokedAfter', value: iso }]);
    expect(idsOf(invokedAfter)).toEqual(['after', 'at']);
    const invokedBefore = await describeAll(client, 'History', [{ key: 'InvokedBefore', value: iso }]);
    expect(idsOf(invokedBefore)).toEqual(['before']);
    const window = await describeAll(client, 'History', [
      { key: 'InvokedAfter', value: iso },
      { key: 'InvokedBefore', value: new Date(boundary + 1).toISOString() },
    ]);
    expect(idsOf(window)).toEqual(['at']);
    // The same instant written with an offset and without milliseconds.
    const offsetForm = new Date(boundary).toISOString().replace('.000Z', '+00:00');
    expect(idsOf(await describeAll(client, 'History', [{ key: 'InvokedAfter', value: offsetForm }]))).toEqual(['after', 'at']);
    expect(idsOf(await describeAll(client, 'History', [{ key: 'InvokedAfter', value: '2024-08-29T02:00:00-05:00' }]))).toEqual([
      'after',
      'at',
    ]);
  });

  it('filters by Target, Owner, Status, SessionId and AccessType exactly, ANDing repeated keys', async () => {
    const { emulator, client } = await emulatorWith();
    emulator.addSessions([
      makeSession({ sessionId: 's1', startMs: T0 - 4 * HOUR, target: 'i-01', owner: 'arn:aws:iam::123456789012:user/alice' }),
      makeSession({ sessionId: 's2', startMs: T0 - 3 * HOUR, target: 'i-02', owner: 'arn:aws:iam::123456789012:user/bob', endStatus: 'Failed' }),
      makeSession({ sessionId: 's3', startMs: T0 - 2 * HOUR, target: 'i-01', owner: 'arn:aws:iam::123456789012:user/bob', accessType: 'JustInTime' }),
      makeSession({ sessionId: 's4', startMs: T0 - HOUR, target: 'i-010', owner: 'arn:aws:iam::123456789012:user/alice', endMs: null }),
      makeSession({ sessionId: 's5', startMs: T0 - HOUR / 2, target: 'i-01', endMs: null, disconnected: true }),
    ]);
    const history = (filters: SessionFilter[]): Promise<Array<string | undefined>> => describeAll(client, 'History', filters).then(idsOf);
    const active = (filters: SessionFilter[]): Promise<Array<string | undefined>> => describeAll(client, 'Active', filters).then(idsOf);

    expect(await history([{ key: 'Target', value: 'i-01' }])).toEqual(['s3', 's1']);
    expect(await active([{ key: 'Target', value: 'i-01' }])).toEqual(['s5']);
    expect(await history([{ key: 'Owner', value: 'arn:aws:iam::123456789012:user/bob' }])).toEqual(['s3', 's2']);
    expect(await history([{ key: 'Status', value: 'Failed' }])).toEqual(['s2']);
    expect(await history([{ key: 'Status', value: 'Terminated' }])).toEqual(['s3', 's1']);
    expect(await active([{ key: 'Status', value: 'Disconnected' }])).toEqual(['s5']);
    expect(await active([{ key: 'Status', value: 'Connected' }])).toEqual(['s4']);
    expect(await history([{ key: 'SessionId', value: 's2' }])).toEqual(['s2']);
    expect(await history([{ key: 'SessionId', value: 's4' }])).toEqual([]);
    expect(await history([{ key: 'AccessType', value: 'JustInTime' }])).toEqual(['s3']);
    expect(await history([{ key: 'Target', value: 'i-0' }])).toEqual([]);
    expect(
      await history([
        { key: 'Target', value: 'i-01' },
        { key: 'Owner', value: 'arn:aws:iam::123456789012:user/bob' },
      ]),
    ).toEqual(['s3']);
    expect(
      await history([
        { key: 'Target', value: 'i-01' },
        { key: 'Target', value: 'i-02' },
      ]),
    ).toEqual([]);
    expect(
      await history([
        { key: 'Target', value: 'i-01' },
        { key: 'Target', value: 'i-01' },
      ]),
    ).toEqual(['s3', 's1']);
  });

  it('lists newest first by StartDate, ties by SessionId', async () => {
    const { emulator, client } = await emulatorWith();
    emulator.addSessions([
      makeSession({ sessionId: 'b', startMs: T0 - HOUR }),
      makeSession({ sessionId: 'c', startMs: T0 - 2 * HOUR }),
      makeSession({ sessionId: 'a', startMs: T0 - HOUR }),
      makeSession({ sessionId: 'd', startMs: T0 - 30 * SECOND, endMs: T0 - SECOND }),
    ]);
    expect(idsOf(await describeAll(client, 'History'))).toEqual(['d', 'a', 'b', 'c']);
    const dates = (await describeAll(client, 'History')).map((session) => session.StartDate?.getTime());
    expect(dates).toEqual([T0 - 30 * SECOND, T0 - HOUR, T0 - HOUR, T0 - 2 * HOUR]);
  });

  it('moves a session from not-yet-visible to Active to History as the clock advances', async () => {
    const { emulator, clock, client } = await emulatorWith();
    const session = makeSession({ sessionId: 'later', startMs: T0 + 10 * SECOND, endMs: T0 + HOUR });
    emulator.addSessions([session]);
    expect(emulator.stateOf(session)).toBe('Pending');
    expect(await describeAll(client, 'Active')).toEqual([]);
    expect(await describeAll(client, 'History')).toEqual([]);

    clock.set(T0 + 10 * SECOND);
    const [active] = await describeAll(client, 'Active');
    expect(active).toMatchObject({ SessionId: 'later', Status: 'Connected' });
    expect(active?.EndDate).toBeUndefined();
    expect(await describeAll(client, 'History')).toEqual([]);

    clock.set(T0 + HOUR - 1);
    expect(idsOf(await describeAll(client, 'Active'))).toEqual(['later']);
    clock.set(T0 + HOUR);
    expect(await describeAll(client, 'Active')).toEqual([]);
    const [ended] = await describeAll(client, 'History');
    expect(ended).toMatchObject({ SessionId: 'later', Status: 'Terminated' });
    expect(ended?.EndDate?.getTime()).toBe(T0 + HOUR);
    expect(emulator.stateOf(session)).toBe('History');
  });

  it('purges History 30 days after StartDate by default', async () => {
    const { emulator, clock, client } = await emulatorWith();
    const session = makeSession({ sessionId: 'old', startMs: T0, endMs: T0 + 2 * HOUR });
    emulator.addSessions([session]);
    clock.set(T0 + 30 * DAY);
    expect(idsOf(await describeAll(client, 'History'))).toEqual(['old']);
    clock.set(T0 + 30 * DAY + 1);
    expect(await describeAll(client, 'History')).toEqual([]);
    expect(emulator.stateOf(session)).toBe('Purged');
    expect(emulator.everInHistory(session)).toBe(true);
    expect(emulator.allSessions()).toHaveLength(1);
  });

  it('purges History 30 days after EndDate in EndDate mode, and honours retentionDays', async () => {
    const { emulator, clock, client } = await emulatorWith({ retentionFrom: 'EndDate', retentionDays: 7 });
    emulator.addSessions([makeSession({ sessionId: 'old', startMs: T0, endMs: T0 + 2 * HOUR })]);
    clock.set(T0 + 2 * HOUR + 7 * DAY);
    expect(idsOf(await describeAll(client, 'History'))).toEqual(['old']);
    clock.advance(1);
    expect(await describeAll(client, 'History')).toEqual([]);
  });

  it('never shows in History a session that stayed open longer than the window (StartDate mode), but keeps it Active meanwhile', async () => {
    const { emulator, clock, client } = await emulatorWith();
    const marathon = makeSession({ sessionId: 'marathon', startMs: T0, endMs: T0 + 35 * DAY });
    const forever = makeSession({ sessionId: 'forever', startMs: T0, endMs: null });
    emulator.addSessions([marathon, forever]);
    clock.set(T0 + 34 * DAY);
    expect(idsOf(await describeAll(client, 'Active'))).toEqual(['forever', 'marathon']);
    clock.set(T0 + 35 * DAY);
    expect(idsOf(await describeAll(client, 'Active'))).toEqual(['forever']);
    expect(await describeAll(client, 'History')).toEqual([]);
    expect(emulator.stateOf(marathon)).toBe('Purged');
    expect(emulator.everInHistory(marathon)).toBe(false);
    clock.set(T0 + 400 * DAY);
    expect(idsOf(await describeAll(client, 'Active'))).toEqual(['forever']);

    const endDateMode = await emulatorWith({ retentionFrom: 'EndDate' });
    endDateMode.emulator.addSessions([makeSession({ sessionId: 'marathon', startMs: T0, endMs: T0 + 35 * DAY })]);
    endDateMode.clock.set(T0 + 35 * DAY);
    expect(idsOf(await describeAll(endDateMode.client, 'History'))).toEqual(['marathon']);
  });

  it('lists Failed sessions in the state chosen by failedIn', async () => {
    const failed = makeSession({ sessionId: 'failed', startMs: T0 - HOUR, endMs: T0 - HOUR + 5 * SECOND, endStatus: 'Failed' });
    const inHistory = await emulatorWith();
    inHistory.emulator.addSessions([failed]);
    expect(await describeAll(inHistory.client, 'History')).toMatchObject([{ SessionId: 'failed', Status: 'Failed' }]);
    expect(await describeAll(inHistory.client, 'Active')).toEqual([]);

    const inActive = await emulatorWith({ failedIn: 'Active' });
    inActive.emulator.addSessions([failed]);
    expect(await describeAll(inActive.client, 'Active')).toMatchObject([{ SessionId: 'failed', Status: 'Failed' }]);
    expect(await describeAll(inActive.client, 'History')).toEqual([]);
    expect(inActive.emulator.everInHistory(failed)).toBe(false);
  });

  it('shows Terminating during terminatingMs before the end, in the state chosen by terminatingIn', async () => {
    const session = makeSession({ sessionId: 'closing', startMs: T0 - HOUR, endMs: T0 + 10 * SECOND, terminatingMs: 20 * SECOND });
    const inActive = await emulatorWith();
    inActive.emulator.addSessions([session]);
    expect(await describeAll(inActive.client, 'Active')).toMatchObject([{ SessionId: 'closing', Status: 'Terminating' }]);

    const inHistory = await emulatorWith({ terminatingIn: 'History' });
    inHistory.emulator.addSessions([session]);
    const [terminating] = await describeAll(inHistory.client, 'History');
    expect(terminating).toMatchObject({ SessionId: 'closing', Status: 'Terminating' });
    expect(terminating?.EndDate).toBeUndefined();
    expect(await describeAll(inHistory.client, 'Active')).toEqual([]);
    expect(inHistory.emulator.everInHistory(session)).toBe(true);
    inHistory.clock.set(T0 + 10 * SECOND);
    expect(await describeAll(inHistory.client, 'History')).toMatchObject([{ SessionId: 'closing', Status: 'Terminated' }]);
  });

  it('refuses sessions AWS could never return, and duplicate ids', async () => {
    const { emulator } = await emulatorWith();
    emulator.addSessions([makeSession({ sessionId: 'one', startMs: T0 })]);
    expect(() => emulator.addSessions([makeSession({ sessionId: 'one', startMs: T0 })])).toThrow(/Duplicate sessionId/);
    expect(() => emulator.addSessions([makeSession({ sessionId: 'x', startMs: T0, endMs: T0 - 1 })])).toThrow(/endMs/);
    expect(() => emulator.addSessions([makeSession({ sessionId: '', startMs: T0 })])).toThrow(/sessionId/);
  });

  it('terminate() ends an open session now or at a given time', async () => {
    const { emulator, clock, client } = await emulatorWith();
    emulator.addSessions([
      makeSession({ sessionId: 'open-1', startMs: T0 - HOUR, endMs: null }),
      makeSession({ sessionId: 'open-2', startMs: T0 - HOUR, endMs: null }),
    ]);
    emulator.terminate('open-1');
    emulator.terminate('open-2', T0 + HOUR);
    expect(idsOf(await describeAll(client, 'History'))).toEqual(['open-1']);
    clock.advance(HOUR);
    expect((await describeAll(client, 'History')).map((session) => session.EndDate?.getTime())).toEqual([T0, T0 + HOUR]);
    expect(() => emulator.terminate('missing')).toThrow(/No session/);
  });
});

describe('StartSession, TerminateSession, ResumeSession, GetConnectionStatus', () => {
  let emulator: SsmEmulator;
  let clock: ManualClock;
  let client: SSMClient;
  beforeAll(async () => {
    ({ emulator, clock, client } = await emulatorWith());
    emulator.addSessions([
      makeSession({ sessionId: 'dropped-wifi', startMs: T0 - HOUR, endMs: null, disconnected: true, target: 'i-0ccccccccccccccccc' }),
      makeSession({ sessionId: 'finished', startMs: T0 - 2 * HOUR }),
    ]);
  });
  afterEach(() => {
    clock.set(T0);
  });

  it('starts a session owned by the caller that shows as Active, and terminates it into History', async () => {
    const started = await client.send(
      new StartSessionCommand({ Target: 'i-0ddddddddddddddddd', DocumentName: 'AWS-StartSSHSession', Reason: 'Patch, "urgent"' }),
    );
    expect(started.SessionId).toMatch(new RegExp(`^${DUMMY_ACCESS_KEY_ID}-[0-9a-f]{17}$`));
    expect(started.TokenValue?.length).toBeGreaterThan(0);
    expect(started.TokenValue?.length).toBeLessThanOrEqual(300);
    expect(started.StreamUrl).toBe(
      `wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/${started.SessionId}?role=publish_subscribe`,
    );
    const active = await describeAll(client, 'Active', [{ key: 'SessionId', value: started.SessionId as string }]);
    expect(active).toHaveLength(1);
    expect(active[0]).toMatchObject({
      Target: 'i-0ddddddddddddddddd',
      Status: 'Connected',
      Owner: `arn:aws:iam::123456789012:user/${DUMMY_ACCESS_KEY_ID}`,
      DocumentName: 'AWS-StartSSHSession',
      Reason: 'Patch, "urgent"',
      AccessType: 'Standard',
    });
    expect(active[0]?.StartDate?.getTime()).toBe(T0);

    clock.advance(5 * 60 * SECOND);
    const terminated = await client.send(new TerminateSessionCommand({ SessionId: started.SessionId }));
    expect(terminated.SessionId).toBe(started.SessionId);
    expect(await describeAll(client, 'Active', [{ key: 'SessionId', value: started.SessionId as string }])).toEqual([]);
    const [ended] = await describeAll(client, 'History', [{ key: 'SessionId', value: started.SessionId as string }]);
    expect(ended).toMatchObject({ Status: 'Terminated' });
    expect(ended?.EndDate?.getTime()).toBe(T0 + 5 * 60 * SECOND);
  });

  it('with terminatingMs, TerminateSession leaves the session Terminating (Active) until it ends', async () => {
    const slow = await emulatorWith({ terminatingMs: 5 * SECOND });
    const { SessionId } = await slow.client.send(new StartSessionCommand({ Target: 'i-0ddddddddddddddddd' }));
    const sessionId = SessionId as string;
    slow.clock.advance(HOUR);
    await slow.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    expect(await describeAll(slow.client, 'Active')).toMatchObject([{ SessionId: sessionId, Status: 'Terminating' }]);
    expect((await sdkError(slow.client.send(new ResumeSessionCommand({ SessionId: sessionId })))).name).toBe('DoesNotExistException');
    // A second TerminateSession does not push the end further out.
    slow.clock.advance(4 * SECOND);
    await slow.client.send(new TerminateSessionCommand({ SessionId: sessionId }));
    slow.clock.advance(SECOND);
    const [ended] = await describeAll(slow.client, 'History');
    expect(ended).toMatchObject({ SessionId: sessionId, Status: 'Terminated' });
    expect(ended?.EndDate?.getTime()).toBe(T0 + HOUR + 5 * SECOND);
  });

  it('uses the region of the SigV4 credential scope in the StreamUrl', async () => {
    const westClient = emulatorSsmClient(emulator.endpoint, { region: 'eu-west-1', accessKeyId: 'AKIAWEST', maxAttempts: 1 });
    const started = await westClient.send(new StartSessionCommand({ Target: 'i-0eeeeeeeeeeeeeeee' }));
    expect(started.StreamUrl).toMatch(/^wss:\/\/ssmmessages\.eu-west-1\.amazonaws\.com\/v1\/data-channel\/AKIAWEST-/);
  });

  it('rejects StartSession without Target, with a bad DocumentName or Reason, or an AWS document that does not exist', async () => {
    const noTarget = await sdkError(client.send(new StartSessionCommand({} as unknown as { Target: string })));
    expect(noTarget.name).toBe('ValidationException');
    expect(noTarget.message).toContain("Value null at 'target'");
    const badDocument = await sdkError(client.send(new StartSessionCommand({ Target: 'i-1', DocumentName: 'has space' })));
    expect(badDocument.name).toBe('ValidationException');
    expect(badDocument.message).toContain("'documentName'");
    const longReason = await sdkError(client.send(new StartSessionCommand({ Target: 'i-1', Reason: 'r'.repeat(257) })));
    expect(longReason.message).toContain("at 'reason' failed to satisfy constraint: Member must have length less than or equal to 256");
    const multilineReason = await sdkError(client.send(new StartSessionCommand({ Target: 'i-1', Reason: 'line one\nline two' })));
    expect(multilineReason.message).toContain("at 'reason' failed to satisfy constraint: Member must satisfy regular expression pattern");
    const missingDocument = await sdkError(client.send(new StartSessionCommand({ Target: 'i-1', DocumentName: 'AWS-NoSuchDocument' })));
    expect(missingDocument.name).toBe('InvalidDocument');
  });

  it('answers TerminateSession for an unknown or already ended session with its SessionId (idempotent)', async () => {
    expect((await client.send(new TerminateSessionCommand({ SessionId: 'nobody-00000000000000000' }))).SessionId).toBe(
      'nobody-00000000000000000',
    );
    const finishedBefore = await describeAll(client, 'History', [{ key: 'SessionId', value: 'finished' }]);
    expect((await client.send(new TerminateSessionCommand({ SessionId: 'finished' }))).SessionId).toBe('finished');
    expect(await describeAll(client, 'History', [{ key: 'SessionId', value: 'finished' }])).toEqual(finishedBefore);
  });

  it('resumes a disconnected session into Connected', async () => {
    expect(await describeAll(client, 'Active', [{ key: 'SessionId', value: 'dropped-wifi' }])).toMatchObject([{ Status: 'Disconnected' }]);
    const resumed = await client.send(new ResumeSessionCommand({ SessionId: 'dropped-wifi' }));
    expect(resumed.SessionId).toBe('dropped-wifi');
    expect(resumed.TokenValue).toBeTruthy();
    expect(resumed.StreamUrl).toContain('/v1/data-channel/dropped-wifi?');
    expect(await describeAll(client, 'Active', [{ key: 'SessionId', value: 'dropped-wifi' }])).toMatchObject([{ Status: 'Connected' }]);
  });

  it('refuses to resume an unknown or ended session with DoesNotExistException', async () => {
    const unknown = await sdkError(client.send(new ResumeSessionCommand({ SessionId: 'ghost-00000000000000000' })));
    expect(unknown.name).toBe('DoesNotExistException');
    expect(unknown.$metadata.httpStatusCode).toBe(400);
    expect(unknown.message).toContain('ghost-00000000000000000');
    const ended = await sdkError(client.send(new ResumeSessionCommand({ SessionId: 'finished' })));
    expect(ended.name).toBe('DoesNotExistException');
  });

  it('reports connected for known targets and the fixed fleet, notconnected otherwise', async () => {
    const known = await client.send(new GetConnectionStatusCommand({ Target: 'i-0ccccccccccccccccc' }));
    expect(known).toMatchObject({ Target: 'i-0ccccccccccccccccc', Status: 'connected' });
    const fleet = await client.send(new GetConnectionStatusCommand({ Target: FIXED_FLEET[0] }));
    expect(fleet.Status).toBe('connected');
    const unknown = await client.send(new GetConnectionStatusCommand({ Target: 'i-0123456789fffffff' }));
    expect(unknown).toMatchObject({ Target: 'i-0123456789fffffff', Status: 'notconnected' });
    const noTarget = await sdkError(client.send(new GetConnectionStatusCommand({} as unknown as { Target: string })));
    expect(noTarget.name).toBe('ValidationException');
  });

  it('counts requests per operation and DescribeSessions answers per state', async () => {
    emulator.resetStats();
    await client.send(new GetConnectionStatusCommand({ Target: 'i-1' }));
    await client.send(new DescribeSessionsCommand({ State: 'History' }));
    await client.send(new DescribeSessionsCommand({ State: 'Active' }));
    await sdkError(client.send(new DescribeSessionsCommand({ State: 'Active', MaxResults: 0 })));
    expect(emulator.stats).toMatchObject({
      requests: 4,
      byOperation: { GetConnectionStatus: 1, DescribeSessions: 3 },
      describeByState: { Active: 1, History: 1 },
      faultsInjected: 0,
    });
  });
});
