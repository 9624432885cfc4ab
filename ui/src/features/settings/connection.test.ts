import { describe, expect, it } from "vitest";
import { connectionResult, smtpResult, topLevelPhrase } from "./connection";

describe("Test connection", () => {
  it("counts the top level in words", () => {
    expect(topLevelPhrase(0)).toBe("no folders or queries at the top level");
    expect(topLevelPhrase(1)).toBe("1 folder or query at the top level");
    expect(topLevelPhrase(1234)).toBe("1,234 folders and queries at the top level");
  });

  it("says what it found", () => {
    expect(connectionResult({ root_entries: 3, textmsg: true, demo: false })).toEqual({
      tone: "success",
      text: "Connected: 3 folders and queries at the top level; TEXTMSG activity type found.",
    });
    const missing = connectionResult({ root_entries: 3, textmsg: false, demo: false });
    expect(missing.tone).toBe("warning");
    expect(missing.text).toMatch(/^Connected: 3 folders and queries at the top level; but the TEXTMSG activity type is missing/);
  });

  it("says when it is the demo directory", () => {
    const demo = connectionResult({ root_entries: 1, textmsg: true, demo: true });
    expect(demo.tone).toBe("success");
    expect(demo.text).toMatch(/demo directory \(sample data, TEST only\): 1 folder or query at the top level\./);
  });

  it("says what the mail server did, as a sentence", () => {
    expect(smtpResult("Connected to smtp.example.org:587 and logged in")).toEqual({
      tone: "success",
      text: "Connected to smtp.example.org:587 and logged in.",
    });
    expect(smtpResult("connected.").text).toBe("Connected.");
  });
});
