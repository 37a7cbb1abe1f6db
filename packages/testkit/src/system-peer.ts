import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * Raised when a test needs software from the system that is not installed. Tests never skip: they fail with
 * this message, naming the Debian package, and `.ci/run` installs it through scripts/install-peers.sh.
 */
export class MissingPeerError extends Error {
  override readonly name = 'MissingPeerError';
  constructor(what: string, debianPackage: string) {
    super(
      `Missing system peer: ${what}. Install the Debian package "${debianPackage}" ` +
        `(sudo apt-get install ${debianPackage}, or bash scripts/install-peers.sh for all of them).`,
    );
  }
}

/** Finds an executable on PATH (or an absolute path) or throws MissingPeerError naming its package. */
export function requireCommand(command: string, debianPackage: string): string {
  if (command.includes('/')) {
    if (existsSync(command)) return command;
    throw new MissingPeerError(command, debianPackage);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  for (const dir of ['/usr/sbin', '/sbin', '/usr/local/sbin']) {
    const candidate = join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  throw new MissingPeerError(command, debianPackage);
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(command: string, args: readonly string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd, input: options.input, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

export interface PeerOptions {
  /** Shown in messages. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Ready when this TCP port accepts connections, or when this check resolves true. */
  readonly readyPort?: number;
  readonly readyCheck?: () => Promise<boolean>;
  readonly readyTimeoutMs?: number;
  /** A log file the peer writes itself (shown on failure besides its stdout and stderr). */
  readonly logFile?: string;
  /** A pid file written by a peer that daemonises (Apache): stopped by that pid. */
  readonly pidFile?: string;
  /**
   * The peer forks workers of its own that do not end with it (`php -S` with PHP_CLI_SERVER_WORKERS): it is started
   * in a process group of its own, and stopping it stops the whole group.
   */
  readonly forksWorkers?: boolean;
}

export interface RunningPeer {
  readonly name: string;
  readonly pid: number;
  /** stdout, stderr and the log file so far. */
  output(): string;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a system peer as a child process (not through a shell, so its pid is its own), waits until it is ready,
 * and gives a handle that stops it by pid. When it exits early or never gets ready, the error shows its output.
 */
export async function startPeer(options: PeerOptions): Promise<RunningPeer> {
  let captured = '';
  const child: ChildProcess = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.forksWorkers === true,
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    captured += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    captured += chunk.toString();
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const output = () => {
    let log = '';
    if (options.logFile && existsSync(options.logFile))
      log = `\n--- ${options.logFile} ---\n${readFileSync(options.logFile, 'utf8')}`;
    return `${captured}${log}`;
  };
  const daemonPid = () =>
    options.pidFile && existsSync(options.pidFile) ? Number(readFileSync(options.pidFile, 'utf8').trim()) : undefined;

  const stop = async () => {
    const pids = [daemonPid(), child.pid].filter((p): p is number => typeof p === 'number' && p > 0);
    // A negative pid is the process group: the peer and every worker it forked.
    const targets = options.forksWorkers && child.pid ? [-child.pid] : pids;
    const signal = (sig: NodeJS.Signals) => {
      for (const pid of targets) {
        try {
          process.kill(pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal('SIGTERM');
    for (let i = 0; i < 50 && targets.some(alive); i++) await wait(100);
    if (targets.some(alive)) signal('SIGKILL');
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  const failed = await Promise.race([
    spawnError.then((error) => `could not start: ${error.message}`),
    (async () => {
      while (Date.now() < deadline) {
        if (exited !== undefined && !options.pidFile) return `exited with code ${exited} before it was ready`;
        const ready =
          (options.readyPort === undefined || (await portOpen(options.readyPort))) &&
          (options.readyCheck === undefined || (await options.readyCheck().catch(() => false)));
        if (ready) return null;
        await wait(100);
      }
      return `not ready after ${options.readyTimeoutMs ?? 20_000} ms`;
    })(),
  ]);
  if (failed !== null) {
    await stop();
    throw new Error(`${options.name} ${failed}. Its output:\n${output()}`);
  }
  return { name: options.name, pid: daemonPid() ?? child.pid ?? -1, output, stop };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface CapturedProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Waits until the output contains this text; throws with the output after timeoutMs. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** Spawns a process (no shell) and keeps what it prints, for tests that kill or interrupt it. */
export function spawnCaptured(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CapturedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let captured = '';
  const append = (chunk: Buffer) => {
    captured += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    output: () => captured,
    exited,
    async waitFor(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!captured.includes(text)) {
        if (Date.now() > deadline)
          throw new Error(`"${text}" not printed within ${timeoutMs} ms. Output:\n${captured}`);
        await wait(50);
      }
    },
  };
}
