import { describe, expect, it } from 'vitest';
import { contentHash } from '../../lambdas/core/session/content-hash';
import type { ObservedSession } from '../../lambdas/core/session/session';
import { UnfilteredListing } from '../../lambdas/core/sweep/unfiltered-listing';
import { toIso } from '../../lambdas/core/shared/time';

const T0 = Date.parse('2026-11-01T00:00:00.000Z');
const MIN = 60_000;

/** A terminated session that started `minutes` after T0. */
const at = (minutes: number): ObservedSession => ({ sessionId: `s-${minutes}`, target: 'i-1', status: 'Terminated', startDate: toIso(T0 + minutes * MIN) });
const page = (...minutes: number[]): ObservedSession[] => minutes.map(at);
const none = new Set<string>();

describe('when a listing with no time filter may stop', () => {
  it('never stops early on a first listing (nothing is known yet)', () => {
    const listing = new UnfilteredListing({ earliestOpen: Infinity, full: false });
    expect(listing.stopBound).toBeNull();
    expect(listing.observe(page(10, 9, 8), none)).toBe(false);
  });

  it('stops after one page when nothing is new and the page reaches below the last newest record', () => {
    const listing = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: false });
    expect(listing.observe(page(10, 9, 8), none)).toBe(true);
    expect(listing.newSince.size).toBe(0);
  });

  it('keeps paging while the page holds only new records', () => {
    const listing = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: false });
    expect(listing.observe(page(13, 12, 11), new Set(['s-13', 's-12', 's-11']))).toBe(false);
    expect(listing.observe(page(10, 9), none)).toBe(true);
    expect(listing.newSince).toEqual(new Set(['s-13', 's-12', 's-11']));
  });

  it('reaches back to the oldest open session before stopping', () => {
    const listing = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: T0 + 5 * MIN, full: false });
    expect(listing.stopBound).toBe(T0 + 5 * MIN);
    expect(listing.observe(page(10, 9, 8), none)).toBe(false);
    expect(listing.observe(page(7, 6, 5), none)).toBe(false);
    expect(listing.observe(page(4, 3), none)).toBe(true);
  });

  it('never stops once a page broke newest-first order, within a page or across pages', () => {
    const within = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: false });
    expect(within.observe(page(8, 10, 9), none)).toBe(false);
    expect(within.observe(page(3, 2, 1), none)).toBe(false);
    expect(within.ordered).toBe(false);
    const across = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: false });
    expect(across.observe(page(12, 11), new Set(['s-12', 's-11']))).toBe(false);
    expect(across.observe(page(20, 5), new Set(['s-20']))).toBe(false);
    expect(across.observe(page(4, 3), none)).toBe(false);
  });

  it('keeps paging when a record below the bound was new to the archive (shown late)', () => {
    const listing = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: false });
    expect(listing.observe(page(10, 9, 8), new Set(['s-8']))).toBe(false);
    expect(listing.observe(page(7, 6), none)).toBe(true);
  });

  it('lists to the end when asked for a full listing', () => {
    const listing = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: true });
    expect(listing.observe(page(10, 9, 8), none)).toBe(false);
  });
});

describe('records the cap dropped', () => {
  it('names the range between the last newest record and the oldest one a listing reached', () => {
    const listing = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: true });
    listing.observe(page(40, 39, 30), none);
    expect(listing.droppedRange()).toEqual({ from: T0 + 10 * MIN, to: T0 + 30 * MIN });
  });

  it('finds nothing dropped when the listing reached back, or on a first listing', () => {
    const reached = new UnfilteredListing({ newestListed: T0 + 10 * MIN, earliestOpen: Infinity, full: true });
    reached.observe(page(40, 10), none);
    expect(reached.droppedRange()).toBeUndefined();
    const first = new UnfilteredListing({ earliestOpen: Infinity, full: true });
    first.observe(page(40, 30), none);
    expect(first.droppedRange()).toBeUndefined();
  });
});

describe('the fingerprint of Alibaba Cloud fields', () => {
  it('changes with a connection, and leaves SSM records hashed as before', () => {
    const ssm = at(1);
    expect(contentHash(ssm)).toBe(contentHash({ ...ssm, connections: undefined }));
    const open = { ...ssm, status: 'Connected', connections: [{ instanceId: 'i-1', status: 'Connected', startTime: ssm.startDate }] };
    const reconnected = { ...open, connections: [...open.connections, { instanceId: 'i-2', status: 'Connecting' }] };
    expect(contentHash(open)).not.toBe(contentHash(ssm));
    expect(contentHash(reconnected)).not.toBe(contentHash(open));
  });
});
