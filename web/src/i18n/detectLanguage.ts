/** The languages the app speaks. */
export const LANGUAGES = ["en", "es", "ru"] as const;
export type Language = (typeof LANGUAGES)[number];

/** The supported language a tag like `es-419`, `RU` or `en_GB` names, if any. */
export function supportedLanguage(tag: string | null | undefined): Language | undefined {
  const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.find((language) => language === base);
}

/**
 * The language to start in: the page's `lang` parameter when it names a supported language (`explicit`, so that
 * nothing else overrides it), otherwise the first supported one of the browser's preferences, otherwise English.
 */
export function detectLanguage(
  search: URLSearchParams,
  preferred: readonly string[],
): { language: Language; explicit: boolean } {
  const asked = supportedLanguage(search.get("lang"));
  if (asked) return { language: asked, explicit: true };
  for (const tag of preferred) {
    const language = supportedLanguage(tag);
    if (language) return { language, explicit: false };
  }
  return { language: "en", explicit: false };
}
