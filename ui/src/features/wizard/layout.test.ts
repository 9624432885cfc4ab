// jsdom lays nothing out, so the message step's room at Herald's smallest window (900 × 600,
// tauri.conf.json) is worked out here from the widths the stylesheets set.
import { describe, expect, it } from "vitest";
import stepMessage from "./StepMessage.svelte?raw";
import wizard from "./Wizard.svelte?raw";

/** The first number `pattern` captures in `source`. */
function px(source: string, pattern: RegExp): number {
  const found = pattern.exec(source)?.[1];
  if (found === undefined) throw new Error(`no ${String(pattern)}`);
  return Number(found);
}

/** 40 characters of the editor's 14px monospaced font (0.6em each), with its padding and border. */
const EDITOR_40_CHARS = 40 * 14 * 0.6 + 2 * 8 + 2 * 1;

describe("the message step at the smallest window", () => {
  const fieldList = px(stepMessage, /\.editor-row > \.fields \{\s*flex: 0 0 (\d+)px/);
  const editorBasis = px(stepMessage, /\.editor-row > \.editor \{\s*flex: 1 1 (\d+)px/);
  const stackBelow = px(stepMessage, /@container message-step \(max-width: (\d+)px\)/);

  it("puts the merge fields under the editor before they leave it less than 40 characters", () => {
    // The row wraps: the list goes under the editor rather than shrink it below its basis.
    expect(stepMessage).toMatch(/\.editor-row \{\s*display: flex;\s*flex-wrap: wrap;/);
    expect(editorBasis).toBeGreaterThanOrEqual(EDITOR_40_CHARS);
    expect(stepMessage).toMatch(/\.message \{[^}]*container: message-step \/ inline-size;/);
    expect(stepMessage).toMatch(
      /@container message-step \(max-width: \d+px\) \{\s*\.editor-row > \.fields \{\s*flex-basis: 100%;/,
    );
    const gap = 16;
    // Just wider than the query: the editor shares the row with the list and still has 40.
    expect(stackBelow + 1 - gap - fieldList).toBeGreaterThanOrEqual(EDITOR_40_CHARS);
  });

  it("leaves the editor 40 characters at 900px wide, with the fields under it", () => {
    const sidebar = 216; // --sidebar-width in tokens.css (the tests see no CSS files)
    const stepList = px(wizard, /@media \(max-width: 1000px\) \{\s*\.frame \{\s*grid-template-columns: (\d+)px/);
    const scrollbar = 15;
    const page = 900 - sidebar - 1 - scrollbar - 2 * 24; // the sidebar's border, the content's padding
    const step = page - stepList - 16 - 2 * 1 - 2 * 24; // the gap, the panel's border and padding
    expect(step).toBeLessThanOrEqual(stackBelow);
    expect(step).toBeGreaterThanOrEqual(EDITOR_40_CHARS);
  });
});
