/**
 * `bbb-upload`: reads the configuration (BBB_UPLOAD_CONFIG or ./bbb-upload.yml, overridden by BBB_UPLOAD_*
 * variables), starts the service, and stops it cleanly on SIGTERM/SIGINT. A bad configuration prints every problem
 * in French and English and exits with status 2.
 */
import { ServiceError } from '../core/errors.js';
import { loadConfig } from './config.js';
import { startService } from './server.js';

const path = process.env.BBB_UPLOAD_CONFIG ?? './bbb-upload.yml';
try {
  const service = await startService(loadConfig(path));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.app.log.info({ signal }, 'stopping');
    await service.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (error) {
  if (error instanceof ServiceError) {
    process.stderr.write(
      `${error.userMessage.fr}\n${error.userMessage.en}\n${error.details.map((d) => `  - ${d}`).join('\n')}\n`,
    );
    process.exit(2);
  }
  throw error;
}
