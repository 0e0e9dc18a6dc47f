import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import type { Language } from "./detectLanguage";
import type { Messages } from "./locales/en";

/** Each language's messages, loaded on demand so the page carries only the one it shows. */
const loaders: Record<Language, () => Promise<Messages>> = {
  en: () => import("./locales/en").then((module) => module.en),
  es: () => import("./locales/es").then((module) => module.es),
  ru: () => import("./locales/ru").then((module) => module.ru),
};

/** Starts i18next in `language`, with its messages loaded. */
export async function startI18n(language: Language): Promise<void> {
  const messages = await loaders[language]();
  await i18next.use(initReactI18next).init({
    lng: language,
    resources: { [language]: { translation: messages } },
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = language;
}

/** Switches the app to `language`, loading its messages first. */
export async function switchLanguage(language: Language): Promise<void> {
  if (!i18next.hasResourceBundle(language, "translation")) {
    i18next.addResourceBundle(language, "translation", await loaders[language]());
  }
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
