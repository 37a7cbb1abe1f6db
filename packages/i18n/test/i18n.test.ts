import { describe, expect, it } from 'vitest';
import { createTranslator, format } from '../src/index.js';

describe('i18n', () => {
  it('fills placeholders and leaves an unknown one visible', () => {
    expect(format('{who} a partagé {what} ({missing})', { who: 'Anne', what: 'cours.pdf' })).toBe(
      'Anne a partagé cours.pdf ({missing})',
    );
  });

  it('gives both languages of a key, filled with the same values', () => {
    const t = createTranslator({ fr: { hello: 'Bonjour {name}' }, en: { hello: 'Hello {name}' } });
    expect(t('hello', { name: 'Anne' })).toEqual({ fr: 'Bonjour Anne', en: 'Hello Anne' });
    expect(t('hello')).toEqual({ fr: 'Bonjour {name}', en: 'Hello {name}' });
  });
});
