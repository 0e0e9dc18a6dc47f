import { useTranslation } from "react-i18next";
import { describeTerms, type Terms } from "./describeTerms";

/** The terms a payer agrees to, one plain sentence each. */
export function PlanTerms({ terms }: { terms: Terms }) {
  const { t, i18n } = useTranslation();
  return (
    <section aria-labelledby="terms-heading" className="terms">
      <h2 id="terms-heading">{t("terms.heading")}</h2>
      <ul>
        {describeTerms(t, i18n.language, terms).map((sentence) => (
          <li key={sentence}>{sentence}</li>
        ))}
      </ul>
    </section>
  );
}
