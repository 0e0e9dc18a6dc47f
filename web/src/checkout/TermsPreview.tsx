import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { getHostedSession } from "../api/hostedApi";
import { getPlan } from "../api/siteApi";
import type { PlanWithPayee, SiteConfig } from "../api/types";
import { safeBranding } from "../branding/safeBranding";
import { parseMoney } from "../format/tokenAmount";
import type { Terms } from "./describeTerms";
import { PlanTerms } from "./PlanTerms";

/** What the checkout page at `pathname` shows first: a plan's name and terms. */
export interface PreviewedTerms {
  name: string;
  terms: Terms;
}

/** The plan that the site's checkout page at `pathname` sells, asked for at once: with the site's configuration. */
export function fetchCheckoutPlan(pathname: string): Promise<PlanWithPayee> | undefined {
  const subscribe = /^\/subscribe\/([^/]+)$/.exec(pathname);
  return subscribe?.[1] ? getPlan(decodeURIComponent(subscribe[1])) : undefined;
}

/**
 * The plan's name and terms for the checkout page at `pathname`, read without the wallet libraries: from `plan`
 * (what {@link fetchCheckoutPlan} started) or the hosted checkout session. `null` on any other page.
 */
export async function loadTerms(
  pathname: string,
  site: SiteConfig,
  plan = fetchCheckoutPlan(pathname),
): Promise<PreviewedTerms | null> {
  if (plan) {
    const found = await plan;
    const chain = site.chains.find((candidate) => candidate.name === found.blockchain);
    const token = chain?.tokens.find((candidate) => candidate.code === found.asset);
    if (!chain || !token) return null;
    const { periodSeconds, maxPeriods } = found;
    const terms = { amount: parseMoney(found.amount, token), token, periodSeconds, maxPeriods, chainName: chain.name };
    const payeeName = safeBranding(site.branding).displayName;
    return { name: found.name, terms: { ...terms, payee: found.payee ?? "", payeeName } };
  }
  const hosted = /^\/checkout\/([^/]+)$/.exec(pathname);
  if (hosted?.[1]) {
    const session = await getHostedSession(site.platformUrl, decodeURIComponent(hosted[1]));
    if (session.status === "Expired") return null;
    const terms = {
      amount: parseMoney(session.plan.amount, session.token),
      token: session.token,
      periodSeconds: session.plan.periodSeconds,
      maxPeriods: session.maxPeriods,
      payee: session.payee ?? "",
      payeeName: safeBranding(session.branding).displayName,
      chainName: session.chain.name,
    };
    return { name: session.plan.name, terms };
  }
  return null;
}

/**
 * What a checkout page shows while the wallet libraries (most of the app's JavaScript) are still loading: the
 * plan's terms from `terms` ({@link loadTerms}), so the payer reads what they agree to at once. Any failure here is
 * left to the full page.
 */
export function TermsPreview({ terms }: { terms: Promise<PreviewedTerms | null> }) {
  const { t } = useTranslation();
  const [loaded, setLoaded] = useState<PreviewedTerms | null>(null);
  useEffect(() => {
    terms.then(setLoaded, () => setLoaded(null));
  }, [terms]);
  return (
    <main>
      {loaded ? (
        <section aria-labelledby="plan-name" className="checkout">
          <h1 id="plan-name">{loaded.name}</h1>
          <PlanTerms terms={loaded.terms} />
        </section>
      ) : null}
      <p aria-busy="true">{t("app.loadingWallet")}</p>
    </main>
  );
}
