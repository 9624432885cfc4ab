import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { analyze } from "../../api/fakeCompose";
import { MessageAnalyzer } from "./analyzer.svelte";

describe("MessageAnalyzer", () => {
  it("keeps the newest answer when an older one arrives late", async () => {
    const delays: Record<string, number> = { slow: 40, fast: 0 };
    mockIPC(async (_cmd, payload) => {
      const { template } = payload as { template: string };
      await new Promise((resolve) => setTimeout(resolve, delays[template] ?? 0));
      return analyze(template, [], []);
    });
    const analyzer = new MessageAnalyzer();
    const slow = analyzer.run({ template: "slow", columns: [], values: [] });
    const fast = analyzer.run({ template: "fast", columns: [], values: [] });
    await Promise.all([slow, fast]);
    expect(analyzer.template).toBe("fast");
    expect(analyzer.isFor("fast")).toBe(true);
    expect(analyzer.isFor("slow")).toBe(false);
  });

  it("coalesces a burst of edits into one call", async () => {
    const calls: string[] = [];
    mockIPC((_cmd, payload) => {
      const { template } = payload as { template: string };
      calls.push(template);
      return analyze(template, [], []);
    });
    const analyzer = new MessageAnalyzer(10);
    for (const template of ["H", "Hi", "Hi!"]) analyzer.schedule({ template, columns: [], values: [] });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(calls).toEqual(["Hi!"]);
    expect(analyzer.result?.characters).toBe(3);
  });
});
