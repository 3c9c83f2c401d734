/** Every emulated session, kept newest first by CreationTime (then SessionId) so retention is a prefix. */
import { assertValidSession, type EmulatedTerminalSession } from './session-model';

export class TerminalSessionStore {
  private readonly byId = new Map<string, EmulatedTerminalSession>();
  private newestFirst: EmulatedTerminalSession[] = [];

  has(sessionId: string): boolean {
    return this.byId.has(sessionId);
  }

  get(sessionId: string): EmulatedTerminalSession | undefined {
    return this.byId.get(sessionId);
  }

  /** Stores copies; a duplicate id throws and stores nothing. Returns the stored sessions. */
  add(sessions: readonly EmulatedTerminalSession[]): EmulatedTerminalSession[] {
    const copies = sessions.map((session) => ({ ...session, connections: session.connections.map((connection) => ({ ...connection })) }));
    const ids = new Set<string>();
    for (const copy of copies) {
      assertValidSession(copy);
      if (this.byId.has(copy.sessionId) || ids.has(copy.sessionId)) throw new RangeError(`session ${copy.sessionId} already exists in the emulator`);
      ids.add(copy.sessionId);
    }
    for (const copy of copies) this.byId.set(copy.sessionId, copy);
    this.newestFirst = [...this.newestFirst, ...copies].sort(newestFirst);
    return copies;
  }

  /** Newest first, every region; treat as read-only. */
  all(): readonly EmulatedTerminalSession[] {
    return this.newestFirst;
  }

  inRegion(regionId: string): EmulatedTerminalSession[] {
    return this.newestFirst.filter((session) => session.regionId === regionId);
  }
}

function newestFirst(a: EmulatedTerminalSession, b: EmulatedTerminalSession): number {
  return b.creationMs - a.creationMs || (a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0);
}
