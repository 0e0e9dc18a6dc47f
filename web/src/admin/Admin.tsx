import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useAccount } from "wagmi";
import {
  activatePlan,
  archivePlan,
  createPlan,
  listAllPlans,
  listCharges,
  listGasWallets,
  listSubscriptions,
  listWebhookEvents,
  type NewPlan,
  redeliverWebhookEvent,
} from "../api/adminApi";
import type { SiteConfig } from "../api/types";
import { describeError } from "../errors/describeError";
import { formatDateTime } from "../format/formatDate";
import { shortAddress } from "../format/shortAddress";
import { Table } from "../ui/Table";
import { useDocumentTitle } from "../ui/useDocumentTitle";
import { addressProblem } from "../validation/addressProblem";
import { ConnectWallet } from "../wallet/ConnectWallet";
import { useSiteSignIn } from "../wallet/useSiteSignIn";
import { AddressField } from "./AddressField";
import { ApiKeys } from "./ApiKeys";
import { BrandingForm } from "./BrandingForm";

const INTERVALS = ["Day", "Week", "Month", "Year"] as const;

/** An address filter's value: "" for none, the address when it is one, null while it is refused. */
function filterAddress(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === "") return "";
  return addressProblem(trimmed) === null ? trimmed : null;
}
const STATUS_FILTERS = ["", "Draft", "Active", "Suspended", "Paused", "Cancelled", "Finished"] as const;
const PAGE = { limit: 50, offset: 0 };

/**
 * The merchant's admin page, for wallets the site lists as admins: the admin signs in with their wallet and the web
 * server acts with the merchant's API key, which never reaches the browser.
 */
