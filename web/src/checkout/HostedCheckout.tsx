import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { activateHostedDraft, createHostedDraft, getHostedSession } from "../api/hostedApi";
import type { HostedSession, SiteConfig, Subscription } from "../api/types";
import { useShowBranding } from "../branding/BrandingContext";
import { describeError } from "../errors/describeError";
import { formatDateTime } from "../format/formatDate";
import { parseMoney } from "../format/tokenAmount";
import { supportedLanguage } from "../i18n/detectLanguage";
import { switchLanguage } from "../i18n/i18n";
import { rememberedLanguage } from "../i18n/rememberedLanguage";
import { useDocumentTitle } from "../ui/useDocumentTitle";
import { authorisationOf, type CheckoutBackend, CheckoutFlow, type Offer } from "./Checkout";

/** `url` with the session's outcome in its query, as the merchant's success and cancel pages receive it. */
function returnUrl(url: string, outcome: Record<string, string>): string {
  const target = new URL(url);
  for (const [key, value] of Object.entries(outcome)) target.searchParams.set(key, value);
  return target.toString();
}

/**
 * The hosted page of a checkout session (`/checkout/<sessionId>`): the session's plan through the same checkout,
 * talking to the platform's public session routes (the unguessable session id is the only credential), then back
 * to the merchant's success URL with the session id, subscription address and status. An expired session is refused
 * in words, with the way back to the merchant; a completed one says so, with the way on to the success URL.
 */
export function HostedCheckout({ sessionId, site }: { sessionId: string; site: SiteConfig }) {
  const { t, i18n } = useTranslation();
  const session = useQuery({
    queryKey: ["checkout-session", sessionId],
    queryFn: () => getHostedSession(site.platformUrl, sessionId),
  });
  useDocumentTitle(session.data?.plan.name);
  // the page presents the session's merchant, as the platform has it
  useShowBranding(session.data?.branding);

  // the merchant chose the session's language unless the address names one or the payer chose one here before
  const sessionLanguage = session.data?.lang;
  useEffect(() => {
    const chosen = supportedLanguage(sessionLanguage);
    const asked = new URLSearchParams(window.location.search).get("lang");
    if (chosen && !asked && !rememberedLanguage() && chosen !== i18n.language) void switchLanguage(chosen);
  }, [sessionLanguage, i18n.language]);

  const backend = useMemo<CheckoutBackend>(
    () => ({
      async existingDraft(payer) {
        const current = await getHostedSession(site.platformUrl, sessionId);
        const { subscription, approval } = current;
        if (subscription?.status !== "Draft" || subscription.payer !== payer || !approval) return null;
        return authorisationOf({ ...subscription, approval });
      },
      createDraft: async (payer) => authorisationOf(await createHostedDraft(site.platformUrl, sessionId, payer)),
      // the session has one draft: its address is implied
      activate: async (_address, permit) => {
        await activateHostedDraft(site.platformUrl, sessionId, permit);
      },
      async status(address) {
        const { subscription } = await getHostedSession(site.platformUrl, sessionId);
        if (!subscription || subscription.contractAddress !== address) {
          throw new Error(`the checkout session lost subscription ${address}`);
        }
        return subscription;
      },
    }),
    [site.platformUrl, sessionId],
  );

  if (session.isPending) return <p aria-busy="true">…</p>;
  if (session.isError) return <p role="alert">{describeError(t, session.error)}</p>;
  const data: HostedSession = session.data;
  const cancel = returnUrl(data.cancelUrl, { sessionId });
  if (data.status === "Expired") {
    return (
      <section aria-labelledby="expired-heading">
        <h1 id="expired-heading">{t("hosted.expiredHeading")}</h1>
        <p role="alert">
          {t("hosted.expired", {
            date: formatDateTime(new Date(data.expiresAt), i18n.language),
            merchant: data.branding.displayName,
          })}
        </p>
        <a href={cancel}>{t("hosted.back", { merchant: data.branding.displayName })}</a>
      </section>
    );
  }
  // a reopened link of a finished checkout: said before any click, with the way on to the merchant
  if (data.status === "Completed" && data.subscription) {
    const { subscription } = data;
    const onward = returnUrl(data.successUrl, {
      sessionId,
      contractAddress: subscription.contractAddress,
      status: subscription.status,
    });
    return (
      <section aria-labelledby="completed-heading">
        <h1 id="completed-heading">{t("hosted.completedHeading")}</h1>
        <p role="status">
          {t("hosted.completed", {
            plan: data.plan.name,
            merchant: data.branding.displayName,
            status: t(`status.${subscription.status}`).toLocaleLowerCase(i18n.language),
          })}
        </p>
        <a href={onward}>{t("hosted.continue", { merchant: data.branding.displayName })}</a>
      </section>
    );
  }
  const chain = site.chains.find((candidate) => candidate.chainId === data.chain.chainId);
  if (!chain) {
    return <p role="alert">{t("errors.unknown", { message: `chain ${data.chain.chainId}` })}</p>;
  }
  const token = data.token;
  const startFrom = data.startFrom ? new Date(data.startFrom) : undefined;
  const offer: Offer = {
    name: data.plan.name,
    description: t("hosted.merchant", { merchant: data.branding.displayName }),
    amount: parseMoney(data.plan.amount, token),
    periodSeconds: data.plan.periodSeconds,
    maxPeriods: data.maxPeriods,
    payee: data.payee ?? "",
    payeeName: data.branding.displayName,
    chain,
    token,
    ...(startFrom && startFrom.getTime() > Date.now() ? { trialEndsAt: startFrom } : {}),
  };
  const finish = (subscription: Subscription) =>
    window.location.assign(
      returnUrl(data.successUrl, {
        sessionId,
        contractAddress: subscription.contractAddress,
        status: subscription.status,
      }),
    );
  return (
    <>
      <CheckoutFlow offer={offer} backend={backend} onActive={finish} />
      <p>
        <a href={cancel}>{t("hosted.back", { merchant: data.branding.displayName })}</a>
      </p>
    </>
  );
}
