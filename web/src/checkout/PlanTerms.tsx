import { useTranslation } from "react-i18next";
import { describeTermsLines, type Terms } from "./describeTerms";
import { Payee } from "./Payee";

/**
 * The price line carries an Element Timing name (the attribute is not in React's types): the browser records when it
 * was painted, which is what `npm run bench:web` reports as "terms visible".
 */
const PAINT_TIMED = { elementtiming: "terms" } as Record<string, string>;

/** The terms a payer agrees to, one plain sentence each; who is paid by name, with the address to copy. */
export function PlanTerms({ terms }: { terms: Terms }) {
  const { t, i18n } = useTranslation();
  return (
    <section aria-labelledby="terms-heading" className="terms">
      <h2 id="terms-heading">{t("terms.heading")}</h2>
      <ul>
        {describeTermsLines(t, i18n.language, terms).map((line) => (
          <li key={line.kind} {...(line.kind === "price" ? PAINT_TIMED : {})}>
            {line.kind === "payee" ? (
              <>
                {t("terms.paidTo")} <Payee name={terms.payeeName} address={terms.payee} />
              </>
            ) : (
              line.text
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
