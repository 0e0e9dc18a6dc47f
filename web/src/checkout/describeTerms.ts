import type { TFunction } from "i18next";
import { describePeriod } from "../format/describePeriod";
import { formatDateTime } from "../format/formatDate";
import { formatTokenAmount, type TokenUnits } from "../format/tokenAmount";

/** What a payer authorises, in the units the contract enforces. */
export interface Terms {
  /** Token base units pulled per period. */
  amount: bigint;
  token: TokenUnits;
  periodSeconds: number;
  /** Charges allowed in total. */
  maxPeriods: number;
  /** Who receives every charge: the merchant's payout address. */
  payee: string;
  /** The merchant's display name, said with the payout address. */
  payeeName?: string | null;
  /** The chain's name as the payer's wallet shows it. */
  chainName: string;
  /** The first charge's date when it is later than the start (a free trial). */
  trialEndsAt?: Date;
}

/** "9.99 tUSDC every month": the price line. */
export function describePrice(t: TFunction, locale: string, terms: Pick<Terms, "amount" | "token" | "periodSeconds">) {
  return t("terms.amount", {
    amount: formatTokenAmount(terms.amount, terms.token, locale),
    period: describeEvery(t, terms.periodSeconds),
  });
}

/** "every month", "every 5 minutes": how often a price is charged. */
export function describeEvery(t: TFunction, periodSeconds: number) {
  const { unit, count } = describePeriod(periodSeconds);
  return count === 1 ? t(`terms.each_${unit}`) : t(`terms.every_${unit}`, { count });
}

/** What each line of the terms says. */
export type TermsLineKind = "price" | "charges" | "start" | "payee" | "chain" | "cancel";

/**
 * The terms in plain words, one sentence each, in the order a payer reads them: the price, how many charges and
 * their total, when the first charge is taken, who is paid, the chain and token, and that they can cancel.
 */
export function describeTermsLines(
  t: TFunction,
  locale: string,
  terms: Terms,
): { kind: TermsLineKind; text: string }[] {
  const total = formatTokenAmount(terms.amount * BigInt(terms.maxPeriods), terms.token, locale);
  const payee = terms.payeeName ? `${terms.payeeName} (${terms.payee})` : terms.payee;
  return [
    { kind: "price", text: describePrice(t, locale, terms) },
    { kind: "charges", text: t("terms.charges", { count: terms.maxPeriods, total }) },
    {
      kind: "start",
      text: terms.trialEndsAt
        ? t("terms.trial", { date: formatDateTime(terms.trialEndsAt, locale) })
        : t("terms.firstCharge"),
    },
    { kind: "payee", text: t("terms.payee", { payee }) },
    { kind: "chain", text: t("terms.chain", { chain: terms.chainName, token: terms.token.code }) },
    { kind: "cancel", text: t("terms.cancel") },
  ];
}

/** {@link describeTermsLines}' sentences alone. */
export function describeTerms(t: TFunction, locale: string, terms: Terms): string[] {
  return describeTermsLines(t, locale, terms).map((line) => line.text);
}
