import { describe, expect, it } from "vitest";
import { en } from "./locales/en";
import { MESSAGES } from "./testTranslator";

/** A message key without its plural suffix: `every_day_other` -> `every_day`. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, "");

describe("languages", () => {
  for (const [language, messages] of Object.entries(MESSAGES)) {
    it(`${language} has every message English has, and only those`, () => {
      for (const section of Object.keys(en) as (keyof typeof en)[]) {
        const expected = new Set(Object.keys(en[section]).map(base));
        const actual = new Set(Object.keys(messages[section]).map(base));
        expect([...actual].sort(), `${language}.${section}`).toEqual([...expected].sort());
        const placeholders = (text: string) => (text.match(/\{\{\w+\}\}/g) ?? []).sort();
        for (const [key, text] of Object.entries(messages[section])) {
          const english =
            (en[section] as Record<string, string>)[key] ??
            (en[section] as Record<string, string>)[`${base(key)}_other`];
          if (english === undefined) continue;
          expect(
            placeholders(text).filter((name) => name !== "{{count}}"),
            `${language}.${section}.${key}`,
          ).toEqual(placeholders(english).filter((name) => name !== "{{count}}"));
        }
      }
    });
  }
});
