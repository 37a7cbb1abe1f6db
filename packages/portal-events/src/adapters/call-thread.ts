import { Worker } from 'node:worker_threads';

interface Answer {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: { readonly message: string; readonly code?: string };
  /** The thread could not open its connection: every call fails with this reason. */
  readonly fatal?: string;
}

export interface CallThread {
  /** Sends one call; resolves with the thread's result, rejects with its error (message and code kept). */
  call(message: Record<string, unknown>): Promise<unknown>;
  /** Stops the thread after the calls it holds (they still answer). */
  stop(): Promise<void>;
}

/**
 * A worker thread that answers calls by id: the plumbing shared by the outbox's SQLite and PostgreSQL threads. The
 * source is evaluated, not a file: the services bundle this package into one module, where a worker file would be
 * lost. It must answer each `{ id, ... }` with `{ id, result }` or `{ id, error: { message, code } }`, post
 * `{ fatal }` and exit if it cannot start, and close on the message `'stop'`.
 *
 * If the thread fails or dies, every call still waiting and every later call rejects with the reason: the delivery
 * worker logs its round as failed and tries again, and rows leased then come back when their lease ends.
 */
export function startCallThread(label: string, source: string, workerData: unknown): CallThread {
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
    call: (message) =>
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
