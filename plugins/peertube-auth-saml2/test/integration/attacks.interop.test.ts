import { inflateRawSync } from 'node:zlib';
import {
  createSamlForger,
  createUserAgent,
  type ForgedResponse,
  type PeerTubeHost,
  type PluginInHost,
  type SamlForger,
  startPluginInHost,
  type UserAgent,
  xmlText,
} from '@apps-education/testkit';
import { DOMParser, type Document, type Element, XMLSerializer } from '@xmldom/xmldom';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_NAME, NPM_NAME, postToAcs, ROUTER, type SignedIn, spFromMetadata } from './saml-idp.js';

const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const OID = { uid: 'urn:oid:0.9.2342.19200300.100.1.1', mail: 'urn:oid:0.9.2342.19200300.100.1.3' };

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (node: unknown) => new XMLSerializer().serializeToString(node as Element);
const first = (
  root: { getElementsByTagNameNS(ns: string, name: string): ArrayLike<Element> },
  ns: string,
  name: string,
) => {
  const found = root.getElementsByTagNameNS(ns, name)[0];
  if (!found) throw new Error(`no ${name}`);
  return found;
};
/** A direct child (getElementsByTagNameNS also finds the copies an attack nests deeper). */
const child = (parent: Element, ns: string, name: string) => {
  const found = Array.from(parent.childNodes).find(
    (n) => (n as Element).namespaceURI === ns && (n as Element).localName === name,
  ) as Element | undefined;
  if (!found) throw new Error(`no ${name} child`);
  return found;
};
/** The assertion with another NameID (the victim's) and another ID: what a wrapping attack wants the SP to read. */
function evilCopy(assertion: Element, id = '_evil'): Element {
  const evil = assertion.cloneNode(true) as Element;
  evil.setAttribute('ID', id);
  for (const signature of Array.from(evil.getElementsByTagNameNS(DS, 'Signature')))
    signature.parentNode?.removeChild(signature);
  const nameId = first(evil, ASSERTION, 'NameID');
  nameId.textContent = 'victim';
  return evil;
}

/**
 * Every known attack on a SAML response, each from a scripted IdP whose keys the tests own (xml-crypto signs,
 * xml-encryption encrypts), against the tarball `pnpm build` ships in the strict PeerTube host. An account `victim`
 * exists (an administrator, linked to NameID `victim`): no attack may sign anyone into it, nor create any account.
 */
