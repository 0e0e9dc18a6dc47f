import { describe, expect, it } from "vitest";
import { testTranslator } from "../i18n/testTranslator";
import { stepText } from "./TransactionSteps";

describe("a step's words", () => {
  it("asks the payer to confirm in the wallet until something is sent, then waits for the network", async () => {
    const t = await testTranslator("en");
    expect(stepText(t, "Approving the allowance", "pending", true, false)).toBe(
      "Approving the allowance: confirm in your wallet…",
    );
    expect(stepText(t, "Approving the allowance", "pending", true, true)).toBe(
      "Approving the allowance: sent, waiting for the network…",
    );
    // the platform's own steps ask nothing of the payer
    expect(stepText(t, "Starting the subscription", "pending", false, false)).toBe("Starting the subscription…");
    expect(stepText(t, "Signing in", "confirmed", true, false)).toBe("Signing in: confirmed");
    expect(stepText(t, "Signing in", "failed", true, false)).toBe("Signing in: failed");
  });

  it("speaks the payer's language", async () => {
    expect(stepText(await testTranslator("es"), "Aprobando", "pending", true, false)).toBe(
      "Aprobando: confirma en tu billetera…",
    );
    expect(stepText(await testTranslator("ru"), "Одобрение", "pending", true, true)).toBe(
      "Одобрение: отправлено, ждём сеть…",
    );
  });
});
