import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { listApiKeys, revokeApiKey, type SiteApiKey } from "../api/adminApi";
import { describeError } from "../errors/describeError";
import { formatDateTime } from "../format/formatDate";
import { ConfirmQuestion } from "../ui/ConfirmQuestion";
import { Table } from "../ui/Table";

/**
 * The merchant's API keys on the admin page: when each was made, expires or was revoked, and last used. A key
 * other than this site's own can be revoked at once, after the admin confirms.
 */
export function ApiKeys() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ["admin-api-keys"], queryFn: listApiKeys });
  const [confirming, setConfirming] = useState<string | null>(null);
  const revoke = useMutation({
    mutationFn: revokeApiKey,
    onSuccess: () => {
      setConfirming(null);
      return queryClient.invalidateQueries({ queryKey: ["admin-api-keys"] });
    },
  });
  const when = (iso: string | null) => (iso ? formatDateTime(new Date(iso), i18n.language) : "—");
  const failure = revoke.error ?? keys.error;
  const action = (key: SiteApiKey) => {
    if (key.thisSite) return t("apiKeys.thisSite");
    if (key.status === "Revoked" || key.status === "Expired" || key.apiKey === null) return null;
    const apiKey = key.apiKey;
    if (confirming !== apiKey) {
      return (
        <button type="button" onClick={() => setConfirming(apiKey)}>
          {t("apiKeys.revoke", { key: key.label })}
        </button>
      );
    }
    return (
      <ConfirmQuestion
        question={t("apiKeys.confirm", { key: key.label })}
        confirm={t("apiKeys.confirmRevoke")}
        keep={t("apiKeys.keep")}
        disabled={revoke.isPending}
        onConfirm={() => revoke.mutate(apiKey)}
        onKeep={() => setConfirming(null)}
      />
    );
  };
  return (
    <section aria-labelledby="admin-api-keys">
      <h2 id="admin-api-keys">{t("apiKeys.heading")}</h2>
      {failure ? (
        <p role="alert" className="error">
          {describeError(t, failure)}
        </p>
      ) : null}
      <Table labelledBy="admin-api-keys">
        <thead>
          <tr>
            <th>{t("apiKeys.key")}</th>
            <th>{t("apiKeys.status")}</th>
            <th>{t("apiKeys.created")}</th>
            <th>{t("apiKeys.ends")}</th>
            <th>{t("apiKeys.lastUsed")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.data?.map((key) => (
            <tr key={key.apiKey ?? key.label} data-testid="api-key" data-status={key.status}>
              <td>
                <code>{key.label}</code>
              </td>
              <td>{t(`apiKeys.status${key.status}`)}</td>
              <td>{when(key.createdAt)}</td>
              <td>{when(key.revokedAt ?? key.expiresAt)}</td>
              <td>{when(key.lastUsedAt)}</td>
              <td>{action(key)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}
