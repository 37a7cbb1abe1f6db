/**
 * `keycloak-cas-bridge`: reads the configuration (CAS_BRIDGE_CONFIG or ./cas-bridge.yml, overridden by CAS_*
 * variables), starts the bridge, and stops it cleanly on SIGTERM/SIGINT. A bad configuration prints every problem
 * in French and English and exits with status 2.
 */
import { BridgeError } from '../core/errors.js';
import { loadConfig } from './config.js';
import { startBridge } from './server.js';

const path = process.env.CAS_BRIDGE_CONFIG ?? './cas-bridge.yml';
try {
  const bridge = await startBridge(loadConfig(path));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    bridge.app.log.info({ signal }, 'stopping');
    await bridge.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (error) {
  if (error instanceof BridgeError) {
    process.stderr.write(
      `${error.userMessage.fr}\n${error.userMessage.en}\n${error.details.map((d) => `  - ${d}`).join('\n')}\n`,
    );
    process.exit(2);
  }
  throw error;
}
