import { cleanup, render, screen, within } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import { testI18n } from "../i18n/testTranslator";
import { PlanTerms } from "./PlanTerms";

const terms = {
  amount: 2_500_000n,
  token: { code: "tUSDT", decimals: 6 },
  periodSeconds: 7 * 86_400,
  maxPeriods: 52,
  payee: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  chainName: "localhost",
};

describe("<PlanTerms>", () => {
  afterEach(cleanup);

  it("lists the terms under a heading a screen reader can find", async () => {
    render(
      <I18nextProvider i18n={await testI18n("en")}>
        <PlanTerms terms={terms} />
      </I18nextProvider>,
    );
    const region = screen.getByRole("region", { name: "What you agree to" });
    const items = within(region)
      .getAllByRole("listitem")
      .map((item) => item.textContent);
    expect(items.slice(0, 2)).toEqual(["2.5 tUSDT every week", "At most 52 charges in total, 130 tUSDT altogether"]);
    // without a display name: the address, shortened (in full in its title), and the button that copies it
    expect(items).toContain("Paid to 0x7099…79C8 (copy)");
  });

  it("renders in the chosen language", async () => {
    render(
      <I18nextProvider i18n={await testI18n("ru")}>
        <PlanTerms terms={terms} />
      </I18nextProvider>,
    );
    expect(screen.getByRole("region", { name: "На что вы соглашаетесь" })).toBeTruthy();
    expect(screen.getByText("2,5 tUSDT каждую неделю")).toBeTruthy();
    expect(screen.getByText("Не более 52 списаний, всего 130 tUSDT")).toBeTruthy();
  });
});
