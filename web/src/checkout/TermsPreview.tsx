import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { getHostedSession } from "../api/hostedApi";
import { getPlan } from "../api/siteApi";
import type { SiteConfig } from "../api/types";
import { parseMoney } from "../format/tokenAmount";
import type { Terms } from "./describeTerms";
import { PlanTerms } from "./PlanTerms";

/** The plan's name and terms for the checkout page at `pathname`, read without the wallet libraries. */
async function loadTerms(pathname: string, site: SiteConfig): Promise<{ name: string; terms: Terms } | null> {
  const subscribe = /^\/subscribe\/([^/]+)$/.exec(pathname);
  if (subscribe?.[1]) {
    const plan = await getPlan(decodeURIComponent(subscribe[1]));
    const chain = site.chains.find((candidate) => candidate.name === plan.blockchain);
    const token = chain?.tokens.find((candidate) => candidate.code === plan.asset);
    if (!chain || !token) return null;
    const { periodSeconds, maxPeriods } = plan;
    const terms = { amount: parseMoney(plan.amount, token), token, periodSeconds, maxPeriods, chainName: chain.name };
    return { name: plan.name, terms: { ...terms, payee: plan.payee ?? "" } };
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
      chainName: session.chain.name,
    };
    return { name: session.plan.name, terms };
  }
  return null;
}

/**
 * What a checkout page shows while the wallet libraries (most of the app's JavaScript) are still loading: the
 * plan's terms, so the payer reads what they agree to at once. Any failure here is left to the full page.
 */
export function TermsPreview({ site }: { site: SiteConfig }) {
  const { t } = useTranslation();
  const [loaded, setLoaded] = useState<{ name: string; terms: Terms } | null>(null);
  useEffect(() => {
    loadTerms(window.location.pathname, site).then(setLoaded, () => setLoaded(null));
  }, [site]);
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
