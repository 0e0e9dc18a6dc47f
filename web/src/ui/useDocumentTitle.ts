import { useEffect } from "react";
import { useTranslation } from "react-i18next";

/**
 * Names the browser tab (and the page, for a screen reader's first words) after what the page shows: `title`, then
 * the site's name. `undefined` leaves the site's name alone while the page is still loading.
 */
export function useDocumentTitle(title: string | undefined): void {
  const { t } = useTranslation();
  const site = t("app.title");
  useEffect(() => {
    document.title = title ? `${title} · ${site}` : site;
  }, [title, site]);
}
