import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

interface Answer {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: { readonly message: string; readonly code?: string };
  /** The thread could not open its connection: every call fails with this reason. */
  readonly fatal?: string;
}

/** Statements by name, prepared once on the thread's own connection. */
export type Statements = Readonly<Record<string, string>>;

export interface StatementThread<S extends Statements> {
  /** Rows of a statement (`RETURNING` or `SELECT`). */
  all<Row>(name: keyof S & string, params: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement once per parameter list, in one transaction; gives the rows changed in all. */
  runEach(name: keyof S & string, paramsList: readonly (readonly unknown[])[]): Promise<number>;
  /** Stops the thread after the calls it holds (they still answer), and closes its connection. */
  stop(): Promise<void>;
}

/**
 * A second connection to a SQLite file, on a worker thread, for the outbox's delivery statements (lease, record,
 * release, count). better-sqlite3 runs every statement synchronously in the calling thread: on the process's own
 * connection, leasing and recording cost 17 to 23 µs of event-loop time per notification (measured by `pnpm bench`:
 * a tenth of a POST), taken from the requests of the service that hosts the outbox. Here they take the thread's time;
 * the event loop only passes messages. Commits, locks and durability are SQLite's own between two connections (WAL,
 * `synchronous = NORMAL` like the caller's connection, the same busy timeout).
 */
export function startStatementThread<S extends Statements>(path: string, statements: S): StatementThread<S> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = startCallThread(
    'outbox statement thread',
    `const { workerData, parentPort } = require('node:worker_threads');
     const Database = require(workerData.driver);
     let db;
     const prepared = {};
     try {
       db = new Database(workerData.path, { fileMustExist: true });
       db.pragma('busy_timeout = 5000');
       db.pragma('synchronous = NORMAL');
       for (const [name, sql] of Object.entries(workerData.statements)) prepared[name] = db.prepare(sql);
     } catch (error) {
       // Sent as text: a SqliteError thrown out of the thread would arrive without its message.
       parentPort.postMessage({ fatal: String((error && error.message) || error) });
       process.exit(1);
     }
     const runEach = db.transaction((statement, paramsList) => {
       let changed = 0;
       for (const params of paramsList) changed += statement.run(...params).changes;
       return changed;
     });
     parentPort.on('message', (message) => {
       if (message === 'stop') { db.close(); parentPort.close(); return; }
       const { id, op, name, params } = message;
       try {
         const statement = prepared[name];
         const result = op === 'all' ? statement.all(...params) : runEach(statement, params);
         parentPort.postMessage({ id, result });
       } catch (error) {
         parentPort.postMessage({ id, error: { message: String((error && error.message) || error), code: error && error.code } });
       }
     });`,
    { driver, path, statements },
  );
  return {
    all: async <Row>(name: string, params: readonly unknown[]) =>
      (await thread.call({ op: 'all', name, params })) as Row[],
    runEach: async (name, paramsList) => (await thread.call({ op: 'runEach', name, params: paramsList })) as number,
    stop: () => thread.stop(),
  };
}

/**
 * The thread's plumbing: calls by id, each answered with `{ id, result }` or `{ id, error: { message, code } }`; a
 * thread that cannot start posts `{ fatal }`. The source is evaluated, not a file: the services bundle this package
 * into one module, where a worker file would be lost. If the thread fails or dies, every call still waiting and every
 * later call rejects with the reason: the delivery worker logs its round as failed and tries again, and rows leased
 * then come back when their lease ends.
 */
function startCallThread(label: string, source: string, workerData: unknown) {
  const worker = new Worker(source, { eval: true, workerData });
  worker.unref();
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    for (const call of waiting.values()) call.reject(failure);
    waiting.clear();
  };
  worker.on('message', ({ id, result, error, fatal }: Answer) => {
    if (fatal !== undefined) return fail(new Error(`${label} failed: ${fatal}`));
    const call = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
    if (error === undefined) return call?.resolve(result);
    call?.reject(Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code }));
  });
  worker.on('error', (error: unknown) =>
    fail(new Error(`${label} failed: ${error instanceof Error ? error.message : String(error)}`)),
  );
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      fail(new Error(`${label} stopped`));
      resolve();
    }),
  );
  return {
    call: (message: Record<string, unknown>) =>
      new Promise<unknown>((resolve, reject) => {
        if (failure) return reject(failure);
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        // Referenced while an answer is awaited: a process waiting only for the outbox does not exit under it.
        worker.ref();
        worker.postMessage({ ...message, id });
      }),
    async stop() {
      if (!failure) worker.postMessage('stop');
      await exited;
    },
  };
}
