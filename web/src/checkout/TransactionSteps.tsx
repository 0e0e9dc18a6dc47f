import { useTranslation } from "react-i18next";
import type { Hex } from "viem";

export type StepName = "signIn" | "draft" | "approveZero" | "approve" | "permit" | "activate";

/** One step of the checkout and how it went; `hash` when it sent a transaction. */
export interface StepState {
  name: StepName;
  status: "pending" | "confirmed" | "failed";
  hash?: Hex;
}

/** The checkout's steps so far, each pending, confirmed or failed, with its transaction on the chain's explorer. */
export function TransactionSteps({ steps, explorerUrl }: { steps: StepState[]; explorerUrl: string | null }) {
  const { t } = useTranslation();
  if (steps.length === 0) return null;
  return (
    <ol className="steps" aria-live="polite">
      {steps.map((step) => (
        <li key={step.name} data-step={step.name} data-status={step.status}>
          {t(`step.${step.status}`, { what: t(`step.${step.name}`) })}
          {step.hash ? (
            explorerUrl ? (
              <>
                {" "}
                <a href={`${explorerUrl.replace(/\/+$/, "")}/tx/${step.hash}`} target="_blank" rel="noreferrer">
                  {t("step.viewTransaction")}
                </a>
              </>
            ) : (
              <>
                {" "}
                <code title={step.hash}>{`${step.hash.slice(0, 10)}…`}</code>
              </>
            )
          ) : null}
        </li>
      ))}
    </ol>
  );
}