describe('peertube-plugin-apps-auth-saml2 against forged responses', () => {
  let running: PluginInHost;
  let host: PeerTubeHost;
  let forger: SamlForger;
  let sp: Awaited<ReturnType<typeof spFromMetadata>>;
  const settings = (extra: Record<string, unknown> = {}) => ({
    'idp-metadata-xml': forger.metadataXml(),
    'encrypted-assertions-only': false,
    'role-rules': 'admin = administrator',
    ...extra,
  });

  beforeAll(async () => {
    forger = await createSamlForger();
    running = await startPluginInHost(NPM_NAME, { version: '6.3.3' });
    host = running.host;
    sp = await spFromMetadata(host);
    await host.updateSettings(settings());
  });
  afterAll(async () => {
    await running?.close();
    await forger?.close();
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail')
      console.log(
        host.logs
          .slice(-8)
          .map((l) => `${l.level} ${l.message}`)
          .join('\n'),
      );
  });

  /** Runs `check` with these settings on top of the usual ones, then puts the usual ones back. */
  async function withSettings(extra: Record<string, unknown>, check: () => Promise<void>) {
    await host.updateSettings(settings(extra));
    try {
      await check();
    } finally {
      await host.updateSettings(settings());
    }
  }

  /** Starts a sign-in at PeerTube's button: the request id PeerTube put in its AuthnRequest, and the browser. */
  async function solicit(agent: UserAgent = createUserAgent()) {
    const hop = await agent.request(host.authUrl(AUTH_NAME));
    const location = new URL(hop.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(forger.ssoUrl);
    const request = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest') ?? '', 'base64')).toString();
    const requestId = /ID="([^"]+)"/.exec(request)?.[1] ?? '';
    expect(location.searchParams.get('RelayState')).toBe(requestId);
    return { agent, requestId };
  }
  const person = (
    nameId: string,
    mail: string,
    groups: string[] = ['member'],
  ): Pick<ForgedResponse, 'nameIdXml' | 'attributes'> => ({
    nameIdXml: xmlText(nameId),
    attributes: {
      [OID.uid]: [xmlText(nameId.replace(/[^a-z0-9]/g, ''))],
      [OID.mail]: [xmlText(mail)],
      'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': groups,
    },
  });
  const answer = (requestId: string | undefined, extra: Partial<ForgedResponse> = {}): ForgedResponse => ({
    destination: sp.acsUrl,
    recipient: sp.acsUrl,
    audience: sp.entityId,
    ...(requestId ? { inResponseTo: requestId } : {}),
    ...person('mallory', 'mallory@ac-test.fr'),
    ...extra,
  });
  /** A response with a signed assertion (the usual), optionally changed before it is posted. */
  const signedAssertion = (response: ForgedResponse) => {
    const xml = forger.response(response);
    const id = /<saml:Assertion [^>]*ID="([^"]+)"/.exec(xml)?.[1] ?? '';
    return forger.sign(xml, id);
  };
  const signedResponse = (response: ForgedResponse) => {
    const xml = forger.response(response);
    return forger.sign(xml, /<samlp:Response [^>]*ID="([^"]+)"/.exec(xml)?.[1] ?? '');
  };
  const post = (agent: UserAgent, xml: string, relayState?: string) =>
    postToAcs(host, agent, {
      action: sp.acsUrl,
      SAMLResponse: Buffer.from(xml).toString('base64'),
      ...(relayState === undefined ? {} : { RelayState: relayState }),
    });
  /** Solicited as PeerTube would have it, then posted. */
  async function attempt(build: (requestId: string) => string | Promise<string>) {
    const { agent, requestId } = await solicit();
    return post(agent, await build(requestId), requestId);
  }
  const refusedBecause = (result: SignedIn, why: string | RegExp) => {
    expect(result.token).toBeUndefined();
    expect(result.location).toBeNull();
    expect([400, 403]).toContain(result.status);
    expect(host.logs.at(-1)?.message).toMatch(why);
  };
  const users = async () => (await host.users()).map((u) => u.username).sort();

  it('signs in an honest response (the control: every attack below changes one thing of it)', async () => {
    const victim = await attempt((id) => signedAssertion(answer(id, person('victim', 'victim@ac-test.fr', ['admin']))));
    expect(victim.token?.status).toBe(200);
    const mallory = await attempt((id) => signedAssertion(answer(id)));
    expect(mallory.token?.status).toBe(200);
    expect(await users()).toEqual(['mallory', 'victim']);
  });

  // The users above, and no other, after each wrapping attack.
  describe('XML signature wrapping (XSW1 to XSW8)', () => {
    const wrapped = async (
      wrap: (doc: Document, response: Element, assertion: Element) => void,
      sign = signedAssertion,
    ) => {
      const result = await attempt((id) => {
        const doc = parse(sign(answer(id)));
        const response = doc.documentElement as unknown as Element;
        wrap(doc, response, first(response, ASSERTION, 'Assertion'));
        return serialize(doc);
      });
      expect(result.token).toBeUndefined();
      expect(result.location).toBeNull();
      expect(result.status).toBe(400);
      expect(await users()).toEqual(['mallory', 'victim']);
    };
    const responseSigned = { 'want-response-signed': true, 'want-assertions-signed': false };

    it('XSW1: an evil response whose signature holds the signed original in an Object', async () => {
      await withSettings(responseSigned, async () => {
        await wrapped((doc, response) => {
          const original = response.cloneNode(true) as Element;
          const signature = child(response, DS, 'Signature');
          original.removeChild(child(original, DS, 'Signature'));
          const object = doc.createElementNS(DS, 'ds:Object') as unknown as Element;
          object.appendChild(original);
          signature.appendChild(object);
          response.setAttribute('ID', '_evil-response');
          const assertion = child(response, ASSERTION, 'Assertion');
          response.replaceChild(evilCopy(assertion), assertion);
        }, signedResponse);
      });
    });

    it('XSW2: an evil response with the signed original placed before its detached signature', async () => {
      await withSettings(responseSigned, async () => {
        await wrapped((_doc, response) => {
          const original = response.cloneNode(true) as Element;
          original.removeChild(child(original, DS, 'Signature'));
          response.insertBefore(original, child(response, DS, 'Signature'));
          response.setAttribute('ID', '_evil-response');
          const assertion = child(response, ASSERTION, 'Assertion');
          response.replaceChild(evilCopy(assertion), assertion);
        }, signedResponse);
      });
    });

    it('XSW3: an evil assertion inserted before the signed one', async () => {
      await wrapped((_doc, response, assertion) => {
        response.insertBefore(evilCopy(assertion), assertion);
      });
    });

    it('XSW4: the signed assertion hidden inside an evil one', async () => {
      await wrapped((_doc, response, assertion) => {
        const evil = evilCopy(assertion);
        response.replaceChild(evil, assertion);
        evil.appendChild(assertion);
      });
    });

    it('XSW5: the signed assertion changed in place, a clean copy of the original appended', async () => {
      await wrapped((_doc, response, assertion) => {
        const original = assertion.cloneNode(true) as Element;
        first(original, DS, 'Signature').parentNode?.removeChild(first(original, DS, 'Signature'));
        first(assertion, ASSERTION, 'NameID').textContent = 'victim';
        response.appendChild(original);
      });
    });

    it('XSW6: the changed assertion carries the original inside its signature', async () => {
      await wrapped((doc, _response, assertion) => {
        const original = assertion.cloneNode(true) as Element;
        const signature = first(assertion, DS, 'Signature');
        first(original, DS, 'Signature').parentNode?.removeChild(first(original, DS, 'Signature'));
        const object = doc.createElementNS(DS, 'ds:Object') as unknown as Element;
        object.appendChild(original);
        signature.appendChild(object);
        first(assertion, ASSERTION, 'NameID').textContent = 'victim';
      });
    });

    it('XSW7: the signed original in an Extensions element, an evil assertion in its place', async () => {
      await wrapped((doc, response, assertion) => {
        const extensions = doc.createElementNS(PROTOCOL, 'samlp:Extensions') as unknown as Element;
        response.insertBefore(extensions, first(response, PROTOCOL, 'Status'));
        response.replaceChild(evilCopy(assertion, assertion.getAttribute('ID') ?? ''), assertion);
        extensions.appendChild(assertion);
      });
    });

    it('XSW8: the evil assertion keeps the signature, whose Object holds the original without it', async () => {
      await wrapped((doc, _response, assertion) => {
        const signature = first(assertion, DS, 'Signature');
        const original = assertion.cloneNode(true) as Element;
        first(original, DS, 'Signature').parentNode?.removeChild(first(original, DS, 'Signature'));
        const object = doc.createElementNS(DS, 'ds:Object') as unknown as Element;
        object.appendChild(original);
        signature.appendChild(object);
        first(assertion, ASSERTION, 'NameID').textContent = 'victim';
      });
    });
  });

  it('reads the whole NameID: a comment inside it (user@evil.example<!---->.good.example) hides nothing', async () => {
    // A teacher whose NameID is an email; the attacker's IdP account is teacher@ac-test.fr.evil.example, and the IdP
    // signs it with a comment in the middle (the signature is over the text without the comment).
    const teacher = await attempt((id) =>
      signedAssertion(answer(id, person('teacher@ac-test.fr', 'teacher@ac-test.fr'))),
    );
    expect(teacher.token?.status).toBe(200);
    const injected = await attempt((id) =>
      signedAssertion(
        answer(id, {
          ...person('attacker', 'attacker@ac-test.fr'),
          nameIdXml: 'teacher@ac-test.fr<!---->.evil.example',
        }),
      ),
    );
    expect(injected.token?.status).toBe(200);
    const me = await host.me(String(injected.token?.body.access_token));
    expect(me.body.email).toBe('attacker@ac-test.fr');
    expect(me.body.username).toBe('attacker');
  });

  it('refuses an unsigned assertion inside a signed response while assertions must be signed', async () => {
    refusedBecause(await attempt((id) => signedResponse(answer(id))), 'invalid');
  });

  it('refuses a signed assertion in an unsigned response while responses must be signed', async () => {
    await withSettings({ 'want-response-signed': true }, async () => {
      refusedBecause(await attempt((id) => signedAssertion(answer(id))), 'invalid');
    });
  });

  it('refuses a signature by a key the metadata does not list', async () => {
    refusedBecause(
      await attempt((id) => {
        const xml = forger.response(answer(id));
        return forger.sign(xml, /<saml:Assertion [^>]*ID="([^"]+)"/.exec(xml)?.[1] ?? '', forger.stranger);
      }),
      'invalid',
    );
  });

  it('refuses a signature with SHA-1 (RSA-SHA1, or a SHA-1 digest), which xml-crypto alone would accept', async () => {
    const sha1 = async (algorithms: { signature: string; digest: string }) =>
      attempt((id) => {
        const xml = forger.response(answer(id));
        return forger.sign(xml, /<saml:Assertion [^>]*ID="([^"]+)"/.exec(xml)?.[1] ?? '', forger.signing, algorithms);
      });
    const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
    const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';
    refusedBecause(
      await sha1({ signature: RSA_SHA1, digest: 'http://www.w3.org/2001/04/xmlenc#sha256' }),
      /SHA-1 is broken|Invalid signature/,
    );
    refusedBecause(
      await sha1({ signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', digest: SHA1 }),
      /SHA-1 is broken|Invalid signature/,
    );
  });

  it('refuses a signature inside the assertion that covers another element (the whole response)', async () => {
    refusedBecause(
      await attempt((id) => {
        const xml = forger.response(answer(id));
        const responseId = /<samlp:Response [^>]*ID="([^"]+)"/.exec(xml)?.[1] ?? '';
        const signed = forger.sign(xml, responseId);
        // Moved into the assertion: it still verifies, but over the Response, not over the assertion it sits in.
        const doc = parse(signed);
        const signature = first(doc.documentElement as unknown as Element, DS, 'Signature');
        const assertion = first(doc.documentElement as unknown as Element, ASSERTION, 'Assertion');
        signature.parentNode?.removeChild(signature);
        assertion.insertBefore(signature, first(assertion, ASSERTION, 'Subject'));
        return serialize(doc);
      }),
      'invalid',
    );
  });

  it('refuses an expired assertion, one not yet valid, and takes one within the allowed clock skew', async () => {
    const now = Date.now();
    refusedBecause(
      await attempt((id) => signedAssertion(answer(id, { issueInstant: now - 600_000, notOnOrAfter: now - 120_000 }))),
      // node-saml looks at the subject confirmation's NotOnOrAfter first.
      /No valid subject confirmation|expired/,
    );
    refusedBecause(await attempt((id) => signedAssertion(answer(id, { notBefore: now + 300_000 }))), 'not yet valid');
    const skewed = await attempt((id) =>
      signedAssertion(answer(id, { issueInstant: now - 300_000, notOnOrAfter: now - 20_000 })),
    );
    expect(skewed.token?.status).toBe(200);
  });

  it('refuses a wrong audience, recipient, destination or issuer', async () => {
    refusedBecause(
      await attempt((id) => signedAssertion(answer(id, { audience: 'https://other-sp.example/' }))),
      'audience',
    );
    refusedBecause(
      await attempt((id) => signedAssertion(answer(id, { recipient: 'https://other-sp.example/acs' }))),
      'Recipient',
    );
    refusedBecause(
      await attempt((id) => signedAssertion(answer(id, { destination: 'https://other-sp.example/acs' }))),
      'Destination',
    );
    refusedBecause(
      await attempt((id) => signedAssertion(answer(id, { issuer: 'https://other-idp.example/' }))),
      'issuer',
    );
  });

  it('refuses an InResponseTo PeerTube never issued, a RelayState that is not the request, and a replayed assertion', async () => {
    refusedBecause(
      await attempt(() =>
        signedAssertion(answer('_mxa0000.00000000000000000000000000000000.00000000000000000000000000000000')),
      ),
      'request_unknown',
    );
    const { agent, requestId } = await solicit();
    refusedBecause(await post(agent, signedAssertion(answer(requestId)), '/admin'), 'relay_state');
    // IdP-initiated on: no request id to spend, the assertion id alone is used once.
    await withSettings({ 'idp-initiated': true }, async () => {
      const xml = signedAssertion(answer(undefined));
      expect((await post(createUserAgent(), xml, 'https://evil.example/')).token?.status).toBe(200);
      refusedBecause(await post(createUserAgent(), xml), 'replayed');
    });
  });

  it('refuses a DTD before parsing anything: XXE and entity expansion (billion laughs)', async () => {
    const xxe = await attempt((id) =>
      signedAssertion(answer(id)).replace(
        '<samlp:Response',
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response',
      ),
    );
    refusedBecause(xxe, 'doctype');
    const lol = Array.from({ length: 10 }, (_, i) =>
      i === 0 ? '<!ENTITY l0 "lol">' : `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`,
    ).join('');
    const before = process.memoryUsage().rss;
    const laughs = await attempt((id) =>
      signedAssertion(answer(id, { nameIdXml: '&l9;' })).replace(
        '<samlp:Response',
        `<!DOCTYPE r [${lol}]><samlp:Response`,
      ),
    );
    refusedBecause(laughs, 'doctype');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a DTD inside an encrypted assertion too', async () => {
    await withSettings({ 'encrypted-assertions-only': true }, async () => {
      const lol = '<!DOCTYPE a [<!ENTITY l0 "lol"><!ENTITY l1 "&l0;&l0;&l0;&l0;&l0;&l0;&l0;&l0;">]>';
      const result = await attempt(async (id) => {
        const signed = signedAssertion(answer(id, { nameIdXml: 'mallory' }));
        const encrypted = await forger.encryptAssertion(signed, sp.certificate ?? '');
        return encrypted;
      });
      expect(result.token?.status).toBe(200);
      const hidden = await attempt(async (id) => {
        const signed = signedAssertion(answer(id));
        return forger.encryptAssertion(signed, sp.certificate ?? '', lol);
      });
      expect(hidden.token).toBeUndefined();
      expect(hidden.status).toBe(400);
      // The decrypted assertion goes to xmldom, which expands no entity it was given in a DTD.
      expect(host.logs.at(-1)?.message).toMatch(/response refused \(invalid: .*entity/);
    });
  });

  it('never gives a first sign-in the account of an email another NameID is linked to (no takeover)', async () => {
    const takeover = await attempt((id) =>
      signedAssertion(answer(id, person('intruder', 'victim@ac-test.fr', ['admin']))),
    );
    expect(takeover.status).toBe(403);
    expect(takeover.token).toBeUndefined();
    expect(takeover.page).toContain('lang="fr"');
    expect(await users()).not.toContain('intruder');
  });

  it('maps attributes by their FriendlyName as well as by their Name (OID)', async () => {
    const byFriendlyName = { 'username-claim': 'uid', 'email-claim': 'mail', 'groups-claim': 'eduPersonAffiliation' };
    await withSettings(byFriendlyName, async () => {
      const friendly = await attempt((id) =>
        signedAssertion(
          answer(id, {
            ...person('friendly-1', 'friendly@ac-test.fr', ['member', 'admin']),
            friendlyNames: {
              [OID.uid]: 'uid',
              [OID.mail]: 'mail',
              'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'eduPersonAffiliation',
            },
          }),
        ),
      );
      const me = await host.me(String(friendly.token?.body.access_token));
      // Both values of the multi-valued attribute were read: `admin` (the second) gave the role.
      expect(me.body).toMatchObject({ username: 'friendly1', email: 'friendly@ac-test.fr', role: { id: 0 } });
    });
  });

  it('answers an empty or broken post with a page, never an error of the host', async () => {
    for (const body of [
      {},
      { SAMLResponse: '' },
      { SAMLResponse: '%%%' },
      { SAMLResponse: Buffer.from('<a').toString('base64') },
    ]) {
      const response = await fetch(`${host.url}${ROUTER}/assertion-consumer`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body as Record<string, string>).toString(),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('<main>');
    }
  });
});
