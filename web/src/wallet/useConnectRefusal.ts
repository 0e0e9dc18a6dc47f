import { useEffect, useRef, useState } from "react";
import { useAccount, useConnectors } from "wagmi";

/**
 * Whether the payer's last attempt to connect a wallet ended without a connection: declined in the wallet, or the
 * wallet closed. RainbowKit's dialog then stays on "Opening... Retry" and says nothing of why, so the page closes
 * it (as its Escape key does) and says so itself. Cleared by the next attempt.
 *
 * Only an attempt counts: wagmi's reconnect at load also goes from "connecting" to "disconnected" when there is
 * nothing to reconnect, but only `connect` has the connector announce "connecting".
 */
export function useConnectRefusal(): boolean {
  const { status } = useAccount();
  const connectors = useConnectors();
  const attempting = useRef(false);
  const previous = useRef(status);
  const [refused, setRefused] = useState(false);
  useEffect(() => {
    const onMessage = (message: { type: string }) => {
      if (message.type === "connecting") attempting.current = true;
    };
    for (const connector of connectors) connector.emitter.on("message", onMessage);
    return () => {
      for (const connector of connectors) connector.emitter.off("message", onMessage);
    };
  }, [connectors]);
  useEffect(() => {
    if (status === "connecting" || status === "connected") setRefused(false);
    if (status === "connected") attempting.current = false;
    if (previous.current === "connecting" && status === "disconnected" && attempting.current) {
      attempting.current = false;
      setRefused(true);
      // once this render's effects have all run: the dialog listens for Escape again after this very change
      setTimeout(() => document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true })), 0);
    }
    previous.current = status;
  }, [status]);
  return refused;
}