export function Admin({ site }: { site: SiteConfig }) {
  const { t } = useTranslation();
  useDocumentTitle(t("admin.heading"));
  const account = useAccount();
  const { session, signedIn, signIn, error } = useSiteSignIn();

  return (
    <section aria-labelledby="admin-heading" className="admin">
      <h1 id="admin-heading">{t("admin.heading")}</h1>
      <div className="connect">
        <ConnectWallet />
      </div>
      {account.isConnected && !signedIn && !session.isPending ? (
        <button type="button" className="primary" onClick={() => void signIn()}>
          {t("checkout.signIn")}
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      {signedIn && !session.data?.admin ? <p role="alert">{t("admin.notAdmin")}</p> : null}
      {signedIn && session.data?.admin ? (
        <>
          <Plans site={site} />
          <BrandingForm />
          <Subscriptions />
          <Charges />
          <Webhooks />
          <GasWallets />
          <ApiKeys />
        </>
      ) : null}
    </section>
  );
}

function Plans({ site }: { site: SiteConfig }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const plans = useQuery({ queryKey: ["admin-plans"], queryFn: listAllPlans });
  const tokens = [...new Set(site.chains.flatMap((chain) => chain.tokens.map((token) => token.code)))];
  const [form, setForm] = useState({
    name: "",
    amount: "",
    token: tokens[0] ?? "",
    interval: "Month",
    maxPeriods: "12",
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["admin-plans"] });
  const create = useMutation({
    mutationFn: (plan: NewPlan) => createPlan(plan),
    onSuccess: () => {
      setForm((previous) => ({ ...previous, name: "", amount: "" }));
      return refresh();
    },
  });
  const change = useMutation({
    mutationFn: ({ id, action }: { id: string; action: "activate" | "archive" }) =>
      action === "activate" ? activatePlan(id) : archivePlan(id),
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      name: form.name,
      amount: `${form.amount.trim()} ${form.token}`,
      interval: form.interval as NewPlan["interval"],
      frequency: 1,
      maxPeriods: Number(form.maxPeriods),
      gracePeriodSeconds: 3 * 86_400,
    });
  };
  const failure = create.error ?? change.error ?? plans.error;
  return (
    <section aria-labelledby="admin-plans">
      <h2 id="admin-plans">{t("admin.plans")}</h2>
      <form onSubmit={submit} className="plan-form">
        <label>
          {t("admin.name")}
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {t("admin.amount")}
          <input
            required
            inputMode="decimal"
            value={form.amount}
            onChange={(e) => setForm({ ...form, amount: e.target.value })}
          />
        </label>
        <label>
          {t("admin.token")}
          <select value={form.token} onChange={(e) => setForm({ ...form, token: e.target.value })}>
            {tokens.map((code) => (
              <option key={code}>{code}</option>
            ))}
          </select>
        </label>
        <label>
          {t("admin.interval")}
          <select value={form.interval} onChange={(e) => setForm({ ...form, interval: e.target.value })}>
            {INTERVALS.map((interval) => (
              <option key={interval} value={interval}>
                {t(`admin.every${interval}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("admin.maxPeriods")}
          <input
            required
            type="number"
            min={1}
            max={65535}
            value={form.maxPeriods}
            onChange={(e) => setForm({ ...form, maxPeriods: e.target.value })}
          />
        </label>
        <button type="submit" disabled={create.isPending}>
          {t("admin.create")}
        </button>
      </form>
      {failure ? (
        <p role="alert" className="error">
          {describeError(t, failure)}
        </p>
      ) : null}
      <Table labelledBy="admin-plans">
        <thead>
          <tr>
            <th>{t("admin.name")}</th>
            <th>{t("admin.amount")}</th>
            <th>{t("portal.status")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {plans.data?.map((plan) => (
            <tr key={plan.id} data-plan={plan.id}>
              <td>{plan.name}</td>
              <td>{plan.amount}</td>
              <td data-testid="plan-status">{t(`admin.plan${plan.status}`)}</td>
              <td>
                {plan.status === "Draft" ? (
                  <button type="button" onClick={() => change.mutate({ id: plan.id, action: "activate" })}>
                    {t("admin.activate", { name: plan.name })}
                  </button>
                ) : null}
                {plan.status !== "Archived" ? (
                  <button type="button" onClick={() => change.mutate({ id: plan.id, action: "archive" })}>
                    {t("admin.archive", { name: plan.name })}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}

function Subscriptions() {
  const { t, i18n } = useTranslation();
  const [statusIn, setStatusIn] = useState("");
  const [customerId, setCustomerId] = useState("");
  const [payer, setPayer] = useState("");
  const payerFilter = filterAddress(payer);
  const subscriptions = useQuery({
    queryKey: ["admin-subscriptions", statusIn, customerId, payerFilter],
    queryFn: () =>
      listSubscriptions({
        ...PAGE,
        ...(statusIn ? { statusIn } : {}),
        ...(customerId.trim() ? { customerId: customerId.trim() } : {}),
        ...(payerFilter ? { payer: payerFilter } : {}),
      }),
    // a refused address filters nothing: the list waits for a valid one rather than show every subscription
    enabled: payerFilter !== null,
  });
  return (
    <section aria-labelledby="admin-subscriptions">
      <h2 id="admin-subscriptions">{t("admin.subscriptions")}</h2>
      <label>
        {t("portal.status")}{" "}
        <select value={statusIn} onChange={(e) => setStatusIn(e.target.value)}>
          {STATUS_FILTERS.map((status) => (
            <option key={status} value={status}>
              {status ? t(`status.${status}`) : t("admin.all")}
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        {t("admin.customer")} <input value={customerId} onChange={(e) => setCustomerId(e.target.value)} />
      </label>{" "}
      <AddressField label={t("admin.payer")} value={payer} onChange={setPayer} />
      {subscriptions.isError ? <p role="alert">{describeError(t, subscriptions.error)}</p> : null}
      <Table labelledBy="admin-subscriptions">
        <tbody>
          {subscriptions.data?.map((subscription) => (
            <tr key={subscription.contractAddress}>
              <td>
                <code title={subscription.contractAddress}>{shortAddress(subscription.contractAddress)}</code>
              </td>
              <td>{subscription.customerId}</td>
              <td>{subscription.amount}</td>
              <td>{t(`status.${subscription.status}`)}</td>
              <td>
                {subscription.nextChargeAt ? formatDateTime(new Date(subscription.nextChargeAt), i18n.language) : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}

function Charges() {
  const { t, i18n } = useTranslation();
  const [contract, setContract] = useState("");
  const contractFilter = filterAddress(contract);
  const charges = useQuery({
    queryKey: ["admin-charges", contractFilter],
    queryFn: () => listCharges({ ...PAGE, ...(contractFilter ? { contractAddress: contractFilter } : {}) }),
    enabled: contractFilter !== null,
  });
  return (
    <section aria-labelledby="admin-charges">
      <h2 id="admin-charges">{t("admin.charges")}</h2>
      <AddressField label={t("admin.contract")} value={contract} onChange={setContract} />
      <Table labelledBy="admin-charges">
        <tbody>
          {charges.data?.map((charge) => (
            <tr key={charge.id}>
              <td>
                <code title={charge.contractAddress}>{shortAddress(charge.contractAddress)}</code>
              </td>
              <td>#{charge.periodIndex}</td>
              <td>{charge.amount}</td>
              <td>{charge.status}</td>
              <td>{formatDateTime(new Date(charge.chargeDate), i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}

function Webhooks() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const events = useQuery({
    queryKey: ["admin-webhooks"],
    queryFn: () => listWebhookEvents({ ...PAGE, undelivered: false }),
  });
  const redeliver = useMutation({
    mutationFn: redeliverWebhookEvent,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["admin-webhooks"] }),
  });
  return (
    <section aria-labelledby="admin-webhooks">
      <h2 id="admin-webhooks">{t("admin.webhooks")}</h2>
      <Table labelledBy="admin-webhooks">
        <tbody>
          {events.data?.map((event) => (
            <tr key={event.eventId}>
              <td>{event.eventType}</td>
              <td>{formatDateTime(new Date(event.eventTs), i18n.language)}</td>
              <td>{event.delivered ? t("admin.delivered") : (event.lastError ?? t("admin.notDelivered"))}</td>
              <td>{event.attempts}</td>
              <td>
                <button type="button" onClick={() => redeliver.mutate(event.eventId)}>
                  {t("admin.redeliver")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}

function GasWallets() {
  const { t } = useTranslation();
  const wallets = useQuery({ queryKey: ["admin-gas-wallets"], queryFn: listGasWallets });
  return (
    <section aria-labelledby="admin-gas">
      <h2 id="admin-gas">{t("admin.gasWallets")}</h2>
      <Table labelledBy="admin-gas">
        <tbody>
          {wallets.data?.map((wallet) => (
            <tr key={`${wallet.chainId}:${wallet.address}`} data-testid="gas-wallet">
              <td>{wallet.blockchain}</td>
              <td>
                <code title={wallet.address}>{shortAddress(wallet.address)}</code>
              </td>
              <td>{wallet.balance ?? "—"}</td>
              <td>{wallet.low ? t("admin.low") : ""}</td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}
