import { type Language, supportedLanguage } from "./detectLanguage";

/** Where this browser keeps the language its payer chose on the page (storage may be off: then nothing is kept). */
const KEY = "recur:language";

/** The language the payer last chose in this browser, if it is one the app speaks. */
export function rememberedLanguage(): Language | undefined {
  try {
    return supportedLanguage(localStorage.getItem(KEY));
  } catch {
    return undefined;
  }
}

/** Keeps `language` as this browser's choice, for the next visit. */
export function rememberLanguage(language: Language): void {
  try {
    localStorage.setItem(KEY, language);
  } catch {
    // storage is off: the choice holds for this page only
  }
}
