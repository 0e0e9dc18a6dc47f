import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useAccount } from "wagmi";
import { readWidgetFragment } from "../../../widget/src/protocol";
import type { PlanWithPayee, SiteConfig, Storefront } from "../api/types";
import { WidgetApi } from "../api/widgetApi";
import { BrandHeader } from "../branding/BrandHeader";
import { useBranding, useShowBranding } from "../branding/BrandingContext";
import { authorisationOf, type CheckoutBackend, CheckoutFlow, type Offer, reusableDraft } from "../checkout/Checkout";
import { describeEvery } from "../checkout/describeTerms";
import { describeError } from "../errors/describeError";
import { formatTokenAmount, parseMoney } from "../format/tokenAmount";
import { REFRESH_MS, SubscriptionCard } from "../portal/SubscriptionCard";
import { useDocumentTitle } from "../ui/useDocumentTitle";
import { ConnectWallet } from "../wallet/ConnectWallet";
import { frameTokenSource, hostOrigin, postToHost, watchHeight } from "./frameMessages";

/**
 * The embeddable widget's page (`/embed`, framed by a merchant's page through widget/): the plans and the
 * subscriptions of the one customer its customer token speaks for, subscribing with the checkout's one-prompt flow
 * and managing with the portal's cards, in the merchant's branding. It talks to the platform with the customer token
 * alone (`WidgetApi`), never through this site's signing proxy.
 */
export function Embed({ site }: { site: SiteConfig }) {
  const { t, i18n } = useTranslation();
  // read once: the fragment never reaches a server, and the page never navigates
  const [{ token, host }] = useState(() => {
    const fragment = readWidgetFragment(window.location.hash);
    return { token: fragment.token, host: hostOrigin(fragment.host) };
  });
  useEffect(() => watchHeight(host), [host]);
  // one token source for the page's life, so that a renewed token is kept (the message is worded when it is needed)
  const api = useMemo(
    () =>
      token
        ? new WidgetApi(
            site.platformUrl,
            frameTokenSource(token, host, () => i18n.t("widget.expired")),
          )
        : null,
    [site.platformUrl, token, host, i18n],
  );
  if (!api) {
    return (
      <p role="alert" className="error">
        {t("widget.noToken")}
      </p>
    );
  }
  return <Widget api={api} site={site} host={host} />;
}

function Widget({ api, site, host }: { api: WidgetApi; site: SiteConfig; host: string | null }) {
  const { t } = useTranslation();
  const storefront = useQuery({ queryKey: ["storefront"], queryFn: api.storefront });
  useShowBranding(storefront.data?.branding);
  const branding = useBranding();
  useDocumentTitle(storefront.data?.branding.displayName);
  const [chosen, setChosen] = useState<string | null>(null);

  if (storefront.isPending) return <p aria-busy="true">…</p>;
  if (storefront.isError) {
    return (
      <p role="alert" className="error">
        {describeError(t, storefront.error)}
      </p>
    );
  }
  const plan = storefront.data.plans.find((candidate) => candidate.id === chosen);
  return (
    <div className="widget">
      <BrandHeader branding={branding} />
      {plan ? (
        <WidgetCheckout
          plan={plan}
          storefront={storefront.data}
          api={api}
          site={site}
          host={host}
          onBack={() => setChosen(null)}
        />
      ) : (
        <>
          <WidgetPlans storefront={storefront.data} site={site} onChoose={setChosen} />
          <WidgetSubscriptions storefront={storefront.data} api={api} site={site} />
        </>
      )}
    </div>
  );
}

/** The token of a plan, as the site's chains know it. */
function tokenOf(site: SiteConfig, plan: { blockchain: string; asset: string }) {
  const chain = site.chains.find((candidate) => candidate.name === plan.blockchain);
  const token = chain?.tokens.find((candidate) => candidate.code === plan.asset);
  return chain && token ? { chain, token } : null;
}

