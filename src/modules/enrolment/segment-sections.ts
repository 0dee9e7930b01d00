import { sql } from 'kysely';
import type { Dialect } from '../../db/dialect.js';
import type { Tx } from '../../db/executor.js';
import type { MatcherSync } from '../templates/matcher-sync.js';
import { KeyedMutex } from './keyed-mutex.js';

/**
 * A segment's section: from the duplicate search to the template's commit, one enrolment of a segment at a
 * time, across every instance that shares the store, so two enrolments of one face cannot both pass the search.
 * - In process, a mutex per segment (and a catch-up with the change feed before the work starts).
 * - On PostgreSQL, where several instances share the store, the transaction also takes an advisory lock per
 *   segment on its own connection (released at its commit or rollback), and then catches the matcher up with
 *   the change feed under the lock: an enrolment another instance committed before the lock was free is in the
 *   matcher before the search.
 * - SQLite is one process per file (the store file is not shared between instances), so the mutex suffices.
 */
export class SegmentSections {
  private readonly local = new KeyedMutex();

  constructor(
    private readonly dialect: Dialect,
    private readonly sync: Pick<MatcherSync, 'catchUp'>,
  ) {}

  /** Runs `section` holding the segment's in-process section, after catching up with other instances. */
  run<T>(segmentId: string, section: () => Promise<T>): Promise<T> {
    return this.local.run(segmentId, async () => {
      await this.sync.catchUp();
      return section();
    });
  }

  /**
   * Inside the commit's transaction: the segment's lock across instances, then a catch-up under it. Returns
   * whether other instances may have committed since the caller's search (PostgreSQL): the caller searches
   * again. On SQLite it returns false and touches nothing (a read outside the open transaction would wait for it).
   */
  async enter(tx: Tx, segmentId: string): Promise<boolean> {
    if (this.dialect !== 'postgres') return false;
    await sql`select pg_advisory_xact_lock(${LOCK_SPACE}::int, hashtext(${segmentId}))`.execute(tx);
    await this.sync.catchUp();
    return true;
  }
}

/** The first key of Oblik's segment locks (two-key advisory locks), so they meet no other lock of the database. */
const LOCK_SPACE = 0x0b11c;
