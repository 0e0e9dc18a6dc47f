import { describe, expect, it } from "vitest";
import { testTranslator } from "../i18n/testTranslator";
import { describePrice, describeTerms, type Terms } from "./describeTerms";

const USDC = { code: "tUSDC", decimals: 6 };
const PAYEE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const monthly: Terms = {
  amount: 9_990_000n,
  token: USDC,
  periodSeconds: 30 * 86_400,
  maxPeriods: 12,
  payee: PAYEE,
  chainName: "localhost",
};

describe("describeTerms", () => {
  it("says the price, the number of charges with their total, who is paid, where, and that it can be cancelled", async () => {
    const t = await testTranslator("en");
    expect(describeTerms(t, "en", monthly)).toEqual([
      "9.99 tUSDC every month",
      "At most 12 charges in total, 119.88 tUSDC altogether",
      "The first charge is taken when the subscription starts",
      `Paid to ${PAYEE}`,
      "On localhost, in tUSDC",
      "You can pause or cancel at any time from your wallet or the subscriptions page",
    ]);
  });

  it("says a single charge and a free trial's end", async () => {
    const t = await testTranslator("en");
    const [, charges, first] = describeTerms(t, "en", {
      ...monthly,
      maxPeriods: 1,
      trialEndsAt: new Date("2026-03-05T14:30:00Z"),
    });
    expect(charges).toBe("At most 1 charge in total, 9.99 tUSDC");
    expect(first).toMatch(/^Free until March 5, 2026 at \d{1,2}:30 (AM|PM): the first charge is taken then$/);
  });

  it("names a period in the largest whole unit", async () => {
    const t = await testTranslator("en");
    const price = (periodSeconds: number) => describePrice(t, "en", { amount: 2_500_000n, token: USDC, periodSeconds });
    expect(price(7 * 86_400)).toBe("2.5 tUSDC every week");
    expect(price(14 * 86_400)).toBe("2.5 tUSDC every 2 weeks");
    expect(price(90 * 86_400)).toBe("2.5 tUSDC every 3 months");
    expect(price(365 * 86_400)).toBe("2.5 tUSDC every year");
    expect(price(300)).toBe("2.5 tUSDC every 5 minutes");
    expect(price(86_400 + 1)).toBe("2.5 tUSDC every 86401 seconds");
  });

  it("speaks Spanish, with its own number format", async () => {
    const t = await testTranslator("es");
    const lines = describeTerms(t, "es", { ...monthly, amount: 1_234_500_000n });
    expect(lines[0]).toBe("1234,5 tUSDC cada mes");
    expect(lines[1]).toBe("Como máximo 12 cobros en total, 14.814 tUSDC en conjunto");
    expect(lines[3]).toBe(`Se paga a ${PAYEE}`);
  });

  it("speaks Russian, with its three plural forms", async () => {
    const t = await testTranslator("ru");
    const price = (periodSeconds: number) => describePrice(t, "ru", { amount: 9_990_000n, token: USDC, periodSeconds });
    expect(price(30 * 86_400)).toBe("9,99 tUSDC каждый месяц");
    expect(price(2 * 30 * 86_400)).toBe("9,99 tUSDC каждые 2 месяца");
    expect(price(5 * 30 * 86_400)).toBe("9,99 tUSDC каждые 5 месяцев");
    expect(price(21 * 86_400)).toBe("9,99 tUSDC каждые 3 недели");
    expect(price(21 * 60)).toBe("9,99 tUSDC каждую 21 минуту");
    const charges = (maxPeriods: number) => describeTerms(t, "ru", { ...monthly, maxPeriods })[1];
    expect(charges(1)).toBe("Не более 1 списания, всего 9,99 tUSDC");
    expect(charges(3)).toBe("Не более 3 списаний, всего 29,97 tUSDC");
    expect(charges(12)).toBe("Не более 12 списаний, всего 119,88 tUSDC");
  });
});
