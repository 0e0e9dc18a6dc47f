import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testI18n } from "../i18n/testTranslator";
import { BrandingForm } from "./BrandingForm";

const SAVED = { displayName: "Demo merchant", logoUrl: null, accentColor: null, supportUrl: null };
const REFUSAL = {
  status: 400,
  code: "BadRequest",
  message: "Invalid body: body.accentColor: has a contrast of 1.60:1 with white text",
  details: [
    {
      path: "body.accentColor",
      message: "has a contrast of 1.60:1 with white text, below the 4.5:1 buttons need: choose a darker shade",
    },
  ],
};

describe("<BrandingForm>", () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it("sends the form to the admin route and shows the platform's refusal next to the field at fault", async () => {
    const sent: { method: string; body: unknown }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit) => {
        sent.push({ method: init.method ?? "GET", body: init.body ? JSON.parse(String(init.body)) : undefined });
        const refused = init.method === "PUT";
        return new Response(JSON.stringify(refused ? REFUSAL : SAVED), { status: refused ? 400 : 200 });
      }),
    );
    render(
      <QueryClientProvider client={new QueryClient()}>
        <I18nextProvider i18n={await testI18n("en")}>
          <BrandingForm />
        </I18nextProvider>
      </QueryClientProvider>,
    );
    const name = (await screen.findByLabelText("Display name")) as HTMLInputElement;
    expect(name.value).toBe("Demo merchant");
    expect(screen.getByTestId("branding-preview").textContent).toContain("Demo merchant");
    const accent = screen.getByLabelText(/Accent colour/) as HTMLInputElement;
    fireEvent.change(accent, { target: { value: "#ffcc00" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the branding" }));
    await waitFor(() => expect(accent.getAttribute("aria-invalid")).toBe("true"));
    const problem = document.getElementById(accent.getAttribute("aria-describedby") ?? "");
    expect(problem?.textContent).toMatch(/choose a darker shade/);
    expect(sent.at(-1)).toEqual({
      method: "PUT",
      body: { displayName: "Demo merchant", logoUrl: null, accentColor: "#ffcc00", supportUrl: null },
    });
  });
});
