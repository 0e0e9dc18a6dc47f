import type { ReactNode } from "react";

/**
 * A table that scrolls sideways where the screen is narrower than it (a phone), named by its section's heading. The
 * scrolling box takes the keyboard's focus, or a keyboard user could not reach what is off screen (WCAG 2.1.1).
 */
export function Table({ labelledBy, children }: { labelledBy: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be focusable to scroll by keyboard
    <div className="table-scroll" tabIndex={0}>
      <table aria-labelledby={labelledBy}>{children}</table>
    </div>
  );
}
