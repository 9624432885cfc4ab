import { describe, expect, it } from "vitest";
import { errorsStillShown, infoChanges, isEmailAddress, validateInfo, type InfoForm } from "./info";

const form = (over: Partial<InfoForm> = {}): InfoForm => ({ name: "Spring", reportEmail: "", mode: "test", ...over });

describe("validateInfo", () => {
  it("requires a name", () => {
    expect(validateInfo(form({ name: "   " })).name).toBe("Give the campaign a name.");
    expect(validateInfo(form())).toEqual({});
  });

  it("accepts an empty report address but not a malformed one", () => {
    expect(validateInfo(form({ reportEmail: "  " }))).toEqual({});
    expect(validateInfo(form({ reportEmail: "events@example" })).reportEmail).toMatch(/email address/);
    expect(validateInfo(form({ reportEmail: " events@example.org " }))).toEqual({});
  });
});

describe("isEmailAddress", () => {
  it("takes ordinary and accented addresses", () => {
    expect(isEmailAddress("a.b+c@example.co.uk")).toBe(true);
    expect(isEmailAddress("adhésions@exemple.fr")).toBe(true);
  });

  it("refuses typos", () => {
    for (const bad of ["", "plain", "a@b", "a@@b.org", "a b@c.org", "a@b..org", "@example.org"]) {
      expect(isEmailAddress(bad), bad).toBe(false);
    }
  });
});

describe("infoChanges", () => {
  it("is null when nothing changed, ignoring surrounding spaces", () => {
    expect(infoChanges(form(), form({ name: " Spring " }))).toBeNull();
  });

  it("sends only the fields that changed", () => {
    expect(infoChanges(form(), form({ name: "Autumn" }))).toEqual({ name: "Autumn" });
  });

  it("clears the report address with an empty string", () => {
    const changes = infoChanges(form({ reportEmail: "a@example.org" }), form());
    expect(changes).toEqual({ report_email: "" });
  });

  it("includes a mode change", () => {
    expect(infoChanges(form(), form({ mode: "live" }))?.mode).toBe("live");
  });

  it("drops a field's error as soon as its value is fixed, and only then", () => {
    const shownFor = { name: "", reportEmail: "events@example", mode: "test" as const };
    const errors = { name: "Give the campaign a name.", reportEmail: "Enter an email address like name@example.org, or leave it empty." };
    expect(errorsStillShown(errors, shownFor, shownFor)).toEqual(errors);
    expect(errorsStillShown(errors, shownFor, { ...shownFor, name: "Gala" })).toEqual({ reportEmail: errors.reportEmail });
    expect(errorsStillShown(errors, shownFor, { ...shownFor, name: "   " })).toEqual(errors);
    expect(errorsStillShown(errors, shownFor, { ...shownFor, name: "Gala", reportEmail: "events@example.org" })).toEqual({});
    // The backend's conflict stays while the name is the one it refused, and goes once it changes.
    const conflict = { name: "A campaign named “Gala” already exists." };
    const gala = { ...shownFor, name: "Gala", reportEmail: "" };
    expect(errorsStillShown(conflict, gala, gala)).toEqual(conflict);
    expect(errorsStillShown(conflict, gala, { ...gala, name: "Gala 2" })).toEqual({});
  });
});