function WidgetPlans({
  storefront,
  site,
  onChoose,
}: {
  storefront: Storefront;
  site: SiteConfig;
  onChoose: (planId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const merchant = storefront.branding.displayName;
  return (
    <section aria-labelledby="widget-plans">
      <h1 id="widget-plans">{t("widget.plans")}</h1>
      {storefront.plans.length === 0 ? <p>{t("widget.noPlans", { merchant })}</p> : null}
      <ul className="plans">
        {storefront.plans.map((plan) => {
          const found = tokenOf(site, plan);
          return (
            <li key={plan.id}>
              <h2>{plan.name}</h2>
              {plan.description ? <p className="plan-description">{plan.description}</p> : null}
              {found ? (
                <p className="plan-price">
                  <span className="plan-amount">
                    {formatTokenAmount(parseMoney(plan.amount, found.token), found.token, i18n.language)}
                  </span>{" "}
                  <span>{describeEvery(t, plan.periodSeconds)}</span>
                </p>
              ) : null}
              <button type="button" className="primary" disabled={!found} onClick={() => onChoose(plan.id)}>
                {t("widget.choose", { plan: plan.name })}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The checkout of one plan for the token's customer, drafts and activation through the platform. */
function WidgetCheckout({
  plan,
  storefront,
  api,
  site,
  host,
  onBack,
}: {
  plan: PlanWithPayee;
  storefront: Storefront;
  api: WidgetApi;
  site: SiteConfig;
  host: string | null;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const found = tokenOf(site, plan);
  const customerId = storefront.customerId;
  const backend = useMemo<CheckoutBackend | null>(() => {
    if (!found || customerId === null) return null;
    return {
      async existingDraft(payer) {
        // the customer's own unexpired draft of this plan for this wallet, so another attempt reuses its allowance
        const drafts = (await api.listSubscriptions()).map((subscription) =>
          reusableDraft(subscription, { planId: plan.id, payer, token: found.token }),
        );
        return drafts.find((draft) => draft !== null) ?? null;
      },
      createDraft: async (payer) => authorisationOf(await api.createDraft(plan.id, customerId, payer)),
      activate: async (address, permit) => {
        await api.activate(address, permit);
      },
      status: (address) => api.getSubscription(address),
    };
  }, [api, plan.id, customerId, found]);
  if (!found || !backend) {
    return (
      <p role="alert" className="error">
        {t("errors.unknown", { message: `${plan.asset} on ${plan.blockchain}` })}
      </p>
    );
  }
  const offer: Offer = {
    name: plan.name,
    description: plan.description,
    amount: parseMoney(plan.amount, found.token),
    periodSeconds: plan.periodSeconds,
    maxPeriods: plan.maxPeriods,
    payee: plan.payee ?? "",
    payeeName: storefront.branding.displayName,
    chain: found.chain,
    token: found.token,
  };
  return (
    <>
      <p>
        <button type="button" className="secondary" onClick={onBack}>
          ← {t("widget.back")}
        </button>
      </p>
      <CheckoutFlow
        offer={offer}
        backend={backend}
        onActive={(subscription) => {
          postToHost(host, {
            type: "subscribed",
            contractAddress: subscription.contractAddress,
            planId: plan.id,
            status: subscription.status,
          });
          void queryClient.invalidateQueries({ queryKey: ["widget-subscriptions"] });
        }}
      />
    </>
  );
}

/** The customer's subscriptions (not drafts), each with the portal's card: managed from the wallet that pays. */
function WidgetSubscriptions({ storefront, api, site }: { storefront: Storefront; api: WidgetApi; site: SiteConfig }) {
  const { t } = useTranslation();
  const account = useAccount();
  const subscriptions = useQuery({
    queryKey: ["widget-subscriptions"],
    queryFn: api.listSubscriptions,
    refetchInterval: REFRESH_MS,
  });
  const names = new Map(storefront.plans.map((plan) => [plan.id, plan.name]));
  const started = subscriptions.data?.filter((subscription) => subscription.status !== "Draft") ?? [];
  return (
    <section aria-labelledby="widget-yours" className="portal">
      <h2 id="widget-yours">{t("widget.yours")}</h2>
      {subscriptions.isError ? (
        <p role="alert" className="error">
          {describeError(t, subscriptions.error)}
        </p>
      ) : null}
      {subscriptions.isSuccess && started.length === 0 ? (
        <p>{t("widget.none", { merchant: storefront.branding.displayName })}</p>
      ) : null}
      {started.length > 0 ? (
        <>
          {account.isConnected ? null : <p>{t("widget.connectToManage")}</p>}
          <div className="connect">
            <ConnectWallet />
          </div>
          <ul className="subscriptions">
            {started.map((subscription) => (
              <li key={subscription.contractAddress}>
                <SubscriptionCard
                  subscription={{ ...subscription, planName: names.get(subscription.planId) ?? null }}
                  site={site}
                  load={api.getSubscription}
                />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
