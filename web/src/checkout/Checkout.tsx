import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Address, erc20Abi, type Hex } from "viem";
import { useAccount, useBalance, useConfig, useReadContract, useSwitchChain } from "wagmi";
import { getBalance, readContract } from "wagmi/actions";
import { APPROVAL_PERIODS, suggestedAllowance } from "../../../server/domain/suggestedAllowance.js";
import { ApiError } from "../api/ApiError";
import { activateCheckoutSubscription, createCheckoutDraft, getCheckoutSubscription, getPlan } from "../api/siteApi";
import type { Charge, Draft, PermitSignature, SiteChain, SiteConfig, SiteToken, Subscription } from "../api/types";
import { useBranding } from "../branding/BrandingContext";
import { describeError, isRejection } from "../errors/describeError";
import { PayerFacingError } from "../errors/PayerFacingError";
import { formatDateTime } from "../format/formatDate";
import { formatTokenAmount, parseMoney, roundAmount } from "../format/tokenAmount";
import { Link } from "../routing/Link";
import { TransactionLink } from "../ui/TransactionLink";
import { useDocumentTitle } from "../ui/useDocumentTitle";
import { approvalFee } from "../wallet/approvalFee";
import { approvalPath, walletAbilities } from "../wallet/approvalPath";
import { approveAbi } from "../wallet/approveAbi";
import { ConnectWallet } from "../wallet/ConnectWallet";
import { sendApprovalBatch } from "../wallet/sendApprovalBatch";
import { sendContractWrite } from "../wallet/sendContractWrite";
import { signDaiPermit, signPermit } from "../wallet/signPermit";
import { PlanTerms } from "./PlanTerms";
import { type StepName, type StepState, TransactionSteps } from "./TransactionSteps";

/** How long the platform may take to start a subscription once asked, and how often the page looks. */
const ACTIVATION_TIMEOUT_MS = 120_000;
const ACTIVATION_POLL_MS = 1_000;

/** A draft the payer is about to authorise, and how: what the checkout needs of the platform's approval block. */
export interface Authorisation {
  subscription: Subscription;
  /** Token base units to approve (or permit): a few periods, never unlimited. */
  suggestedAllowance: bigint;
  permit: boolean;
  approveZeroFirst: boolean;
}

/** What wagmi reads of a wallet's balance in the chain's own coin. */
interface CoinBalance {
  value: bigint;
  symbol: string;
  decimals: number;
}

/** A draft is reused for another attempt only while it has this long left before it can no longer be activated. */
const DRAFT_REUSE_MARGIN_MS = 10 * 60_000;

/** The charge a receipt shows: the first period, paid. */
const isFirstPaid = (charge: Charge) => charge.periodIndex === 1 && charge.status === "Succeeded";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the payer is offered: the terms the flow shows and the token and chain it pays with. */
export interface Offer {
  name: string;
  description: string;
  /** Token base units per period. */
  amount: bigint;
  periodSeconds: number;
  maxPeriods: number;
  payee: string;
  /** The merchant's display name, said with the payee's address. */
  payeeName?: string | null;
  chain: SiteChain;
  token: SiteToken;
  /** The first charge's date when the subscription starts with a free trial. */
  trialEndsAt?: Date;
}

/**
 * Where the checkout gets its draft and asks for activation: the merchant's signing proxy or the platform's hosted
 * checkout session (the session id is the capability). Neither needs a sign-in: a draft binds nothing until its payer
 * approves its address, so the wallet's one prompt is the approval.
 */
export interface CheckoutBackend {
  /** The payer's unexpired draft of this offer, so another attempt reuses it and any allowance given to it. */
  existingDraft(payer: Address): Promise<Authorisation | null>;
  createDraft(payer: Address): Promise<Authorisation>;
  activate(contractAddress: Address, permit?: PermitSignature): Promise<void>;
  /** The subscription as the platform sees it now, with its charges where this backend may read them. */
  status(contractAddress: Address): Promise<Subscription & { charges?: Charge[] }>;
}

/** A draft as the proxy or session answered it, as the flow uses it. */
export function authorisationOf(draft: Draft): Authorisation {
  return {
    subscription: draft,
    suggestedAllowance: BigInt(draft.approval.suggestedAllowance),
    permit: draft.approval.permit,
    approveZeroFirst: draft.approval.approveZeroFirst,
  };
}

