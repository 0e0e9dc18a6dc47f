import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Address, Hex } from "viem";
import { useAccount, useConfig, useReadContract } from "wagmi";
import { subscriptionAbi } from "../../../generated/abis";
import { suggestedAllowance } from "../../../server/domain/suggestedAllowance.js";
import type { PayerSubscription, SiteChain, SiteConfig, SiteToken, SubscriptionWithCharges } from "../api/types";
import { describePrice } from "../checkout/describeTerms";
import { stepText } from "../checkout/TransactionSteps";
import { describeError } from "../errors/describeError";
import { formatDate, formatDateTime } from "../format/formatDate";
import { shortAddress } from "../format/shortAddress";
import { formatTokenAmount, parseMoney } from "../format/tokenAmount";
import { transactionUrl } from "../format/transactionUrl";
import { ConfirmQuestion } from "../ui/ConfirmQuestion";
import { approveAbi } from "../wallet/approveAbi";
import { sendContractWrite } from "../wallet/sendContractWrite";

/** How often a card looks again, so a change made elsewhere (another tab, the wallet) shows without a reload. */
export const REFRESH_MS = 2_000;

/** Statuses in which the payer can still act on the subscription on chain. */
const LIVE = new Set(["Active", "Suspended", "Paused", "PendingPause", "PendingUnPause"]);

type Action = "pause" | "unpause" | "cancel" | "topUp" | "revoke";

/** The actions that end or endanger the subscription: each asks first, saying what follows. */
type Destructive = "cancel" | "revoke";

/** Where a card reads its subscription's charges: the site's signed-in payer routes, or the widget's token. */
export type LoadSubscription = (address: Address) => Promise<SubscriptionWithCharges>;

/**
 * One subscription with what the payer can do about it: status, next charge, charges made, how many more periods
 * the allowance and balance cover (and a warning when the next charge will fail), its charges, and the payer's own
 * actions sent from the wallet that pays for it: pause, resume, cancel, top up or revoke the allowance; cancel and
 * revoke ask first, saying what follows.
 */
