import { autoRedirectTarget, type RegisteredExternalAuth } from './auto-redirect.js';

/** PeerTube client script for the login page (scope `login`). It runs in the browser: only `location` is used. */
const browser = globalThis as unknown as { location: { search: string; assign(url: string): void } };

interface ClientHelpers {
  getSettings(): Promise<Record<string, unknown>>;
  getServerConfig(): Promise<{ plugin?: { registeredExternalAuths?: RegisteredExternalAuth[] } }>;
}

export function register({
  registerHook,
  peertubeHelpers,
}: {
  registerHook: (h: { target: string; handler: () => unknown }) => void;
  peertubeHelpers: ClientHelpers;
}) {
  registerHook({
    target: 'action:login.init',
    handler: async () => {
      const [settings, config] = await Promise.all([peertubeHelpers.getSettings(), peertubeHelpers.getServerConfig()]);
      const target = autoRedirectTarget(
        settings['auto-redirect'],
        browser.location.search,
        config.plugin?.registeredExternalAuths,
      );
      if (target) browser.location.assign(target);
    },
  });
}
