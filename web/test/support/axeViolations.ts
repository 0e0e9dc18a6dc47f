import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** One accessibility rule a page breaks, as axe-core reports it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The violations that block a person: what the browser tests allow none of. */
export const blocking = (violations: readonly AxeViolation[]) =>
  violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");

/**
 * Every accessibility violation axe-core finds on `page` as it is now, minor ones included. axe is evaluated through
 * the DevTools protocol, not as a script tag, so the site's Content-Security-Policy stays as strict as it is.
 */
export async function axeReport(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(await axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: RawViolation[] }> } }).axe;
    interface RawViolation {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: unknown[] }[];
    }
    const { violations } = await axe.run();
    return violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
  });
}
