import type { CasErrorCode } from './errors.js';

/**
 * CAS service responses (CAS 3.0.3, appendix A for XML, 2.5.x for JSON). Written by hand from the schema: the
 * documents are small and fixed, and every piece of text goes through `xmlText` / `xmlAttribute`, so nothing from
 * a claim or a parameter can change the structure.
 */
export type ResponseFormat = 'XML' | 'JSON';

export interface AuthenticationSuccess {
  readonly user: string;
  /** Released attributes, every value a list (multi-valued ones repeat as elements / JSON arrays). */
  readonly attributes: Readonly<Record<string, readonly string[]>> | null;
  readonly proxyGrantingTicketIou: string | null;
  /** Proxies the ticket went through, most recent first. */
  readonly proxies: readonly string[];
}

const XML_NS = 'http://www.yale.edu/tp/cas';

// XML 1.0 forbids most control characters even escaped: they are dropped rather than emit a document clients reject.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function xmlText(value: string): string {
  return value.replace(XML_FORBIDDEN, '').replace(/[&<>]/g, (c) => XML_ESCAPES[c] ?? c);
}

export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function wrapXml(inner: string): string {
  return `<cas:serviceResponse xmlns:cas="${XML_NS}">\n${inner}\n</cas:serviceResponse>\n`;
}

export function renderSuccess(format: ResponseFormat, success: AuthenticationSuccess): string {
  if (format === 'JSON') {
    const body: Record<string, unknown> = { user: success.user };
    if (success.proxyGrantingTicketIou) body.proxyGrantingTicket = success.proxyGrantingTicketIou;
    if (success.proxies.length > 0) body.proxies = success.proxies;
    if (success.attributes) body.attributes = success.attributes;
    return JSON.stringify({ serviceResponse: { authenticationSuccess: body } });
  }
  const lines = [`  <cas:authenticationSuccess>`, `    <cas:user>${xmlText(success.user)}</cas:user>`];
  if (success.attributes) {
    lines.push('    <cas:attributes>');
    for (const [name, values] of Object.entries(success.attributes)) {
      for (const value of values) lines.push(`      <cas:${name}>${xmlText(value)}</cas:${name}>`);
    }
    lines.push('    </cas:attributes>');
  }
  if (success.proxyGrantingTicketIou) {
    lines.push(`    <cas:proxyGrantingTicket>${xmlText(success.proxyGrantingTicketIou)}</cas:proxyGrantingTicket>`);
  }
  if (success.proxies.length > 0) {
    lines.push('    <cas:proxies>');
    for (const proxy of success.proxies) lines.push(`      <cas:proxy>${xmlText(proxy)}</cas:proxy>`);
    lines.push('    </cas:proxies>');
  }
  lines.push('  </cas:authenticationSuccess>');
  return wrapXml(lines.join('\n'));
}

export function renderFailure(format: ResponseFormat, code: CasErrorCode, description: string): string {
  if (format === 'JSON') return JSON.stringify({ serviceResponse: { authenticationFailure: { code, description } } });
  return wrapXml(`  <cas:authenticationFailure code="${code}">${xmlText(description)}</cas:authenticationFailure>`);
}

export function renderProxySuccess(format: ResponseFormat, proxyTicket: string): string {
  if (format === 'JSON') return JSON.stringify({ serviceResponse: { proxySuccess: { proxyTicket } } });
  return wrapXml(
    `  <cas:proxySuccess>\n    <cas:proxyTicket>${xmlText(proxyTicket)}</cas:proxyTicket>\n  </cas:proxySuccess>`,
  );
}

export function renderProxyFailure(format: ResponseFormat, code: CasErrorCode, description: string): string {
  if (format === 'JSON') return JSON.stringify({ serviceResponse: { proxyFailure: { code, description } } });
  return wrapXml(`  <cas:proxyFailure code="${code}">${xmlText(description)}</cas:proxyFailure>`);
}

/** CAS 1.0 `/validate`: two lines, `yes` and the user, or `no` and an empty line (CAS 3.0.3, 2.4.2). */
export function renderValidate1(user: string | null): string {
  return user === null ? 'no\n\n' : `yes\n${user.replace(/[\r\n]/g, '')}\n`;
}
