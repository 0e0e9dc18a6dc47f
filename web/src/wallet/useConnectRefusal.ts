import { useEffect, useRef, useState } from "react";
import { useAccount } from "wagmi";

/**
 * Whether the payer's last attempt to connect a wallet ended without a connection: declined in the wallet, or the
 * wallet closed. RainbowKit's dialog then stays on "Opening... Retry" and says nothing of why, so the page closes
 * it (as its Escape key does) and says so itself. Cleared by the next attempt.
 */
export function useConnectRefusal(): boolean {
  const { status } = useAccount();
  const previous = useRef(status);
  const [refused, setRefused] = useState(false);
  useEffect(() => {
    if (status === "connecting" || status === "connected") setRefused(false);
    if (previous.current === "connecting" && status === "disconnected") {
      setRefused(true);
      // once this render's effects have all run: the dialog listens for Escape again after this very change
      setTimeout(() => document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true })), 0);
    }
    previous.current = status;
  }, [status]);
  return refused;
}