/**
 * `subscription` as the authorisation of another attempt by `payer` at `planId`, or null when it cannot serve: not a
 * draft of that plan for that payer, or too close to the time after which it can no longer be activated.
 */
export function reusableDraft(
  subscription: Subscription,
  { planId, payer, token }: { planId: string; payer: Address; token: SiteToken },
): Authorisation | null {
  if (
    subscription.status !== "Draft" ||
    subscription.planId !== planId ||
    subscription.payer !== payer ||
    Date.parse(subscription.activateBy) - DRAFT_REUSE_MARGIN_MS <= Date.now()
  ) {
    return null;
  }
  // the approval block comes with a new draft only: rebuilt by the platform's own rule
  return {
    subscription,
    suggestedAllowance: suggestedAllowance(parseMoney(subscription.amount, token), subscription.maxPeriods),
    permit: token.permit,
    approveZeroFirst: token.approveZeroFirst,
  };
}

/** Checkout on the merchant's own site, through its signing proxy. */
export function Checkout({ planId, site }: { planId: string; site: SiteConfig }) {
  const { t } = useTranslation();
  const { displayName } = useBranding();
  const plan = useQuery({ queryKey: ["plan", planId], queryFn: () => getPlan(planId) });
  if (plan.isPending) return <p aria-busy="true">…</p>;
  if (plan.isError) return <p role="alert">{describeError(t, plan.error)}</p>;
  const chain = site.chains.find((candidate) => candidate.name === plan.data.blockchain);
  const token = chain?.tokens.find((candidate) => candidate.code === plan.data.asset);
  if (!chain || !token) {
    return <p role="alert">{t("errors.unknown", { message: `${plan.data.asset} on ${plan.data.blockchain}` })}</p>;
  }
  const offer: Offer = {
    name: plan.data.name,
    description: plan.data.description,
    amount: parseMoney(plan.data.amount, token),
    periodSeconds: plan.data.periodSeconds,
    maxPeriods: plan.data.maxPeriods,
    payee: plan.data.payee ?? "",
    payeeName: displayName,
    chain,
    token,
  };
  const remembered = (payer: Address) => `recur:checkout:${planId}:${payer}`;
  const backend: CheckoutBackend = {
    async existingDraft(payer) {
      // the draft an earlier attempt in this browser made: its address is known only here and to the merchant
      const address = localStorage.getItem(remembered(payer)) as Address | null;
      if (!address) return null;
      const reusable = await getCheckoutSubscription(address).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      });
      const draft = reusable ? reusableDraft(reusable, { planId, payer, token }) : null;
      if (!draft) localStorage.removeItem(remembered(payer));
      return draft;
    },
    async createDraft(payer) {
      const draft = await createCheckoutDraft(planId, payer);
      localStorage.setItem(remembered(payer), draft.contractAddress);
      return authorisationOf(draft);
    },
    activate: async (address, permit) => {
      await activateCheckoutSubscription(address, permit);
    },
    status: (address) => getCheckoutSubscription(address),
  };
  return <CheckoutFlow offer={offer} backend={backend} manageHref="/portal" />;
}

/**
 * The checkout both modes share: the terms in plain words, connect, the right network, a balance check, then one
 * Subscribe that prepares the subscription, signs a permit (tokens that take one) or approves the suggested allowance
 * (through 0 first where the token needs it), and asks the platform to start it, showing every step. `onActive` runs
 * once the subscription is active.
 */
