import { DOMParser, type Element } from '@xmldom/xmldom';

/** SAML documents never carry a DTD: where XXE and entity expansion come from. Checked before any parsing. */
export const hasDtd = (xml: string) => /<!DOCTYPE|<!ENTITY/i.test(xml);

/**
 * The root element of a well-formed XML document, or an Error with the parser's reason (its first line); warnings
 * pass. Call it only on text `hasDtd` found no DTD in.
 */
export function parseXmlStrict(xml: string): Element | null {
  try {
    return new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml').documentElement;
  } catch (error) {
    // xmldom wraps what onError throws in an error of its own; the reason is its message's first line.
    throw new Error(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
  }
}
