import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { shortAddress } from "../format/shortAddress";

/** How long "Copied" stays after a copy. */
const NOTICE_MS = 4_000;

/**
 * Who is paid: the merchant's display name, the payout address shortened (in full in its title) and a button that
 * copies it, whose outcome is announced politely: "Demo merchant (0x7099…79C8, copy)".
 */
export function Payee({ name, address }: { name: string | null | undefined; address: string }) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState<"copied" | "copyFailed" | null>(null);
  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  if (!address) return <span className="payee">{name ?? ""}</span>;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
      setNotice("copied");
    } catch {
      setNotice("copyFailed");
    }
  };
  const button = (
    <button type="button" className="copy" onClick={copy} aria-label={t("payee.copyLabel", { address })}>
      {t("payee.copy")}
    </button>
  );
  const shown = <abbr title={address}>{shortAddress(address)}</abbr>;
  return (
    <span className="payee" data-testid="payee">
      {name ? (
        <>
          {name} ({shown}, {button})
        </>
      ) : (
        <>
          {shown} ({button})
        </>
      )}
      {/* polite, and not a status role: the page's status is the checkout's outcome */}
      <span aria-live="polite" className="copy-notice" data-testid="copy-notice">
        {notice ? t(`payee.${notice}`) : ""}
      </span>
    </span>
  );
}
