import type { SettingDefinition } from '@apps-education/identity-mapping';
import type { AccountStore } from './account-store.js';

/**
 * The entry-point plumbing both PeerTube sign-in plugins share. On PeerTube 6.3.x a route, hook or callback that
 * rejects unhandled ends the whole process: everything here logs and answers instead.
 */
export interface PluginLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Registers each setting (PeerTube wants its own copy of the options list). */
export function registerSettings(
  registerSetting: (setting: never) => void,
  settings: readonly SettingDefinition[],
): void {
  for (const setting of settings)
    registerSetting({ ...setting, options: setting.options ? [...setting.options] : undefined } as never);
}

/** Wraps a route handler: whatever it throws is logged as "<prefix> <name> failed: ..." and answered by `onFailure`. */
export function createGuard<Req, Res>(logger: PluginLogger, prefix: string, onFailure: (req: Req, res: Res) => void) {
  return (name: string, handler: (req: Req, res: Res) => Promise<void>) =>
    (req: Req, res: Res): void => {
      handler(req, res).catch((error: unknown) => {
        logger.error(`${prefix} ${name} failed: ${errorMessage(error)}`);
        onFailure(req, res);
      });
    };
}

/**
 * The account hooks of a sign-in plugin (PeerTube does not await hooks: each handles its own errors): the account
 * PeerTube just created or signed in gets its id in the link; what the plugin kept about a person goes with their
 * PeerTube account (GDPR; the foreign keys do it too, even while the plugin is stopped).
 */
export function registerAccountHooks(
  registerHook: (hook: { target: never; handler: never }) => void,
  accounts: AccountStore,
  logger: PluginLogger,
  prefix: string,
): void {
  const hook = (target: string, name: string, handler: (params: Record<string, unknown>) => Promise<void>) => {
    const run = (params: unknown) =>
      handler((params ?? {}) as Record<string, unknown>).catch((error: unknown) =>
        logger.error(`${prefix} ${name} failed: ${errorMessage(error)}`),
      );
    registerHook({ target: target as never, handler: run as never });
  };
  hook('action:api.user.oauth2-got-token', 'linking the new account', async ({ username }) => {
    if (typeof username === 'string') await accounts.resolve(username);
  });
  hook('action:api.user.deleted', 'erasing a deleted account', async ({ user }) => {
    const { id, email } = (user ?? {}) as { id?: unknown; email?: unknown };
    if (typeof id === 'number' && typeof email === 'string') await accounts.forget(id, email);
  });
}
