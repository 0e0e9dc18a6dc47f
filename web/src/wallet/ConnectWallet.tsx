import { ConnectButton, useConnectModal } from "@rainbow-me/rainbowkit";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { useConnectRefusal } from "./useConnectRefusal";

/**
 * RainbowKit's connect button, and why the wallet did not connect when it did not (declined, or closed in the
 * wallet): said on the page, with the focus on it, instead of a dialog stuck on "Retry".
 */
export function ConnectWallet({ chainStatus }: { chainStatus?: "none" }) {
  const { t } = useTranslation();
  const refused = useConnectRefusal();
  const reason = useRef<HTMLParagraphElement>(null);
  const { connectModalOpen } = useConnectModal();
  // once the dialog has closed (it gives the focus back to the button it was opened from)
  useEffect(() => {
    if (refused && !connectModalOpen) reason.current?.focus();
  }, [refused, connectModalOpen]);
  return (
    <>
      <ConnectButton showBalance={false} {...(chainStatus ? { chainStatus } : {})} />
      {refused ? (
        <p role="alert" className="error" data-testid="connect-refused" tabIndex={-1} ref={reason}>
          {t("app.connectRefused")}
        </p>
      ) : null}
    </>
  );
}
