import { afterEach, expect, test } from "vitest";
import { mendWalletDialog } from "./mendWalletDialog";

afterEach(() => {
  document.body.innerHTML = "";
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("hides RainbowKit's unnamed images, as they are rendered, and leaves named ones and the page's own alone", async () => {
  document.body.innerHTML = `<div data-rk><div role="img" id="named" aria-label="Test Wallet"></div></div><div role="img" id="ours"></div>`;
  const stop = mendWalletDialog("Connect a wallet");
  try {
    const dialog = document.createElement("div");
    dialog.setAttribute("data-rk", "");
    dialog.innerHTML = `<div role="dialog" id="titled" aria-labelledby="rk_title"><h1 id="rk_title">Connect</h1></div>
      <div role="dialog" id="untitled" aria-labelledby="rk_missing"></div>
      <button><div role="img" id="icon"></div>Test Wallet</button>`;
    document.body.append(dialog);
    await settle();
    expect(document.getElementById("icon")?.getAttribute("aria-hidden")).toBe("true");
    expect(document.getElementById("named")?.hasAttribute("aria-hidden")).toBe(false);
    expect(document.getElementById("untitled")?.getAttribute("aria-label")).toBe("Connect a wallet");
    expect(document.getElementById("titled")?.hasAttribute("aria-label")).toBe(false);
    expect(document.getElementById("ours")?.hasAttribute("aria-hidden")).toBe(false);
  } finally {
    stop();
  }
  // stopped: what comes later is left as it is
  document.body.insertAdjacentHTML("beforeend", `<div data-rk><div role="img" id="late"></div></div>`);
  await settle();
  expect(document.getElementById("late")?.hasAttribute("aria-hidden")).toBe(false);
});
