import { describe, expect, it } from "vitest";
import { href, parseHash, section, type Route } from "./routes";

describe("parseHash", () => {
  it("starts on the campaign list", () => {
    expect(parseHash("")).toEqual({ page: "campaigns" });
    expect(parseHash("#/")).toEqual({ page: "campaigns" });
    expect(parseHash("#/campaigns")).toEqual({ page: "campaigns" });
  });

  it("reads campaign ids, the edit page and the report", () => {
    expect(parseHash("#/campaigns/42")).toEqual({ page: "campaign", id: 42 });
    expect(parseHash("#/campaigns/42/edit")).toEqual({ page: "edit", id: 42 });
    expect(parseHash("#/campaigns/42/report")).toEqual({ page: "report", id: 42 });
    expect(parseHash("#/campaigns/0/report").page).toBe("not-found");
    expect(parseHash("#/campaigns/42/report/x").page).toBe("not-found");
  });

  it("rejects ids that are not positive whole numbers", () => {
    for (const bad of ["#/campaigns/0", "#/campaigns/-1", "#/campaigns/1.5", "#/campaigns/abc", "#/campaigns/1/delete"]) {
      expect(parseHash(bad).page).toBe("not-found");
    }
  });

  it("knows the other pages", () => {
    expect(parseHash("#/new")).toEqual({ page: "new" });
    expect(parseHash("#/replies")).toEqual({ page: "replies" });
    expect(parseHash("#/replies/x").page).toBe("not-found");
    expect(parseHash("#/settings")).toEqual({ page: "settings" });
    expect(parseHash("#/settings/twilio")).toEqual({ page: "settings", section: "twilio" });
    expect(parseHash("#/settings/Twilio!").page).toBe("not-found");
    expect(parseHash("#/settings/twilio/x").page).toBe("not-found");
    expect(parseHash("#/nope")).toEqual({ page: "not-found", path: "/nope" });
  });

  it("round-trips with href", () => {
    const routes: Route[] = [
      { page: "campaigns" },
      { page: "campaign", id: 7 },
      { page: "edit", id: 7 },
      { page: "report", id: 7 },
      { page: "new" },
      { page: "replies" },
      { page: "settings" },
      { page: "settings", section: "smtp" },
    ];
    for (const route of routes) expect(parseHash(href(route))).toEqual(route);
  });
});

describe("section", () => {
  it("highlights Campaigns for a campaign's pages", () => {
    expect(section({ page: "campaign", id: 1 })).toBe("campaigns");
    expect(section({ page: "edit", id: 1 })).toBe("campaigns");
    expect(section({ page: "report", id: 1 })).toBe("campaigns");
    expect(section({ page: "new" })).toBe("new");
    expect(section({ page: "replies" })).toBe("replies");
    expect(section({ page: "settings", section: "twilio" })).toBe("settings");
  });
});
