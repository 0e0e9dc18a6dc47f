import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { type AddressProblem, addressProblem } from "../validation/addressProblem";

const MESSAGES: Record<AddressProblem, string> = {
  malformed: "admin.addressMalformed",
  checksum: "admin.addressChecksum",
  zero: "admin.addressZero",
};

/**
 * A labelled text field for an address, refused in words right next to it (and announced) when it breaks the site's
 * address rule ({@link addressProblem}): a wrong EIP-55 checksum is a typo, never silently corrected. The problem
 * shows once the field is left or holds a full-length address, not at every keystroke of one being typed; callers
 * use the value only when `addressProblem` finds nothing wrong with it.
 */
export function AddressField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [left, setLeft] = useState(false);
  const trimmed = value.trim();
  const problem = trimmed === "" ? null : addressProblem(trimmed);
  const shown = problem !== null && (left || trimmed.length >= 42) ? problem : null;
  return (
    <span className="address-field">
      <label htmlFor={id}>{label}</label>{" "}
      <input
        id={id}
        value={value}
        spellCheck={false}
        autoComplete="off"
        placeholder="0x…"
        aria-invalid={shown ? true : undefined}
        aria-describedby={shown ? `${id}-problem` : undefined}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => setLeft(true)}
      />
      {shown ? (
        <span id={`${id}-problem`} role="alert" className="error field-problem">
          {t(MESSAGES[shown])}
        </span>
      ) : null}
    </span>
  );
}
