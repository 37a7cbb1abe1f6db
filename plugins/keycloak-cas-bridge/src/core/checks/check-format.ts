import { CasError } from '../errors.js';
import type { Check } from './context.js';

/**
 * `format` is XML (default) or JSON; any other value is refused (CAS 3.0.3, 2.5.1 and 2.6.1: "if an unsupported
 * format is requested, the CAS server MUST respond in XML with INVALID_REQUEST"... the error itself is in XML).
 * Only the /p3 and CAS 2 endpoints have the parameter; /validate answers in its own two-line form.
 */
export const checkFormat: Check = (ctx) => {
  const format = ctx.params.format;
  if (format === undefined || format === 'XML') return;
  if (format === 'JSON') {
    ctx.format = 'JSON';
    return;
  }
  throw new CasError('INVALID_REQUEST', 'cas.INVALID_REQUEST.format', { format: format.slice(0, 32) });
};
