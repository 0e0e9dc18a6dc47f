import { useTranslation } from "react-i18next";
import { transactionUrl } from "../format/transactionUrl";

/** A transaction: a link to it on the chain's explorer, or, on a chain without one, its hash shortened (in full in its title). */
export function TransactionLink({ hash, explorerUrl }: { hash: string; explorerUrl: string | null }) {
  const { t } = useTranslation();
  if (explorerUrl) {
    return (
      <a href={transactionUrl(explorerUrl, hash)} target="_blank" rel="noreferrer">
        {t("step.viewTransaction")}
      </a>
    );
  }
  return <code title={hash}>{`${hash.slice(0, 10)}…`}</code>;
}
