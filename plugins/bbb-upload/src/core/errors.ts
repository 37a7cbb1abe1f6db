import { type Localized, translate } from './i18n.js';

export type ServiceErrorCode = 'INVALID_CONFIG' | 'STORE_UNAVAILABLE';

/** An error of the service itself (configuration, database): a stable code, a log message, a bilingual one. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly userMessage: Localized;
  constructor(
    readonly code: ServiceErrorCode,
    readonly details: readonly string[],
    options?: { cause?: unknown },
  ) {
    const userMessage = translate(`error.${code}`, { details: details.join('; ') });
    super(`${code}: ${userMessage.en}`, options);
    this.userMessage = userMessage;
  }
}
