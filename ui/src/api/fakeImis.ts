// MOCK ONLY: a small stand-in for the backend's demo iMIS directory
// (src-tauri/core/src/imis/catalog.rs), for `npm run build:mock` and component tests. Same
// folders, queries, columns and prompts; fewer, simpler members. Unlike the real demo dataset,
// one member's first name is an HTML tag, so the UI is always tested against hostile data.
import type { QueryColumn, QueryEntry, QueryInfo } from "./bindings";
import type { Table } from "./fakeCompose";

export const DEMO_FOLDER = "$/Herald Demo";
export const EVENTS_FOLDER = "$/Herald Demo/Events";
export const ALL_MEMBERS = "$/Herald Demo/All members";
export const EMAIL_LIST = "$/Herald Demo/Email list (no phone)";
export const LAPSED_MEMBERS = "$/Herald Demo/Lapsed members";
export const MEMBERS_BY_TYPE = "$/Herald Demo/Members by type";
export const CONFERENCE = "$/Herald Demo/Events/Conference 2026 attendees";

export const HOSTILE_NAME = "<img src=x onerror=alert(1)>";
export const MEMBER_TYPES = ["REG", "STU", "RET", "LIFE"] as const;

const FIRST = ["Jane", "John", "Maria", "José", "Zoë", "Chloé", "Björn", "Siobhán", "Aiko", "Omar", "Priya", "Kai 🌊"];
const LAST = ["Smith", "Johnson", "García", "Nguyen", "O’Neill", "Okafor", "Schmidt", "Tanaka", "Rossi", "Haddad"];
const TYPES = ["REG", "REG", "REG", "STU", "RET", "LIFE"];
const CHAPTERS = ["North", "South", "East", "West", "Central"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MEMBER_COUNT = 300;

interface Member {
  id: string;
  first: string;
  last: string;
  mobile: string;
  email: string;
  memberType: string;
  chapter: string;
  joined: string;
  duesBalance: string;
  events: string;
  active: boolean;
}

/** A tiny deterministic generator (the same members on every run). */
function rng(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % n;
  };
}

