import { type Language, supportedLanguage } from "./detectLanguage";

/**
 * The page's language: `?lang=` when it names one the app speaks, else the one the payer chose here before
 * (`remembered`), else the browser's first supported one, else English.
 */
export function pickLanguage(
  search: string,
  browserLanguages: readonly string[],
  remembered?: Language | undefined,
): Language {
  const asked = supportedLanguage(new URLSearchParams(search).get("lang"));
  return (
    asked ?? remembered ?? browserLanguages.map((tag) => supportedLanguage(tag)).find((language) => language) ?? "en"
  );
}
