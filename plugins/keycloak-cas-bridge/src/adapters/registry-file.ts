import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { BridgeError } from '../core/errors.js';
import { parseRegistry, type Registry } from '../core/registry.js';

export interface RegistryFile {
  /** The registry in force: the last one that loaded cleanly. */
  current(): Registry;
  close(): void;
}

/**
 * Loads the registry file (refusing to start on a broken one) and reloads it when it changes. A broken edit keeps
 * the last good registry and logs every problem, so a typo never takes the sign-in of every school down. Polling
 * (not inotify) because editors and configuration tools often replace the file rather than write into it.
 */
export function watchRegistryFile(
  path: string,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
  intervalMs = 1_000,
): RegistryFile {
  const load = () => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new BridgeError('INVALID_REGISTRY', [
        `cannot read ${path}: ${error instanceof Error ? error.message : error}`,
      ]);
    }
    return parseRegistry(text);
  };
  let registry = load();
  log.info({ path, services: registry.services.length }, 'service registry loaded');
  watchFile(path, { interval: intervalMs, persistent: false }, (now, before) => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    try {
      registry = load();
      log.info({ path, services: registry.services.length }, 'service registry reloaded');
    } catch (error) {
      const details = error instanceof BridgeError ? error.details : [String(error)];
      log.error({ path, problems: details }, 'service registry NOT reloaded: the previous one stays in use');
    }
  });
  return {
    current: () => registry,
    close: () => unwatchFile(path),
  };
}
