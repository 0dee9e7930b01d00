import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { en, type MessageKey, type Messages } from './en';
import { kk } from './kk';
import { ru } from './ru';

export const LANGUAGES = ['ru', 'kk', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Each language named in itself, so a reader finds their own whatever is shown. */
export const LANGUAGE_NAMES: Record<Language, string> = { ru: 'Русский', kk: 'Қазақша', en: 'English' };

const DICTIONARIES: Record<Language, Messages> = { en, ru, kk };
const STORAGE_KEY = 'oblik.language';

/**
 * The language to show: the one chosen before on this device, else the browser's first preferred language we
 * have (`kk-KZ` counts as `kk`), else Russian.
 * @example initialLanguage(null, ['kk-KZ', 'ru']) // 'kk'
 */
export function initialLanguage(stored: string | null, preferred: readonly string[]): Language {
  const known = (tag: string) => LANGUAGES.find((l) => tag.toLowerCase().split('-')[0] === l);
  return known(stored ?? '') ?? preferred.map(known).find((l) => l !== undefined) ?? 'ru';
}

export type Params = Record<string, string | number>;

/** A message with `{name}` placeholders filled in. */
export function translate(language: Language, key: MessageKey, params: Params = {}): string {
  const text = DICTIONARIES[language][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Like `translate`, for keys built at run time (error codes, reasons): undefined when there is no message. */
export function translateKnown(language: Language, key: string, params: Params = {}): string | undefined {
  return key in en ? translate(language, key as MessageKey, params) : undefined;
}

export interface I18n {
  readonly language: Language;
  readonly setLanguage: (language: Language) => void;
  readonly t: (key: MessageKey, params?: Params) => string;
  /** For keys built at run time; undefined when unknown. */
  readonly maybe: (key: string, params?: Params) => string | undefined;
}

const I18nContext = createContext<I18n | undefined>(undefined);

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: fall back to the browser's languages
  }
}

/** Holds the page's language: chosen from the browser, switchable, remembered on this device. */
export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [language, setLanguageState] = useState<Language>(() => initialLanguage(storedLanguage(), navigator.languages));
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // storage disabled: the choice lasts for this page only
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({
      language,
      setLanguage,
      t: (key, params) => translate(language, key, params),
      maybe: (key, params) => translateKnown(language, key, params),
    }),
    [language, setLanguage],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
