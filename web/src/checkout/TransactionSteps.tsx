import type { TFunction } from "i18next";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import type { Hex } from "viem";
import { TransactionLink } from "../ui/TransactionLink";

export type StepName = "draft" | "approveZero" | "approve" | "batch" | "permit" | "activate";

/** One step of the checkout and how it went; `hash` when it sent a transaction. */
export interface StepState {
  name: StepName;
  status: "pending" | "confirmed" | "failed";
  hash?: Hex;
}

/** The steps the payer's wallet asks about: a signature or a transaction to confirm there. */
const WALLET_STEPS: ReadonlySet<StepName> = new Set(["approveZero", "approve", "batch", "permit"]);

/**
 * What a step under way says: a wallet's step asks the payer to confirm in the wallet until it has sent something,
 * then waits for the network; the platform's steps just run.
 */
export function stepText(t: TFunction, what: string, status: StepState["status"], wallet: boolean, sent: boolean) {
  if (status !== "pending") return t(`step.${status}`, { what });
  if (!wallet) return t("step.pending", { what });
  return t(sent ? "step.onChain" : "step.inWallet", { what });
}

/**
 * The checkout's steps so far, each pending, confirmed or failed, with its transaction on the chain's explorer. A new
 * step is scrolled into view, so on a phone the progress below the button is not left off screen.
 */
export function TransactionSteps({ steps, explorerUrl }: { steps: StepState[]; explorerUrl: string | null }) {
  const { t } = useTranslation();
  const list = useRef<HTMLOListElement>(null);
  const latest = steps.at(-1)?.name;
  useEffect(() => {
    if (latest) list.current?.lastElementChild?.scrollIntoView?.({ block: "nearest" });
  }, [latest]);
  if (steps.length === 0) return null;
  return (
    <ol className="steps" aria-live="polite" ref={list}>
      {steps.map((step) => (
        <li key={step.name} data-step={step.name} data-status={step.status}>
          {stepText(t, t(`step.${step.name}`), step.status, WALLET_STEPS.has(step.name), step.hash !== undefined)}
          {step.hash ? (
            <>
              {" "}
              <TransactionLink hash={step.hash} explorerUrl={explorerUrl} />
            </>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
