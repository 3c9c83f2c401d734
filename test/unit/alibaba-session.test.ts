/** Mapping one DescribeTerminalSessions session (Alibaba's JSON) to what the archive observes. */
import { describe, expect, it } from 'vitest';
import { MalformedAlibabaSessionError, toObservedAlibabaSession, type AlibabaWireConnection, type AlibabaWireSession } from '../../lambdas/core/sources/alibaba/alibaba-session';

const connection = (overrides: AlibabaWireConnection): AlibabaWireConnection => ({
  InstanceId: 'i-bp1aaaa',
  StartTime: '2024-01-19T09:16:40Z',
  EndTime: '',
  Status: 'Connected',
  ClosedReason: '',
  FailedDetail: '',
  ...overrides,
});

const session = (connections: AlibabaWireConnection[], overrides: AlibabaWireSession = {}): AlibabaWireSession => ({
  SessionId: 's-hz023od0x9',
  CreationTime: '2024-01-19T09:15:46Z',
  TargetServer: '192.168.0.246',
  PortNumber: 22,
  PrincipalId: '1234567890123456',
  Username: 'root',
  ClientIP: '192.168.1.1',
  IdentityType: 'RAMUser',
  Connections: { Connection: connections },
  ...overrides,
});

describe('toObservedAlibabaSession', () => {
  it('maps the documented example: ids, times with milliseconds, owner and the Alibaba fields', () => {
    const observed = toObservedAlibabaSession(session([connection({ EndTime: '2024-01-19T09:16:46Z', Status: 'Terminated', ClosedReason: 'AgentNeedUpgrade' })]));
    expect(observed).toEqual({
      sessionId: 's-hz023od0x9',
      target: 'i-bp1aaaa',
      status: 'Terminated',
      startDate: '2024-01-19T09:15:46.000Z',
      endDate: '2024-01-19T09:16:46.000Z',
      owner: '1234567890123456',
      username: 'root',
      identityType: 'RAMUser',
      clientIp: '192.168.1.1',
      targetServer: '192.168.0.246',
      portNumber: 22,
      connections: [{ instanceId: 'i-bp1aaaa', startTime: '2024-01-19T09:16:40.000Z', endTime: '2024-01-19T09:16:46.000Z', status: 'Terminated', closedReason: 'AgentNeedUpgrade' }],
    });
  });

  it('is Connecting while it has no connection yet, with the unknown target', () => {
    const observed = toObservedAlibabaSession(session([]));
    expect(observed.status).toBe('Connecting');
    expect(observed.target).toBe('(unknown)');
    expect(observed.connections).toBeUndefined();
    expect(observed.endDate).toBeUndefined();
  });

  it('is Connected while any connection is, even when others ended or are connecting', () => {
    const observed = toObservedAlibabaSession(session([connection({ Status: 'Failed', EndTime: '2024-01-19T09:16:50Z' }), connection({ Status: 'Connecting' }), connection({ Status: 'Connected' })]));
    expect(observed.status).toBe('Connected');
    expect(observed.endDate).toBeUndefined();
  });

  it('is Connecting while one is connecting and none is connected', () => {
    expect(toObservedAlibabaSession(session([connection({ Status: 'Terminated', EndTime: '2024-01-19T10:00:00Z' }), connection({ Status: 'Connecting', StartTime: '2024-01-19T11:00:00Z' })])).status).toBe('Connecting');
  });

  it('is Failed only when every connection failed, Terminated when any terminated', () => {
    const failed = connection({ Status: 'Failed', EndTime: '2024-01-19T09:16:50Z', FailedDetail: 'AgentNotOnline' });
    expect(toObservedAlibabaSession(session([failed, failed])).status).toBe('Failed');
    expect(toObservedAlibabaSession(session([failed, connection({ Status: 'Terminated', EndTime: '2024-01-19T09:20:00Z' })])).status).toBe('Terminated');
    expect(toObservedAlibabaSession(session([failed])).connections?.[0]).toMatchObject({ failedDetail: 'AgentNotOnline' });
  });

  it('keeps a session with an unknown connection status open', () => {
    expect(toObservedAlibabaSession(session([connection({ Status: 'Paused', EndTime: '' })])).status).toBe('Connecting');
  });

  it('ends at the latest EndTime once every connection ended, whatever the order given', () => {
    const observed = toObservedAlibabaSession(
      session([
        connection({ Status: 'Terminated', StartTime: '2024-01-20T08:00:00Z', EndTime: '2024-01-21T09:00:00Z', InstanceId: 'i-second' }),
        connection({ Status: 'Terminated', StartTime: '2024-01-19T09:16:40Z', EndTime: '2024-01-19T10:00:00Z', InstanceId: 'i-first' }),
      ]),
    );
    expect(observed.endDate).toBe('2024-01-21T09:00:00.000Z');
    expect(observed.target).toBe('i-first');
    expect(observed.instanceIds).toEqual(['i-second', 'i-first']);
  });

  it('lists instanceIds only when the connections reached more than one instance', () => {
    const twice = toObservedAlibabaSession(session([connection({ Status: 'Terminated', EndTime: '2024-01-19T10:00:00Z' }), connection({ StartTime: '2024-01-19T11:00:00Z' })]));
    expect(twice.instanceIds).toBeUndefined();
    expect(twice.connections).toHaveLength(2);
  });

  it('leaves out empty strings and absent fields instead of storing them', () => {
    const observed = toObservedAlibabaSession({ SessionId: 's-1', CreationTime: '2024-01-19T09:15:46Z', Username: '', ClientIP: '', PrincipalId: '', PortNumber: '' as unknown as number });
    expect(Object.keys(observed).sort()).toEqual(['sessionId', 'startDate', 'status', 'target']);
  });

  it('accepts a port given as text', () => {
    expect(toObservedAlibabaSession(session([], { PortNumber: '3389' })).portNumber).toBe(3389);
  });

  it('refuses a session without SessionId or CreationTime, or with a time that is not one', () => {
    expect(() => toObservedAlibabaSession({ CreationTime: '2024-01-19T09:15:46Z' })).toThrow(MalformedAlibabaSessionError);
    expect(() => toObservedAlibabaSession({ SessionId: 's-1', CreationTime: '' })).toThrow(/CreationTime/);
    expect(() => toObservedAlibabaSession(session([connection({ StartTime: 'yesterday' })]))).toThrow(/StartTime/);
  });
});
