// The app's pages and their hash URLs (#/campaigns, #/campaigns/7, #/campaigns/7/edit,
// #/campaigns/7/report, #/new, #/replies, #/settings, #/settings/twilio). Pure functions, so they are tested
// without a browser.

export type Route =
  | { page: "campaigns" }
  | { page: "campaign"; id: number }
  | { page: "new" }
  | { page: "edit"; id: number }
  | { page: "report"; id: number }
  | { page: "replies" }
  | { page: "settings"; section?: string }
  | { page: "not-found"; path: string };

function parseId(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return null;
  const id = Number(text);
  return id > 0 ? id : null;
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "").replace(/[?].*$/, "");
  const parts = path.split("/").filter((p) => p !== "");
  const [first, second, third, ...rest] = parts;
  if (rest.length > 0) return { page: "not-found", path };
  if (first === undefined) return { page: "campaigns" };
  if (first === "campaigns") {
    if (second === undefined) return { page: "campaigns" };
    const id = parseId(second);
    if (id !== null && third === undefined) return { page: "campaign", id };
    if (id !== null && third === "edit") return { page: "edit", id };
    if (id !== null && third === "report") return { page: "report", id };
  }
  if (first === "new" && second === undefined) return { page: "new" };
  if (first === "replies" && second === undefined) return { page: "replies" };
  if (first === "settings" && second === undefined) return { page: "settings" };
  // A section of Settings to open at (its group id: twilio, imis, smtp, …).
  if (first === "settings" && second !== undefined && third === undefined && /^[a-z]{1,20}$/.test(second)) {
    return { page: "settings", section: second };
  }
  return { page: "not-found", path };
}

export function href(route: Route): string {
  switch (route.page) {
    case "campaigns":
      return "#/campaigns";
    case "campaign":
      return `#/campaigns/${route.id}`;
    case "new":
      return "#/new";
    case "replies":
      return "#/replies";
    case "edit":
      return `#/campaigns/${route.id}/edit`;
    case "report":
      return `#/campaigns/${route.id}/report`;
    case "settings":
      return route.section === undefined ? "#/settings" : `#/settings/${route.section}`;
    case "not-found":
      return `#${route.path}`;
  }
}

/** Which sidebar item a page belongs to. */
export function section(route: Route): "campaigns" | "new" | "replies" | "settings" | null {
  switch (route.page) {
    case "campaigns":
    case "campaign":
    case "edit":
    case "report":
      return "campaigns";
    case "new":
      return "new";
    case "replies":
      return "replies";
    case "settings":
      return "settings";
    case "not-found":
      return null;
  }
}
