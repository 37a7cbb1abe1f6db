import { CasError } from '../errors.js';
import type { Check } from './context.js';

/** `service` and `ticket` are REQUIRED on every validation endpoint (CAS 3.0.3, 2.4.1, 2.5.1, 2.6.1). */
export const checkRequiredParams: Check = (ctx) => {
  const missing = (['service', 'ticket'] as const).filter((name) => !ctx.params[name]);
  if (missing.length > 0) throw new CasError('INVALID_REQUEST', 'cas.INVALID_REQUEST', { details: missing.join(', ') });
};
