import i18next, { type i18n, type TFunction } from "i18next";
import type { Language } from "./detectLanguage";
import { en } from "./locales/en";
import { es } from "./locales/es";
import { ru } from "./locales/ru";

export const MESSAGES = { en, es, ru } as const;

/** A `t` for `language` on its own i18next instance, as the app configures it: for unit tests. */
export async function testTranslator(language: Language): Promise<TFunction> {
  return (await testI18n(language)).t;
}

/** An i18next instance in `language`, for component tests (`<I18nextProvider i18n={...}>`). */
export async function testI18n(language: Language): Promise<i18n> {
  const instance = i18next.createInstance();
  await instance.init({
    lng: language,
    resources: { [language]: { translation: MESSAGES[language] } },
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
  return instance;
}
