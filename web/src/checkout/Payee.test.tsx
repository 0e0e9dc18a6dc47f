import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testI18n } from "../i18n/testTranslator";
import { PlanTerms } from "./PlanTerms";

const PAYEE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const terms = {
  amount: 2_500_000n,
  token: { code: "tUSDT", decimals: 6 },
  periodSeconds: 7 * 86_400,
  maxPeriods: 52,
  payee: PAYEE,
  payeeName: "Demo merchant",
  chainName: "localhost",
};

async function renderTerms(language: "en" | "es" | "ru" = "en", overrides: Partial<typeof terms> = {}) {
  render(
    <I18nextProvider i18n={await testI18n(language)}>
      <PlanTerms terms={{ ...terms, ...overrides }} />
    </I18nextProvider>,
  );
  return screen.getByTestId("payee");
}

describe("the payee in the terms", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("names the merchant, shortens the address with the full one in its title, and offers to copy it", async () => {
    const payee = await renderTerms();
    expect(payee.closest("li")?.textContent).toBe("Paid to Demo merchant (0x7099…79C8, copy)");
    expect(within(payee).getByTitle(PAYEE).textContent).toBe("0x7099…79C8");
    const button = within(payee).getByRole("button", { name: `Copy the address ${PAYEE}` });
    expect(button.textContent).toBe("copy");
    expect(button.className).toContain("copy");
  });

  it("copies the full address and says so politely, then clears the notice", async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const payee = await renderTerms();
    const status = within(payee).getByTestId("copy-notice");
    expect(status.getAttribute("aria-live")).toBe("polite");
    expect(status.textContent).toBe("");
    vi.useFakeTimers();
    try {
      await act(async () => {
        fireEvent.click(within(payee).getByRole("button"));
      });
      expect(writeText).toHaveBeenCalledWith(PAYEE);
      expect(status.textContent).toBe("Copied");
      await act(async () => {
        vi.advanceTimersByTime(5_000);
      });
      expect(status.textContent).toBe("");
    } finally {
      vi.useRealTimers();
    }
  });

  it("says when the browser refuses to copy", async () => {
    vi.stubGlobal("navigator", {
      ...navigator,
      clipboard: { writeText: async () => Promise.reject(new Error("not allowed")) },
    });
    const payee = await renderTerms("es");
    await act(async () => {
      fireEvent.click(within(payee).getByRole("button", { name: `Copiar la dirección ${PAYEE}` }));
    });
    expect(within(payee).getByTestId("copy-notice").textContent).toBe("No se pudo copiar: selecciona la dirección");
  });

  it("shows the address alone when the merchant has no display name", async () => {
    const payee = await renderTerms("ru", { payeeName: undefined as unknown as string });
    expect(payee.closest("li")?.textContent).toBe("Получатель: 0x7099…79C8 (копировать)");
  });
});
