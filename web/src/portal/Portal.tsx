import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useAccount } from "wagmi";
import { getMySubscription, listMySubscriptions } from "../api/siteApi";
import type { SiteConfig } from "../api/types";
import { describeError } from "../errors/describeError";
import { useDocumentTitle } from "../ui/useDocumentTitle";
import { ConnectWallet } from "../wallet/ConnectWallet";
import { useSiteSignIn } from "../wallet/useSiteSignIn";
import { REFRESH_MS, SubscriptionCard } from "./SubscriptionCard";

/**
 * The connected wallet's subscriptions on this merchant's site: status, next charge, charges made, how many more
 * periods the allowance and balance cover (and a warning when the next charge will fail), and the payer's own actions
 * sent from the wallet: pause, resume, cancel, top up or revoke the allowance; cancel and revoke ask first, saying
 * what follows.
 */
export function Portal({ site }: { site: SiteConfig }) {
  const { t } = useTranslation();
  const account = useAccount();
  const { session, signedIn, signIn, error: signInError } = useSiteSignIn();
  useDocumentTitle(t("portal.heading"));
  const subscriptions = useQuery({
    queryKey: ["my-subscriptions", account.address],
    queryFn: () => listMySubscriptions(),
    enabled: signedIn,
    refetchInterval: REFRESH_MS,
  });

  return (
    <section aria-labelledby="portal-heading" className="portal">
      <h1 id="portal-heading">{t("portal.heading")}</h1>
      <div className="connect">
        <ConnectWallet />
      </div>
      {account.isConnected && !signedIn && !session.isPending ? (
        <>
          <p>{t("checkout.signInWhy")}</p>
          <button type="button" className="primary" onClick={() => void signIn()}>
            {t("checkout.signIn")}
          </button>
        </>
      ) : null}
      {signInError ? (
        <p role="alert" className="error">
          {signInError}
        </p>
      ) : null}
      {signedIn && subscriptions.isError ? <p role="alert">{describeError(t, subscriptions.error)}</p> : null}
      {signedIn && subscriptions.data?.length === 0 ? <p>{t("portal.none")}</p> : null}
      {signedIn && subscriptions.data ? (
        <ul className="subscriptions">
          {subscriptions.data
            .filter((subscription) => subscription.status !== "Draft")
            .map((subscription) => (
              <li key={subscription.contractAddress}>
                <SubscriptionCard subscription={subscription} site={site} load={getMySubscription} />
              </li>
            ))}
        </ul>
      ) : null}
    </section>
  );
}
