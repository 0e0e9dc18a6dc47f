import { describe, expect, it } from "vitest";
import { contrastRatio } from "../../../server/domain/brandingRules.js";
import { accentSoft, applyAccent, safeBranding } from "./safeBranding";

const VALID = {
  displayName: "Demo merchant",
  logoUrl: "https://shop.example/logo.png",
  accentColor: "#2151D1",
  supportUrl: "mailto:help@shop.example",
};

describe("safeBranding", () => {
  it("keeps valid branding, the colour in lower case", () => {
    expect(safeBranding(VALID)).toEqual({ ...VALID, accentColor: "#2151d1" });
    expect(safeBranding({ ...VALID, logoUrl: "http://127.0.0.1:5173/logo.svg" }).logoUrl).toBe(
      "http://127.0.0.1:5173/logo.svg",
    );
  });

  it("drops what a page must never use, whatever the answer said", () => {
    const hostile = safeBranding({
      displayName: "Shop",
      logoUrl: "javascript:alert(1)",
      accentColor: "red; background: url(https://evil.example/)",
      supportUrl: "javascript:alert(1)",
    });
    expect(hostile).toEqual({ displayName: "Shop", logoUrl: null, accentColor: null, supportUrl: null });
    expect(safeBranding({ ...VALID, logoUrl: "http://cdn.example/logo.png" }).logoUrl).toBeNull();
    expect(safeBranding({ ...VALID, logoUrl: "data:image/svg+xml,<svg/>" }).logoUrl).toBeNull();
    expect(safeBranding({ ...VALID, accentColor: "#ffcc00" }).accentColor, "too light for white text").toBeNull();
    expect(safeBranding(null).displayName).toBeNull();
  });
});

describe("the accent colour on the page", () => {
  it("pairs the accent with a soft tint it still reads on", () => {
    for (const accent of ["#2151d1", "#767676", "#1b6e20", "#000000"]) {
      expect(contrastRatio(accent, accentSoft(accent))).toBeGreaterThanOrEqual(4.5);
    }
    expect(accentSoft("#767676"), "no tint is pale enough for a colour at the limit").toBe("#ffffff");
  });

  it("writes only a checked colour into the page's style, and removes it with null", () => {
    const root = document.createElement("div");
    applyAccent("#1b6e20", root);
    expect(root.style.getPropertyValue("--color-accent")).toBe("#1b6e20");
    applyAccent("red;}body{display:none", root);
    expect(root.style.getPropertyValue("--color-accent")).toBe("");
    applyAccent("#1b6e20", root);
    applyAccent(null, root);
    expect(root.style.getPropertyValue("--color-accent-soft")).toBe("");
  });
});
