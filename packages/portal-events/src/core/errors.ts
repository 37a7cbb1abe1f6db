import { type Localized, type MessageKey, translate } from './i18n.js';

export type PortalEventsErrorCode = 'INVALID_EVENT' | 'UNKNOWN_EVENT_TYPE' | 'INVALID_CONFIG' | 'STORE_UNAVAILABLE';

/**
 * The one error type of portal-events: a stable `code` for programs, `message` for the log (English, no personal
 * data), `userMessage` in French and English for the person who can fix it.
 */
export class PortalEventsError extends Error {
  override readonly name = 'PortalEventsError';
  readonly code: PortalEventsErrorCode;
  readonly userMessage: Localized;
  readonly details: readonly string[];

  constructor(
    code: PortalEventsErrorCode,
    values: Readonly<Record<string, string | number>>,
    details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    const userMessage = translate(`error.${code}` as MessageKey, values);
    super(`${code}: ${userMessage.en}`, options);
    this.code = code;
    this.userMessage = userMessage;
    this.details = details;
  }
}
