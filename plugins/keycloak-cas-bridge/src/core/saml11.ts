import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { TicketRecord } from './records.js';
import { xmlAttribute, xmlText } from './responses.js';

/**
 * SAML 1.1 validation (CAS 3.0.3, section 4: `/samlValidate`). Requests are read leniently, as real clients send
 * them: mod_auth_cas sends no RequestID nor IssueInstant, phpCAS a fixed IssueInstant from 2002, so neither is
 * checked; only the AssertionArtifact (the ticket) matters. The parser never resolves entities (no XXE).
 */
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
});

export function assertionArtifact(soap: string): string | null {
  if (soap.length > 16_384 || /<!DOCTYPE|<!ENTITY/i.test(soap)) return null;
  try {
    const document = parser.parse(soap) as { Envelope?: { Body?: { Request?: { AssertionArtifact?: unknown } } } };
    const artifact = document.Envelope?.Body?.Request?.AssertionArtifact;
    return typeof artifact === 'string' && artifact !== '' ? artifact : null;
  } catch {
    return null;
  }
}

const envelope = (body: string) =>
  `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;

const RESPONSE_NS =
  'xmlns="urn:oasis:names:tc:SAML:1.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const ATTRIBUTE_NAMESPACE = 'http://www.ja-sig.org/products/cas/';

export function samlSuccess(ticket: TicketRecord, target: string, issuer: string, now: Date): string {
  const instant = now.toISOString();
  const notOnOrAfter = new Date(now.getTime() + 30_000).toISOString();
  const subject = `<Subject><NameIdentifier>${xmlText(ticket.principal.user)}</NameIdentifier><SubjectConfirmation><ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:artifact</ConfirmationMethod></SubjectConfirmation></Subject>`;
  const attributes = Object.entries(ticket.principal.attributes)
    .map(
      ([name, values]) =>
        `<Attribute AttributeName="${xmlAttribute(name)}" AttributeNamespace="${ATTRIBUTE_NAMESPACE}">${values.map((v) => `<AttributeValue>${xmlText(v)}</AttributeValue>`).join('')}</Attribute>`,
    )
    .join('');
  return envelope(
    `<Response ${RESPONSE_NS} IssueInstant="${instant}" MajorVersion="1" MinorVersion="1" Recipient="${xmlAttribute(target)}" ResponseID="_${randomUUID()}">` +
      '<Status><StatusCode Value="samlp:Success"></StatusCode></Status>' +
      `<Assertion xmlns="urn:oasis:names:tc:SAML:1.0:assertion" AssertionID="_${randomUUID()}" IssueInstant="${instant}" Issuer="${xmlAttribute(issuer)}" MajorVersion="1" MinorVersion="1">` +
      `<Conditions NotBefore="${instant}" NotOnOrAfter="${notOnOrAfter}"><AudienceRestrictionCondition><Audience>${xmlText(target)}</Audience></AudienceRestrictionCondition></Conditions>` +
      `<AttributeStatement>${subject}${attributes}</AttributeStatement>` +
      `<AuthenticationStatement AuthenticationInstant="${xmlAttribute(ticket.authenticationDate)}" AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:unspecified">${subject}</AuthenticationStatement>` +
      '</Assertion></Response>',
  );
}

export function samlFailure(target: string, code: string, message: string, now: Date): string {
  return envelope(
    `<Response ${RESPONSE_NS} IssueInstant="${now.toISOString()}" MajorVersion="1" MinorVersion="1" Recipient="${xmlAttribute(target)}" ResponseID="_${randomUUID()}">` +
      `<Status><StatusCode Value="samlp:Responder"></StatusCode><StatusMessage>${xmlText(`${code}: ${message}`)}</StatusMessage></Status></Response>`,
  );
}
