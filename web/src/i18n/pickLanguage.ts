import { type Language, supportedLanguage } from "./detectLanguage";

/** The page's language: `?lang=` when it names one the app speaks, else the browser's first supported one, else English. */
export function pickLanguage(search: string, browserLanguages: readonly string[]): Language {
  const asked = supportedLanguage(new URLSearchParams(search).get("lang"));
  return asked ?? browserLanguages.map((tag) => supportedLanguage(tag)).find((language) => language) ?? "en";
}
