import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Pages the WAL may hold before the caller's own connection checkpoints, when the thread is behind or gone. */
export const SAFETY_AUTOCHECKPOINT_PAGES = 10_000;
/** SQLite's own default, put back when the thread stops. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

export interface WalCheckpointer {
  /** Stops the thread (after its checkpoint in progress) and gives the connection back SQLite's default. */
  stop(): Promise<void>;
}

/**
 * Runs the WAL checkpoints of a SQLite file on a thread of its own. SQLite checkpoints on the connection whose
 * commit fills the WAL past 1,000 pages: it copies them into the database file and calls fsync, synchronously, in
 * the event loop of the process that also sends the portal's notifications (measured by `pnpm bench`: a third of
 * the cost of recording deliveries, and the spread between runs). Here a second connection, on a worker thread,
 * runs a PASSIVE checkpoint every `intervalMs` (it never blocks the writer); the caller's connection only
 * checkpoints if the WAL grows past `SAFETY_AUTOCHECKPOINT_PAGES` (the thread behind, or gone).
 *
 * Nothing changes for durability: commits are the same, and SQLite allows any connection to checkpoint.
 */
export function startWalCheckpointer(
  db: Database.Database,
  options: { intervalMs?: number; onError?: (reason: string) => void } = {},
): WalCheckpointer {
  const intervalMs = options.intervalMs ?? 250;
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') {
    // An in-memory or rollback-journal database has no WAL to checkpoint.
    return { stop: async () => undefined };
  }
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const Database = require(workerData.driver);
     let db;
     try {
       db = new Database(workerData.path, { fileMustExist: true });
       db.pragma('busy_timeout = 1000');
     } catch (error) {
       parentPort.postMessage({ fatal: true, reason: String(error && error.message) });
       process.exit(1);
     }
     const timer = setInterval(() => {
       try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ fatal: false, reason: String(error && error.message) }); }
     }, workerData.intervalMs);
     parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });`,
    { eval: true, workerData: { driver, path: db.name, intervalMs } },
  );
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
  const report = options.onError ?? (() => undefined);
  worker.on('message', ({ fatal, reason }: { fatal: boolean; reason: string }) =>
    report(fatal ? `WAL checkpoint thread failed: ${reason}` : `WAL checkpoint failed: ${reason}`),
  );
  const exited = new Promise<void>((resolve) => {
    worker.once('error', (error: unknown) =>
      report(`WAL checkpoint thread failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    worker.once('exit', () => {
      // The connection checkpoints by itself again, at SQLite's default size.
      if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      resolve();
    });
  });
  return {
    async stop() {
      worker.postMessage('stop');
      await exited;
    },
  };
}