export function CheckoutFlow({
  offer,
  backend,
  onActive,
  manageHref,
}: {
  offer: Offer;
  backend: CheckoutBackend;
  onActive?: (subscription: Subscription) => void;
  /** Where the payer manages the subscription once it is active, on this site. */
  manageHref?: string;
}) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  useDocumentTitle(offer.name);
  const wagmiConfig = useConfig();
  const account = useAccount();
  const { switchChain, isPending: switching, error: switchError } = useSwitchChain();
  const [steps, setSteps] = useState<StepState[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [draft, setDraft] = useState<Authorisation | null>(null);
  const [active, setActive] = useState<(Subscription & { charges?: Charge[] }) | null>(null);
  /** Whether this draft's approval goes through 0 first: only a USDT-like token with an allowance already set. */
  const [zeroFirst, setZeroFirst] = useState(false);
  // an error takes the focus (after the wallet's dialog closes it would be on the page's body): read out and in view
  const errorRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const { chain, token, amount } = offer;
  const onChain = account.isConnected && account.chainId === chain.chainId;
  const balance = useReadContract({
    address: token.address,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: account.address ? [account.address] : undefined,
    chainId: chain.chainId,
    query: { enabled: onChain && account.address !== undefined },
  });
  const money = (value: bigint) => formatTokenAmount(value, token, locale);
  const balanceTooLow = balance.data !== undefined && balance.data < amount;

  // what the wallet can do decides its one prompt: a permit signature, one batch of calls, or an approve transaction
  const abilities = useQuery({
    queryKey: ["wallet-abilities", account.address, chain.chainId],
    queryFn: () => walletAbilities(wagmiConfig, account.address as Address, chain.chainId),
    enabled: onChain && account.address !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const path = abilities.data ? approvalPath(token, abilities.data) : undefined;
  // an approval is a transaction: its network fee is paid in the chain's coin, which a payer may not have at all
  const needsFee = path === "approve" || path === "batch";
  const coinBalance = useBalance({
    address: account.address,
    chainId: chain.chainId,
    query: { enabled: onChain && path === "approve" && account.address !== undefined },
  });
  const fee = useQuery({
    queryKey: ["approval-fee", chain.chainId],
    queryFn: () => approvalFee(wagmiConfig, chain.chainId, 1),
    enabled: onChain && needsFee,
  });
  // a smart account's batch may be paid by its wallet's sponsor: only an EOA's own balance is checked
  const feeTooHigh =
    path === "approve" && coinBalance.data !== undefined && fee.data !== undefined && coinBalance.data.value < fee.data;
  const coin = wagmiConfig.chains.find((candidate) => candidate.id === chain.chainId)?.nativeCurrency;
  /** `wei` of the chain's coin as a payer reads it: at most 6 decimals, a fee rounded up and a balance down. */
  const coinAmount = (wei: bigint, of: { symbol: string; decimals: number }, rounding: "up" | "down") =>
    formatTokenAmount(roundAmount(wei, of.decimals, 6, rounding), { code: of.symbol, decimals: of.decimals }, locale);
  /** The prompt this wallet will see, and what it costs, in words: shown before the payer clicks. */
  const pathText = (() => {
    if (!path) return null;
    if (path.startsWith("permit")) return t("checkout.pathSignature");
    const feeText = fee.data !== undefined && coin ? coinAmount(fee.data, coin, "up") : "…";
    return t(path === "batch" ? "checkout.pathBatch" : "checkout.pathTransaction", { fee: feeText });
  })();
  /** What to tell a payer whose wallet holds `held` of the chain's coin and needs `needed` (wei) for the approvals. */
  const noFeeMessage = (needed: bigint, held: CoinBalance) =>
    t("checkout.noFee", {
      fee: coinAmount(needed, held, "up"),
      balance: coinAmount(held.value, held, "down"),
      coin: held.symbol,
      chain: chain.name,
    });

  const track = (name: StepName, update: Omit<StepState, "name">) =>
    setSteps((previous) => [...previous.filter((step) => step.name !== name), { name, ...update }]);

  /** Runs `action` as the step `name`, recording its outcome; a failure ends the flow. */
  async function step<T>(name: StepName, action: (onHash: (hash: Hex) => void) => Promise<T>): Promise<T> {
    track(name, { status: "pending" });
    let hash: Hex | undefined;
    try {
      const result = await action((sent) => {
        hash = sent;
        track(name, { status: "pending", hash: sent });
      });
      track(name, { status: "confirmed", ...(hash ? { hash } : {}) });
      return result;
    } catch (failure) {
      track(name, { status: "failed", ...(hash ? { hash } : {}) });
      throw failure;
    }
  }

  /** Approves `value` of the token to `spender` from the payer's wallet. */
  const approve = (payer: Address, spender: Address, value: bigint, onHash: (hash: Hex) => void) =>
    sendContractWrite(
      wagmiConfig,
      {
        address: token.address,
        abi: approveAbi,
        functionName: "approve",
        args: [spender, value],
        account: payer,
        chainId: chain.chainId,
      },
      onHash,
    );

  /**
   * Approves `wanted` in one transaction, or two (0 first) when `approvals` says the token needs it: checked first
   * against the fee the wallet must hold for them, before the wallet is asked for any.
   */
  async function approveInTurn(payer: Address, spender: Address, allowance: bigint, wanted: bigint, approvals: number) {
    const [needed, held] = await Promise.all([
      approvalFee(wagmiConfig, chain.chainId, approvals),
      getBalance(wagmiConfig, { address: payer, chainId: chain.chainId }),
    ]);
    if (held.value < needed) throw new PayerFacingError(noFeeMessage(needed, held));
    if (approvals === 2 && allowance !== 0n) {
      await step("approveZero", (onHash) => approve(payer, spender, 0n, onHash));
    }
    await step("approve", (onHash) => approve(payer, spender, wanted, onHash));
  }

  async function subscribe() {
    if (!account.address) return;
    const payer = account.address;
    setBusy(true);
    setError(null);
    try {
      const current =
        (draft?.subscription.payer === payer ? draft : await backend.existingDraft(payer)) ??
        (await step("draft", () => backend.createDraft(payer)));
      setDraft(current);
      const spender = current.subscription.contractAddress;
      const funds = await readContract(wagmiConfig, {
        address: token.address,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [payer],
        chainId: chain.chainId,
      });
      if (funds < amount) {
        setError(t("checkout.balanceTooLow", { balance: money(funds), amount: money(amount) }));
        return;
      }
      const wanted = current.suggestedAllowance;
      const allowance = await readContract(wagmiConfig, {
        address: token.address,
        abi: erc20Abi,
        functionName: "allowance",
        args: [payer, spender],
        chainId: chain.chainId,
      });
      const way = approvalPath(token, abilities.data ?? (await walletAbilities(wagmiConfig, payer, chain.chainId)));
      let permit: PermitSignature | undefined;
      if (allowance < amount && current.permit && way.startsWith("permit")) {
        // one signature instead of a transaction: the platform submits it with the activation
        const request = {
          token: token.address,
          chainId: chain.chainId,
          owner: payer,
          spender,
          value: current.suggestedAllowance,
          // valid until the draft's last activation moment
          deadline: BigInt(Math.floor(Date.parse(current.subscription.activateBy) / 1000)),
        };
        permit = await step("permit", () =>
          way === "permitDai"
            ? signDaiPermit(wagmiConfig, request)
            : signPermit(wagmiConfig, request, way === "permitBytes" ? "bytes" : "vrs"),
        );
      } else if (allowance < wanted) {
        const approvals = current.approveZeroFirst && allowance !== 0n ? 2 : 1;
        setZeroFirst(approvals === 2);
        if (way === "batch") {
          // 0 first where the token needs it, then the allowance: one confirmation, all or nothing
          await step("batch", (onHash) =>
            sendApprovalBatch(
              wagmiConfig,
              {
                token: token.address,
                spender,
                values: approvals === 2 ? [0n, wanted] : [wanted],
                account: payer,
                chainId: chain.chainId,
              },
              onHash,
            ),
          );
        } else {
          await approveInTurn(payer, spender, allowance, wanted, approvals);
        }
      }
      const started = await step("activate", async () => {
        await backend.activate(spender, permit);
        const deadline = Date.now() + ACTIVATION_TIMEOUT_MS;
        for (;;) {
          const subscription = await backend.status(spender);
          // active, and with its first charge recorded where it has one, for the receipt
          const charged = subscription.periodsCharged === 0 || subscription.charges?.some(isFirstPaid) !== false;
          if (subscription.status === "Active" && charged) return subscription;
          if (subscription.status === "Error" || (subscription.status === "Draft" && subscription.statusReason)) {
            throw new PayerFacingError(
              t("errors.activationRefused", { reason: subscription.statusReason ?? subscription.status }),
            );
          }
          if (Date.now() > deadline) throw new PayerFacingError(t("errors.activationTimeout"));
          await sleep(ACTIVATION_POLL_MS);
        }
      });
      setActive(started);
      onActive?.(started);
    } catch (failure) {
      setError(describeError(t, failure, { amount: money(amount) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="plan-name" className="checkout">
      <h1 id="plan-name">{offer.name}</h1>
      {offer.description ? <p>{offer.description}</p> : null}
      <PlanTerms
        terms={{
          amount,
          token,
          periodSeconds: offer.periodSeconds,
          maxPeriods: offer.maxPeriods,
          payee: offer.payee,
          payeeName: offer.payeeName ?? null,
          chainName: chain.name,
          ...(offer.trialEndsAt ? { trialEndsAt: offer.trialEndsAt } : {}),
        }}
      />

      {active ? (
        <div role="status" className="done">
          <h2>{t("checkout.done")}</h2>
          <p>
            {active.nextChargeAt
              ? t(active.periodsCharged > 0 ? "checkout.doneDetail" : "checkout.doneTrial", {
                  next: formatDateTime(new Date(active.nextChargeAt), locale),
                })
              : null}
          </p>
          <Receipt charge={active.charges?.find(isFirstPaid)} offer={offer} />
          <p>
            {t("checkout.contract")}: <code>{active.contractAddress}</code>
          </p>
          {manageHref ? (
            <p>
              <Link href={manageHref}>{t("checkout.manage")}</Link>
            </p>
          ) : null}
        </div>
      ) : (
        <>
          <div className="connect">
            {account.isConnected ? null : <p>{t("checkout.connect")}</p>}
            <ConnectWallet chainStatus="none" />
          </div>
          {account.isConnected && !onChain ? (
            <div role="alert">
              <p>{t("checkout.wrongNetwork", { chain: chain.name })}</p>
              {switchError && !switching ? (
                <p className="error" data-testid="switch-error">
                  {isRejection(switchError)
                    ? t("checkout.switchDeclined", { chain: chain.name })
                    : describeError(t, switchError)}
                </p>
              ) : null}
              <button type="button" disabled={switching} onClick={() => switchChain({ chainId: chain.chainId })}>
                {t("checkout.switchNetwork", { chain: chain.name })}
              </button>
            </div>
          ) : null}
          {onChain && balance.data !== undefined ? (
            <p data-testid="balance">{t("checkout.balance", { balance: money(balance.data) })}</p>
          ) : null}
          {onChain && balanceTooLow ? (
            <p role="alert">
              {t("checkout.balanceTooLow", { balance: money(balance.data ?? 0n), amount: money(amount) })}
            </p>
          ) : null}
          {onChain && !balanceTooLow && feeTooHigh && coinBalance.data && fee.data !== undefined ? (
            <p role="alert" data-testid="no-fee">
              {noFeeMessage(fee.data, coinBalance.data)}
            </p>
          ) : null}
          {onChain && pathText && !balanceTooLow && !feeTooHigh ? (
            <p className="path" data-testid="path" data-path={path}>
              {pathText}
            </p>
          ) : null}
          {onChain && !draft && path ? (
            <p className="approve-why" data-testid="approve-why">
              {path === "permitDai"
                ? t("checkout.approveWhyUnlimited", { amount: money(amount), token: token.code })
                : t("checkout.approveWhyBefore", {
                    allowance: money(suggestedAllowance(amount, offer.maxPeriods)),
                    count: Math.min(offer.maxPeriods, APPROVAL_PERIODS),
                    amount: money(amount),
                  })}
            </p>
          ) : null}
          {onChain && draft ? (
            <p className="approve-why">
              {t("checkout.approveWhy", {
                spender: draft.subscription.contractAddress,
                allowance: money(draft.suggestedAllowance),
                amount: money(amount),
                payee: draft.subscription.payee,
              })}{" "}
              {zeroFirst
                ? t(path === "batch" ? "checkout.approveZeroBatchWhy" : "checkout.approveZeroWhy", {
                    token: token.code,
                  })
                : null}
            </p>
          ) : null}
          {onChain ? (
            <button
              type="button"
              className="primary"
              disabled={busy || balanceTooLow || feeTooHigh}
              onClick={() => void subscribe()}
            >
              {error ? t("checkout.retry") : t("checkout.subscribe")}
            </button>
          ) : null}
        </>
      )}
      <TransactionSteps steps={steps} explorerUrl={chain.explorerUrl} />
      {error ? (
        <p role="alert" className="error" tabIndex={-1} ref={errorRef}>
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** What the first charge took, when and in which transaction: the payer's receipt on the success step. */
function Receipt({ charge, offer }: { charge: Charge | undefined; offer: Offer }) {
  const { t, i18n } = useTranslation();
  if (!charge) return null;
  const { token, chain } = offer;
  return (
    <dl className="receipt" data-testid="receipt">
      <dt>{t("checkout.receiptAmount")}</dt>
      <dd>{formatTokenAmount(parseMoney(charge.amount, token), token, i18n.language)}</dd>
      <dt>{t("checkout.receiptDate")}</dt>
      <dd>{formatDateTime(new Date(charge.chargeDate), i18n.language)}</dd>
      {charge.txHash ? (
        <>
          <dt>{t("checkout.receiptTransaction")}</dt>
          <dd>
            <TransactionLink hash={charge.txHash} explorerUrl={chain.explorerUrl} />
          </dd>
        </>
      ) : null}
    </dl>
  );
}
