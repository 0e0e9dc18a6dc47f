import { describe, expect, it } from "vitest";
import { pickLanguage } from "./pickLanguage";

describe("pickLanguage", () => {
  it("takes ?lang= first, then the payer's earlier choice, then the browser's languages, then English", () => {
    expect(pickLanguage("?lang=ru", ["es-ES"], "es")).toBe("ru");
    expect(pickLanguage("", ["ru-RU", "en"], "es")).toBe("es");
    expect(pickLanguage("?lang=xx", ["de-DE", "ru"], undefined)).toBe("ru");
    expect(pickLanguage("", ["de-DE", "fr"], undefined)).toBe("en");
  });
});
