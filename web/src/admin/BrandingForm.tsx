import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/ApiError";
import { getBranding, setBranding } from "../api/adminApi";
import type { Branding } from "../api/types";
import { BrandHeader } from "../branding/BrandHeader";
import { safeBranding } from "../branding/safeBranding";
import { describeError } from "../errors/describeError";

const FIELDS = ["displayName", "logoUrl", "accentColor", "supportUrl"] as const;
type Field = (typeof FIELDS)[number];
type Form = Record<Field, string>;

const formOf = (branding: Branding): Form => ({
  displayName: branding.displayName,
  logoUrl: branding.logoUrl ?? "",
  accentColor: branding.accentColor ?? "",
  supportUrl: branding.supportUrl ?? "",
});

/** Each field's problem as the API worded it (`details` with paths such as `body.accentColor`). */
function problemsOf(error: unknown): Partial<Record<Field, string>> {
  if (!(error instanceof ApiError)) return {};
  const problems: Partial<Record<Field, string>> = {};
  for (const detail of error.details ?? []) {
    const field = FIELDS.find((candidate) => detail.path === `body.${candidate}`);
    if (field && !problems[field]) problems[field] = detail.message;
  }
  return problems;
}

/**
 * The merchant's branding on the admin page: display name, logo, accent colour and support link, with a preview of
 * the payer pages' header and a button in the colour. The platform checks every field; its words for a refused one
 * show next to that field.
 */
export function BrandingForm() {
  const { t } = useTranslation();
  const id = useId();
  const queryClient = useQueryClient();
  const branding = useQuery({ queryKey: ["admin-branding"], queryFn: getBranding });
  const [form, setForm] = useState<Form | null>(null);
  useEffect(() => {
    if (branding.data && form === null) setForm(formOf(branding.data));
  }, [branding.data, form]);
  const save = useMutation({
    mutationFn: (change: Form) =>
      setBranding({
        displayName: change.displayName.trim() === "" ? null : change.displayName,
        logoUrl: change.logoUrl.trim() === "" ? null : change.logoUrl.trim(),
        accentColor: change.accentColor.trim() === "" ? null : change.accentColor.trim(),
        supportUrl: change.supportUrl.trim() === "" ? null : change.supportUrl.trim(),
      }),
    onSuccess: (saved) => {
      setForm(formOf(saved));
      queryClient.setQueryData(["admin-branding"], saved);
    },
  });
  if (!form) {
    return branding.isError ? (
      <section aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`}>{t("admin.branding")}</h2>
        <p role="alert" className="error">
          {describeError(t, branding.error)}
        </p>
      </section>
    ) : null;
  }
  const problems = problemsOf(save.error);
  const otherFailure = save.error && Object.keys(problems).length === 0 ? save.error : null;
  const preview = safeBranding({
    displayName: form.displayName.trim() || (branding.data?.displayName ?? ""),
    logoUrl: form.logoUrl.trim() || null,
    accentColor: form.accentColor.trim() || null,
    supportUrl: form.supportUrl.trim() || null,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(form);
  };
  const field = (name: Field, label: string, hint: string | null, type: "text" | "url" = "text") => {
    const problem = problems[name];
    return (
      <label>
        {label}
        {hint ? <span className="hint">{hint}</span> : null}
        <input
          type={type}
          name={name}
          value={form[name]}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-${name}-problem` : undefined}
          onChange={(event) => setForm({ ...form, [name]: event.target.value })}
        />
        {problem ? (
          <span id={`${id}-${name}-problem`} className="field-problem error">
            {problem}
          </span>
        ) : null}
      </label>
    );
  };
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t("admin.branding")}</h2>
      <p>{t("admin.brandingWhy")}</p>
      <form onSubmit={submit} className="branding-form" noValidate>
        {field("displayName", t("admin.displayName"), null)}
        {field("logoUrl", t("admin.logoUrl"), t("admin.optional"), "url")}
        {field("accentColor", t("admin.accentColor"), t("admin.optional"))}
        {field("supportUrl", t("admin.supportUrl"), t("admin.optional"))}
        <figure className="branding-preview" aria-label={t("admin.preview")} data-testid="branding-preview">
          <BrandHeader branding={preview} />
          <span
            className="button-preview"
            style={preview.accentColor ? { background: preview.accentColor, borderColor: preview.accentColor } : {}}
          >
            {t("admin.previewButton")}
          </span>
        </figure>
        <div>
          <button type="submit" className="primary" disabled={save.isPending}>
            {t("admin.saveBranding")}
          </button>
        </div>
        {otherFailure ? (
          <p role="alert" className="error">
            {describeError(t, otherFailure)}
          </p>
        ) : null}
        <p role="status">{save.isSuccess ? t("admin.brandingSaved") : ""}</p>
      </form>
    </section>
  );
}