export function SubscriptionCard({
  subscription,
  site,
  load,
}: {
  subscription: PayerSubscription;
  site: SiteConfig;
  load: LoadSubscription;
}) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const wagmiConfig = useConfig();
  const account = useAccount();
  const [running, setRunning] = useState<{
    action: Action;
    status: "pending" | "confirmed" | "failed";
    hash?: Hex;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<Destructive | null>(null);
  const chain = site.chains.find((candidate) => candidate.name === subscription.blockchain);
  const token = chain?.tokens.find((candidate) => candidate.code === subscription.asset);
  const address = subscription.contractAddress;
  const live = LIVE.has(subscription.status);
  const runway = useReadContract({
    address,
    abi: subscriptionAbi,
    functionName: "periodsCovered",
    chainId: chain?.chainId,
    query: { enabled: live && chain !== undefined, refetchInterval: REFRESH_MS },
  });
  if (!chain || !token) return <p>{subscription.contractAddress}</p>;
  const amount = parseMoney(subscription.amount, token);
  const price = describePrice(t, locale, { amount, token, periodSeconds: subscription.periodSeconds });
  const remaining = subscription.maxPeriods - subscription.periodsCharged;
  const onChain = account.chainId === chain.chainId;
  // only the paying wallet can act on the contract: another one connected is told which to connect
  const ownWallet = account.address?.toLowerCase() === subscription.payer.toLowerCase();
  const paused = subscription.status === "Paused" || subscription.status === "PendingPause";
  const nextCharge =
    subscription.nextChargeAt && live && !paused ? formatDateTime(new Date(subscription.nextChargeAt), locale) : null;
  // the day of the last charge that the allowance and balance cover, as a payer plans by dates, not periods
  const covered = runway.data !== undefined ? Number(runway.data) : 0;
  const coveredThrough =
    live && !paused && covered > 0 && subscription.nextChargeAt
      ? formatDate(
          new Date(Date.parse(subscription.nextChargeAt) + (covered - 1) * subscription.periodSeconds * 1000),
          locale,
        )
      : null;
  // nothing left to take the next charge from: say so before it fails
  const willFail = live && !paused && runway.data === 0n && remaining > 0;

  /** Runs one wallet transaction as `action`, showing it pending (with its hash once sent), then its outcome. */
  async function send(action: Action, transaction: (onHash: (hash: Hex) => void) => Promise<unknown>) {
    setRunning({ action, status: "pending" });
    setError(null);
    let hash: Hex | undefined;
    try {
      await transaction((sent) => {
        hash = sent;
        setRunning({ action, status: "pending", hash: sent });
      });
      setRunning({ action, status: "confirmed", ...(hash ? { hash } : {}) });
    } catch (failure) {
      setRunning({ action, status: "failed", ...(hash ? { hash } : {}) });
      setError(describeError(t, failure, { amount: token ? formatTokenAmount(amount, token, locale) : "" }));
    }
  }

  const callSubscription = (action: "pause" | "unpause" | "cancel") =>
    send(action, (onHash) =>
      sendContractWrite(
        wagmiConfig,
        { address, abi: subscriptionAbi, functionName: action, account: account.address, chainId: chain.chainId },
        onHash,
      ),
    );

  const approve = (action: "topUp" | "revoke", value: bigint) =>
    send(action, (onHash) =>
      sendContractWrite(
        wagmiConfig,
        {
          address: token.address,
          abi: approveAbi,
          functionName: "approve",
          args: [address, value],
          account: account.address,
          chainId: chain.chainId,
        },
        onHash,
      ),
    );

  /** Approves the remaining periods (at least one, at most twelve), through 0 first where the token needs it. */
  const topUp = async () => {
    const value = suggestedAllowance(amount, Math.max(remaining, 1));
    if (token.approveZeroFirst) {
      await approve("topUp", 0n);
      setRunning({ action: "topUp", status: "pending" });
    }
    await approve("topUp", value);
  };

  return (
    <article aria-label={subscription.contractAddress} data-status={subscription.status} className="subscription">
      <h2>{subscription.planName ?? price}</h2>
      {subscription.planName ? <p className="price">{price}</p> : null}
      <dl>
        <dt>{t("portal.status")}</dt>
        <dd data-testid="status">{t(`status.${subscription.status}`)}</dd>
        <dt>{t("portal.nextCharge")}</dt>
        <dd data-testid="next-charge">{paused ? t("portal.pausedNoCharges") : (nextCharge ?? "—")}</dd>
        <dt>{t("portal.chargesMade")}</dt>
        <dd>{t("portal.chargesOf", { count: subscription.periodsCharged, max: subscription.maxPeriods })}</dd>
        {live && runway.data !== undefined ? (
          <>
            <dt>{t("portal.runway")}</dt>
            <dd data-testid="runway">{t("portal.periodsCovered", { count: Number(runway.data) })}</dd>
          </>
        ) : null}
        {coveredThrough ? (
          <>
            <dt>{t("portal.coveredThrough")}</dt>
            <dd data-testid="covered-through">{coveredThrough}</dd>
          </>
        ) : null}
        <dt>{t("checkout.contract")}</dt>
        <dd>
          <code>{subscription.contractAddress}</code>
        </dd>
      </dl>
      <ChargeHistory subscription={subscription} chain={chain} token={token} load={load} />
      {willFail ? (
        <p role="alert" className="error" data-testid="will-fail">
          {nextCharge ? t("portal.willFail", { date: nextCharge }) : t("portal.willFailNoDate")}
        </p>
      ) : null}
      {live && account.isConnected && !ownWallet ? (
        <p data-testid="other-wallet">{t("portal.otherWallet", { address: shortAddress(subscription.payer) })}</p>
      ) : null}
      {live && onChain && ownWallet && confirming ? (
        <ConfirmQuestion
          question={
            confirming === "cancel"
              ? t("portal.confirmCancel", { next: nextCharge ? t("portal.nextOn", { date: nextCharge }) : "" })
              : t("portal.confirmRevoke", { next: nextCharge ? t("portal.nextDue", { date: nextCharge }) : "" })
          }
          confirm={confirming === "cancel" ? t("portal.confirmCancelYes") : t("portal.confirmRevokeYes")}
          keep={t("portal.keep")}
          onConfirm={() => {
            setConfirming(null);
            void (confirming === "cancel" ? callSubscription("cancel") : approve("revoke", 0n));
          }}
          onKeep={() => setConfirming(null)}
        />
      ) : null}
      {live && onChain && ownWallet && !confirming ? (
        <div className="actions">
          {subscription.status === "Active" || subscription.status === "Suspended" ? (
            <button type="button" onClick={() => void callSubscription("pause")}>
              {t("portal.pause")}
            </button>
          ) : null}
          {subscription.status === "Paused" ? (
            <button type="button" onClick={() => void callSubscription("unpause")}>
              {t("portal.unpause")}
            </button>
          ) : null}
          <button type="button" onClick={() => void topUp()}>
            {t("portal.topUp")}
          </button>
          {/* what ends or endangers the subscription comes last, set apart, and asks first */}
          <button type="button" className="destructive" onClick={() => setConfirming("cancel")}>
            {t("portal.cancel")}
          </button>
          <button type="button" className="destructive" onClick={() => setConfirming("revoke")}>
            {t("portal.revoke")}
          </button>
        </div>
      ) : null}
      {running ? (
        <p aria-live="polite" data-action={running.action} data-action-status={running.status}>
          {stepText(t, t(`portal.${running.action}`), running.status, true, running.hash !== undefined)}
          {running.hash && chain.explorerUrl ? (
            <>
              {" "}
              <a href={transactionUrl(chain.explorerUrl, running.hash)} target="_blank" rel="noreferrer">
                {t("step.viewTransaction")}
              </a>
            </>
          ) : null}
        </p>
      ) : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
    </article>
  );
}

/**
 * The subscription's charges, newest first: date, amount, outcome and the transaction. Read again whenever another
 * period is charged.
 */
function ChargeHistory({
  subscription,
  chain,
  token,
  load,
}: {
  subscription: PayerSubscription;
  chain: SiteChain;
  token: SiteToken;
  load: LoadSubscription;
}) {
  const { t, i18n } = useTranslation();
  const { contractAddress, periodsCharged } = subscription;
  const detail = useQuery({
    queryKey: ["subscription-charges", contractAddress, periodsCharged],
    queryFn: () => load(contractAddress),
  });
  const charges = [...(detail.data?.charges ?? [])].sort((a, b) => b.periodIndex - a.periodIndex);
  return (
    <section aria-label={t("portal.charges")} className="charges">
      <h3>{t("portal.charges")}</h3>
      {detail.isSuccess && charges.length === 0 ? <p>{t("portal.noCharges")}</p> : null}
      {charges.length > 0 ? (
        <ol>
          {charges.map((charge) => (
            <li key={charge.id} data-charge-status={charge.status}>
              {formatDateTime(new Date(charge.chargeDate), i18n.language)} ·{" "}
              {formatTokenAmount(parseMoney(charge.amount, token), token, i18n.language)} ·{" "}
              {t(`chargeStatus.${charge.status}`)}
              {charge.txHash && chain.explorerUrl ? (
                <>
                  {" "}
                  ·{" "}
                  <a href={transactionUrl(chain.explorerUrl, charge.txHash)} target="_blank" rel="noreferrer">
                    {t("step.viewTransaction")}
                  </a>
                </>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
