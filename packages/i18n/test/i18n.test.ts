import { describe, expect, it } from 'vitest';
import { createTranslator, escapeHtml, format } from '../src/index.js';

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

  it('escapes the five characters HTML gives a meaning to, and only them', () => {
    expect(escapeHtml(`<a href="x" title='y'>Émile & co</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Émile &amp; co&lt;/a&gt;',
    );
  });
});
