import { describe, expect, it } from 'vitest';
import { en } from './en';
import { initialLanguage, translate } from './i18n';
import { kk } from './kk';
import { ru } from './ru';

describe('languages', () => {
  it('takes the remembered choice, else the first browser language we speak, else Russian', () => {
    expect(initialLanguage('kk', ['en-GB'])).toBe('kk');
    expect(initialLanguage(null, ['de-DE', 'kk-KZ', 'ru'])).toBe('kk');
    expect(initialLanguage('xx', ['EN-us'])).toBe('en');
    expect(initialLanguage(null, ['de', 'fr'])).toBe('ru');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'adjudications.caption', { n: 3 })).toBe('Cases: 3');
    expect(translate('ru', 'adjudications.caption', { n: 3 })).toBe('Дел: 3');
    expect(translate('en', 'adjudications.caption')).toBe('Cases: {n}');
  });

  it('has every message in every language, with the same placeholders, and none left in English', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [name, dictionary] of Object.entries({ ru, kk })) {
      expect(Object.keys(dictionary).sort(), name).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        const translated = dictionary[key as keyof typeof en];
        expect(placeholders(translated), `${name} ${key}`).toEqual(placeholders(text));
        // Identical text is fine only where nothing is translatable (a bare placeholder, a name).
        if (translated === text)
          expect(text.replace(/\{\w+\}|Oblik|Prometheus|API|ID|[\d\W_]/g, ''), `${name} ${key}`).toBe('');
      }
    }
  });
});
