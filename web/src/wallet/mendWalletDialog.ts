/**
 * RainbowKit draws wallet icons as `role="img"` boxes and names only some of them: the icons beside a wallet's name
 * in the wallet list and the pictures of its "What is a wallet?" panel have no `aria-label`, so a screen reader
 * announces an image without a name (axe: role-img-alt, serious). Each stands beside the text that names it, so it is
 * decorative: this hides every unnamed one from assistive technology as RainbowKit renders it, and names a dialog
 * whose title is missing `dialogName`. RainbowKit takes no
 * option for it (AsyncImage's `alt` is set by the caller); remove this once it names them itself.
 */
export function mendWalletDialog(dialogName: string, root: HTMLElement = document.body): () => void {
  const mend = () => {
    for (const image of root.querySelectorAll('[data-rk] [role="img"]:not([aria-label]):not([aria-hidden])')) {
      image.setAttribute("aria-hidden", "true");
    }
    // its phone layout names the dialog by a heading it does not always draw (axe: aria-dialog-name, serious)
    for (const dialog of root.querySelectorAll('[data-rk] [role="dialog"]:not([aria-label])')) {
      const title = dialog.getAttribute("aria-labelledby");
      if (!title || !document.getElementById(title)) dialog.setAttribute("aria-label", dialogName);
    }
  };
  const observer = new MutationObserver(mend);
  observer.observe(root, { childList: true, subtree: true });
  mend();
  return () => observer.disconnect();
}
