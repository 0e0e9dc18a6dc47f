import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAccount, useConfig } from "wagmi";
import { getSiteSession } from "../api/siteApi";
import { describeError } from "../errors/describeError";
import { signInToSite } from "./signInToSite";

/**
 * The site's session for the connected wallet: whether that wallet is signed in, and a Sign-In with Ethereum that
 * refreshes the session and says in words why it failed. Shared by the portal and the admin page.
 */
export function useSiteSignIn() {
  const { t } = useTranslation();
  const wagmiConfig = useConfig();
  const account = useAccount();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const session = useQuery({ queryKey: ["site-session"], queryFn: getSiteSession });
  const signedIn = account.address !== undefined && session.data?.address === account.address;

  const signIn = async () => {
    if (!account.address || !account.chainId) return;
    setError(null);
    try {
      await signInToSite(wagmiConfig, account.address, account.chainId, t("checkout.signInWhy"));
      await queryClient.invalidateQueries({ queryKey: ["site-session"] });
    } catch (failure) {
      setError(describeError(t, failure));
    }
  };

  return { session, signedIn, signIn, error };
}
