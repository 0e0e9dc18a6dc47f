import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import { testI18n } from "../i18n/testTranslator";
import { AddressField } from "./AddressField";

const CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
// one letter's case flipped: what a typo in a copied address looks like
const WRONG_CHECKSUM = "0x70997970C51812dc3A010C7d01b50e0d17dc79c8";

function Field() {
  const [value, setValue] = useState("");
  return <AddressField label="Payer wallet" value={value} onChange={setValue} />;
}

async function renderField(language: "en" | "es" | "ru" = "en") {
  render(
    <I18nextProvider i18n={await testI18n(language)}>
      <Field />
    </I18nextProvider>,
  );
  return screen.getByLabelText("Payer wallet") as HTMLInputElement;
}

describe("<AddressField>", () => {
  afterEach(cleanup);

  it("refuses an address whose mixed case is not its checksum, in words next to the field", async () => {
    const input = await renderField();
    fireEvent.change(input, { target: { value: WRONG_CHECKSUM } });
    const problem = screen.getByRole("alert");
    expect(problem.textContent).toMatch(/does not match its checksum, so it probably has a typo/);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe(problem.id);
    expect(input.parentElement?.contains(problem)).toBe(true);
  });

  it("accepts the checksummed address and the same address in lowercase", async () => {
    const input = await renderField();
    for (const value of [CHECKSUMMED, CHECKSUMMED.toLowerCase()]) {
      fireEvent.change(input, { target: { value } });
      fireEvent.blur(input);
      expect(screen.queryByRole("alert"), value).toBeNull();
      expect(input.getAttribute("aria-invalid")).toBeNull();
    }
  });

  it("refuses the zero address, and a partial address once the field is left, not while it is typed", async () => {
    const input = await renderField();
    fireEvent.change(input, { target: { value: "0x0000000000000000000000000000000000000000" } });
    expect(screen.getByRole("alert").textContent).toMatch(/zero address, which nobody holds/);
    fireEvent.change(input, { target: { value: "0x7099" } });
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.blur(input);
    expect(screen.getByRole("alert").textContent).toMatch(/not an address: an address is 0x followed by 40/);
  });

  it("says it in the page's language", async () => {
    const input = await renderField("es");
    fireEvent.change(input, { target: { value: WRONG_CHECKSUM } });
    expect(screen.getByRole("alert").textContent).toMatch(/no coincide con su suma de verificación/);
  });
});
