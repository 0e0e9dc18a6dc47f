import "@rainbow-me/rainbowkit/styles.css";
import { type Locale, lightTheme, RainbowKitProvider } from "@rainbow-me/rainbowkit";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { WagmiProvider } from "wagmi";
import { EMBED_PATH } from "../../widget/src/protocol";
import { Admin } from "./admin/Admin";
import { listPlans } from "./api/siteApi";
import type { SiteConfig } from "./api/types";
import { BrandHeader } from "./branding/BrandHeader";
import { BrandingProvider, useBranding } from "./branding/BrandingContext";
import { SITE_ACCENT } from "./branding/safeBranding";
import { Checkout } from "./checkout/Checkout";
import { describeEvery } from "./checkout/describeTerms";
import { HostedCheckout } from "./checkout/HostedCheckout";
import { Embed } from "./embed/Embed";
import { describeError } from "./errors/describeError";
import { formatTokenAmount, parseMoney } from "./format/tokenAmount";
import { LANGUAGES, type Language } from "./i18n/detectLanguage";
import { switchLanguage } from "./i18n/i18n";
import { rememberLanguage } from "./i18n/rememberedLanguage";
import { Portal } from "./portal/Portal";
import { Link } from "./routing/Link";
import { navigate, useLocation } from "./routing/useLocation";
import { useDocumentTitle } from "./ui/useDocumentTitle";
import { createWagmiConfig } from "./wallet/createWagmiConfig";
import { mendWalletDialog } from "./wallet/mendWalletDialog";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });

/**
 * The wallet dialog and button in the page's accent colour (the design's --color-accent: the merchant's when it has
 * one, checked for AA contrast with white text), and its secondary text readable too: RainbowKit's light theme draws
 * it at 60% opacity (3.6:1 on white).
 */
const walletTheme = (accent: string | null) => {
  const theme = lightTheme({
    accentColor: accent ?? SITE_ACCENT,
    accentColorForeground: "#ffffff",
    borderRadius: "medium",
  });
  return { ...theme, colors: { ...theme.colors, modalTextSecondary: "#4b5563", modalTextDim: "#6b7280" } };
};

/** Each language by its own name, as a reader of it looks for it. */
const LANGUAGE_NAMES: Record<Language, string> = { en: "English", es: "Español", ru: "Русский" };

/** RainbowKit's locale for each language of the app, so the wallet dialog speaks the page's language. */
const WALLET_LOCALES: Record<Language, Locale> = { en: "en-US", es: "es-419", ru: "ru-RU" };

/** The app: providers in wagmi's order, and its pages. */
export function App({ site }: { site: SiteConfig }) {
  const wagmiConfig = useMemo(() => createWagmiConfig(site), [site]);
  const { t } = useTranslation();
  const dialogName = t("app.walletDialog");
  useEffect(() => mendWalletDialog(dialogName), [dialogName]);
  return (
    <WagmiProvider config={wagmiConfig}>
      <QueryClientProvider client={queryClient}>
        <BrandingProvider site={site.branding}>
          <ThemedWallet>
            <Layout site={site} />
          </ThemedWallet>
        </BrandingProvider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}

/** RainbowKit in the page's language and accent colour. */
function ThemedWallet({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const { accentColor } = useBranding();
  const theme = useMemo(() => walletTheme(accentColor), [accentColor]);
  return (
    <RainbowKitProvider theme={theme} locale={WALLET_LOCALES[i18n.language as Language] ?? "en-US"}>
      {children}
    </RainbowKitProvider>
  );
}

/** The site's pages under its header; the embeddable widget's page alone, as the embedding page frames it. */
function Layout({ site }: { site: SiteConfig }) {
  const { pathname } = useLocation();
  return (
    <>
      {pathname === EMBED_PATH ? null : <Header site={site} />}
      <main id="content" tabIndex={-1}>
        {pathname === EMBED_PATH ? <Embed site={site} /> : <Page site={site} />}
      </main>
      <Footer />
    </>
  );
}

/** The merchant's support link, when it has one. */
function Footer() {
  const { t } = useTranslation();
  const { supportUrl } = useBranding();
  if (!supportUrl) return null;
  return (
    <footer className="site-footer">
      <a href={supportUrl} rel="noreferrer" data-testid="support-link">
        {t("app.support")}
      </a>
    </footer>
  );
}

function Header({ site }: { site: SiteConfig }) {
  const { t, i18n } = useTranslation();
  const { pathname, search } = useLocation();
  const choose = (language: Language) => {
    rememberLanguage(language);
    void switchLanguage(language);
    search.set("lang", language);
    navigate(`${pathname}?${search.toString()}`, { replace: true });
  };
  const branding = useBranding();
  return (
    <header>
      <a className="skip-link" href="#content">
        {t("app.skip")}
      </a>
      <BrandHeader branding={branding} />
      <nav>
        <Link href="/">{t("app.title")}</Link> · <Link href="/portal">{t("app.portal")}</Link>
        {site.adminEnabled ? (
          <>
            {" "}
            · <Link href="/admin">{t("app.admin")}</Link>
          </>
        ) : null}
      </nav>
      <label>
        {t("app.language")}{" "}
        <select value={i18n.language} onChange={(event) => choose(event.target.value as Language)}>
          {LANGUAGES.map((language) => (
            <option key={language} value={language} lang={language}>
              {LANGUAGE_NAMES[language]}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}

function Page({ site }: { site: SiteConfig }) {
  const { pathname } = useLocation();
  const subscribe = /^\/subscribe\/([^/]+)$/.exec(pathname);
  if (subscribe?.[1]) return <Checkout planId={decodeURIComponent(subscribe[1])} site={site} />;
  if (pathname === "/portal") return <Portal site={site} />;
  if (pathname === "/admin" && site.adminEnabled) return <Admin site={site} />;
  const hosted = /^\/checkout\/([^/]+)$/.exec(pathname);
  if (hosted?.[1]) return <HostedCheckout sessionId={decodeURIComponent(hosted[1])} site={site} />;
  return <Plans site={site} />;
}

/** The merchant's Active plans, each linking to its checkout. */
function Plans({ site }: { site: SiteConfig }) {
  const { t, i18n } = useTranslation();
  useDocumentTitle(t("app.choose"));
  const plans = useQuery({ queryKey: ["plans"], queryFn: listPlans });
  const { search } = useLocation();
  const lang = search.get("lang");
  if (plans.isPending) return <p aria-busy="true">…</p>;
  if (plans.isError) return <p role="alert">{describeError(t, plans.error)}</p>;
  return (
    <section aria-labelledby="plans-heading">
      <h1 id="plans-heading">{t("app.choose")}</h1>
      <ul className="plans">
        {plans.data.map((plan) => {
          const token = site.chains
            .find((chain) => chain.name === plan.blockchain)
            ?.tokens.find((candidate) => candidate.code === plan.asset);
          return (
            <li key={plan.id}>
              <h2>
                <Link href={`/subscribe/${encodeURIComponent(plan.id)}${lang ? `?lang=${lang}` : ""}`}>
                  {plan.name}
                </Link>
              </h2>
              {plan.description ? <p className="plan-description">{plan.description}</p> : null}
              {token ? (
                <p className="plan-price">
                  <span className="plan-amount">
                    {formatTokenAmount(parseMoney(plan.amount, token), token, i18n.language)}
                  </span>{" "}
                  <span>{describeEvery(t, plan.periodSeconds)}</span>
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
