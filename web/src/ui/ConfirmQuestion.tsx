import { useEffect, useRef } from "react";

/**
 * A destructive action's question, asked in place: what follows in words, a destructive "yes" and a way to keep
 * things as they are. It takes the focus when it appears, so a keyboard or screen reader user lands on it.
 */
export function ConfirmQuestion(props: {
  question: string;
  confirm: string;
  keep: string;
  disabled?: boolean;
  onConfirm: () => void;
  onKeep: () => void;
}) {
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirmButton.current?.focus();
  }, []);
  return (
    <fieldset className="confirm">
      <legend>{props.question}</legend>
      <button
        ref={confirmButton}
        type="button"
        className="danger"
        disabled={props.disabled ?? false}
        onClick={props.onConfirm}
      >
        {props.confirm}
      </button>{" "}
      <button type="button" onClick={props.onKeep}>
        {props.keep}
      </button>
    </fieldset>
  );
}