function pick<T>(items: readonly T[], below: (n: number) => number): T {
  const item = items[below(items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

function messyPhone(below: (n: number) => number): string {
  const roll = below(100);
  if (roll < 4) return "";
  if (roll < 5) return "N/A";
  if (roll < 6) return String(1000 + below(9000));
  const area = 200 + below(700);
  const line = String(below(10_000)).padStart(4, "0");
  switch (below(4)) {
    case 0:
      return `(${area}) 555-${line}`;
    case 1:
      return `${area}.555.${line}`;
    case 2:
      return `+1 ${area} 555 ${line}`;
    default:
      return `${area}-555-${line}`;
  }
}

function generateMembers(): Member[] {
  const below = rng(0x4e52_414c);
  const members: Member[] = [];
  let id = 10_000;
  for (let i = 0; i < MEMBER_COUNT; i++) {
    id += 1 + below(3);
    const previous = members[i - 1];
    // About one member in twelve shares a household phone with the one before.
    const family = previous !== undefined && below(100) < 8;
    const first = i === 7 ? HOSTILE_NAME : pick(FIRST, below);
    const last = family ? previous.last : pick(LAST, below);
    const mobile = family ? previous.mobile : messyPhone(below);
    const year = 1995 + below(30);
    members.push({
      id: String(id),
      first,
      last,
      mobile,
      email: below(100) < 6 ? "" : `member${id}@example.org`,
      memberType: pick(TYPES, below),
      chapter: pick(CHAPTERS, below),
      joined: `${pick(MONTHS, below)} ${1 + below(28)}, ${year}`,
      duesBalance: pick(["0", "125.50", "13280", String(below(500))], below),
      events: String(below(25)),
      active: below(100) < 90,
    });
  }
  return members;
}

let cached: Member[] | null = null;
function members(): Member[] {
  cached ??= generateMembers();
  return cached;
}

function entry(path: string, kind: QueryEntry["kind"]): QueryEntry {
  return { name: path.slice(path.lastIndexOf("/") + 1), path, kind };
}

/** Folders and queries directly inside `folder` ("$" is the top), or null for no such folder. */
export function folderEntries(folder: string): QueryEntry[] | null {
  switch (folder.trim().replace(/\/+$/, "")) {
    case "":
    case "$":
      return [entry(DEMO_FOLDER, "folder")];
    case DEMO_FOLDER:
      return [
        entry(EVENTS_FOLDER, "folder"),
        entry(ALL_MEMBERS, "query"),
        entry(EMAIL_LIST, "query"),
        entry(LAPSED_MEMBERS, "query"),
        entry(MEMBERS_BY_TYPE, "query"),
      ];
    case EVENTS_FOLDER:
      return [entry(CONFERENCE, "query")];
    default:
      return null;
  }
}

function column(alias: string, caption: string, property: string, dataType: string): QueryColumn {
  return { alias, caption, property, data_type: dataType };
}

function memberColumns(): QueryColumn[] {
  return [
    column("ID", "ID", "CsContact.Id", "String"),
    column("FirstName", "First Name", "CsContact.FirstName", "String"),
    column("LastName", "Last Name", "CsContact.LastName", "String"),
    column("FullName", "Full Name", "CsContact.FullName", "String"),
    column("Mobile", "Mobile Phone", "CsContact.MobilePhone", "String"),
    column("MemberType", "Member Type", "CsContact.MemberType", "String"),
    column("Chapter", "Chapter", "CsContact.Chapter", "String"),
    column("JoinDate", "Join Date", "CsContact.JoinDate", "DateTime"),
    column("DuesBalance", "Dues Balance", "CsContact.DuesBalance", "Decimal"),
    column("EventsAttended", "Events Attended", "CsContact.EventsAttended", "Int32"),
    column("IsActive", "Active", "CsContact.IsActive", "Boolean"),
  ];
}

/** A query's columns and prompts, or null for an unknown path. */
export function queryDefinition(path: string): QueryInfo | null {
  const trimmed = path.trim();
  const info = (columns: QueryColumn[], parameters: QueryInfo["parameters"] = []): QueryInfo => ({
    path: trimmed,
    name: trimmed.slice(trimmed.lastIndexOf("/") + 1),
    columns,
    parameters,
  });
  switch (trimmed) {
    case ALL_MEMBERS:
    case LAPSED_MEMBERS:
    case CONFERENCE:
      return info(memberColumns());
    case MEMBERS_BY_TYPE:
      return info(memberColumns(), [
        {
          name: "MemberType",
          prompt: "Member type",
          operation: "Equal",
          allow_multiple: false,
          values: [...MEMBER_TYPES],
        },
      ]);
    case EMAIL_LIST:
      return info([
        column("ID", "ID", "CsContact.Id", "String"),
        column("FullName", "Full Name", "CsContact.FullName", "String"),
        column("Email", "Email", "CsContact.Email", "String"),
      ]);
    default:
      return null;
  }
}

function value(m: Member, alias: string): string {
  switch (alias) {
    case "ID":
      return m.id;
    case "FirstName":
      return m.first;
    case "LastName":
      return m.last;
    case "FullName":
      return `${m.first} ${m.last}`.trim();
    case "Mobile":
      return m.mobile;
    case "Email":
      return m.email;
    case "MemberType":
      return m.memberType;
    case "Chapter":
      return m.chapter;
    case "JoinDate":
      return m.joined;
    case "DuesBalance":
      return m.duesBalance;
    case "EventsAttended":
      return m.events;
    case "IsActive":
      return m.active ? "Yes" : "No";
    default:
      return "";
  }
}

/** Runs a query with named parameters (an `eq:` style prefix is accepted); null for an unknown path. */
export function runQuery(path: string, params: Readonly<Record<string, string>>): Table | null {
  const info = queryDefinition(path);
  if (!info) return null;
  const columns = info.columns.map((c) => c.alias);
  const raw = params.MemberType ?? "";
  const wanted = (raw.includes(":") ? raw.slice(raw.indexOf(":") + 1) : raw).trim().toUpperCase();
  const keep = (m: Member, index: number): boolean => {
    switch (info.path) {
      case LAPSED_MEMBERS:
        return false;
      case CONFERENCE:
        return index % 3 === 0;
      case MEMBERS_BY_TYPE:
        return wanted === "" || m.memberType === wanted;
      default:
        return true;
    }
  };
  const rows = members()
    .filter(keep)
    .map((m) => columns.map((c) => value(m, c)));
  return { columns, rows };
}
