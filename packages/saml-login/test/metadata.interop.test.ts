import { pemBody, startSimpleSamlIdp } from '@apps-education/testkit';
import { expect, it } from 'vitest';
import { parseIdpMetadata } from '../src/index.js';

it("reads a real SimpleSAMLphp's metadata, and its new certificate after a key rollover", async () => {
  const idp = await startSimpleSamlIdp({ users: {} });
  try {
    const read = async () => {
      const result = parseIdpMetadata(await (await fetch(idp.metadataUrl)).text());
      if (!result.ok) throw new Error(result.error.en);
      return result.value;
    };
    expect(await read()).toMatchObject({
      entityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      sloUrl: idp.sloUrl,
      signingCertificates: [pemBody(idp.certificate())],
    });
    const next = idp.rotateSigningKey();
    expect((await read()).signingCertificates).toEqual([pemBody(next)]);
  } finally {
    await idp.close();
  }
}, 30_000);
