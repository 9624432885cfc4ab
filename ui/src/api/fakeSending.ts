// The fake backend's messages, and a stand-in for the sending engine (MOCK: deterministic, no
// randomness: row N always ends the same way, so tests can count on it).
import type { Campaign, MessageCounts, MessageRow, MessageStatus } from "./bindings";
import { HOSTILE_NAME } from "./fakeImis";

/** When the fake's opted-out numbers were put on the list, as the backend words it. */
export const OPTED_OUT_ON = "2 Nov 2026";

export const EMPTY_COUNTS: MessageCounts = {
  total: 0,
  preparing: 0,
  sent: 0,
  delivered: 0,
  undelivered: 0,
  failed: 0,
  error: 0,
  skipped: 0,
  canceled: 0,
};

/** Messages the fake engine hands to "Twilio" on each tick, per sending campaign. */
export const SEND_BATCH = 25;

export function countsOf(messages: readonly MessageRow[]): MessageCounts {
  const counts = { ...EMPTY_COUNTS, total: messages.length };
  for (const m of messages) counts[m.status] += 1;
  return counts;
}

/** One row of the audience as the engine records it before sending. */
export interface Recipient {
  imisId: string | null;
  name: string | null;
  phoneRaw: string | null;
  to: string | null;
  /** Preparing, or why it will never be sent. */
  status: "preparing" | "error" | "skipped";
  reason: string | null;
  segments: number;
}

/** The time zone of a few US and Canadian area codes (MOCK: the backend knows every prefix). */
const ZONE_BY_AREA: Readonly<Record<string, string>> = {
  "201": "America/New_York",
  "202": "America/New_York",
  "212": "America/New_York",
  "215": "America/New_York",
  "305": "America/New_York",
  "404": "America/New_York",
  "617": "America/New_York",
  "646": "America/New_York",
  "919": "America/New_York",
  "312": "America/Chicago",
  "612": "America/Chicago",
  "713": "America/Chicago",
  "303": "America/Denver",
  "602": "America/Phoenix",
  "206": "America/Los_Angeles",
  "415": "America/Los_Angeles",
  "503": "America/Los_Angeles",
  "702": "America/Los_Angeles",
  "907": "America/Anchorage",
  "808": "Pacific/Honolulu",
  "416": "America/Toronto",
  "514": "America/Toronto",
};

/** The recipient's time zone from their number (E.164); null when it cannot be told. */
export function zoneOfNumber(e164: string | null): string | null {
  if (e164 === null || !/^\+1\d{10}$/.test(e164)) return null;
  return ZONE_BY_AREA[e164.slice(2, 5)] ?? null;
}

export function newMessage(id: number, rowIndex: number, r: Recipient, at: string): MessageRow {
  return {
    id,
    row_index: rowIndex,
    imis_id: r.imisId,
    member_name: r.name,
    phone_raw: r.phoneRaw,
    to: r.to,
    status: r.status,
    status_reason: r.reason,
    twilio_status: null,
    twilio_sid: null,
    error_code: null,
    error_message: null,
    segments: r.segments,
    twilio_segments: null,
    price: null,
    price_unit: null,
    sent_at: null,
    updated_at: at,
    writeback: "not_needed",
    time_zone: zoneOfNumber(r.to),
    reply_kind: null,
  };
}

const FIRST = ["Ann", "José", "Zoë", "Priya", "Marcus", "Ingrid", "Chen", "Fatima", "Siobhán", "Kai", "Émilie", "Omar"];
const LAST = ["Brown", "García", "Nakamura", "Raman", "Lee", "Johansson", "Wei", "Zahra", "O’Neill", "Haddad", "Tremblay"];
const AREAS = ["201", "312", "415", "617", "206", "713", "404", "503"];

/** A made-up recipient for row `i` of a seeded campaign, optionally named with hostile markup. */
export function syntheticRecipient(i: number, segments: number, hostile = false): Recipient {
  const name = hostile ? HOSTILE_NAME : `${FIRST[i % FIRST.length] ?? ""} ${LAST[(i * 7) % LAST.length] ?? ""}`;
  const area = AREAS[i % AREAS.length] ?? "201";
  const line = String(1000 + ((i * 37) % 9000)).padStart(4, "0");
  return {
    imisId: String(10_000 + i),
    name,
    phoneRaw: `(${area}) 555-${line}`,
    to: `+1${area}555${line}`,
    status: "preparing",
    reason: null,
    segments,
  };
}

/** Why a seeded row was never sent. */
export function neverSent(r: Recipient, status: "error" | "skipped", i: number): Recipient {
  if (status === "error") {
    return { ...r, phoneRaw: i % 2 === 0 ? "N/A" : "555-0100", to: null, status, reason: i % 2 === 0 ? "invalid phone number: it contains letters" : "invalid phone number: too short or too long for US" };
  }
  return { ...r, status, reason: i % 3 === 0 ? `opted out on ${OPTED_OUT_ON}` : `duplicate of ${String(10_000 + Math.max(i - 1, 0))}` };
}

/** What Twilio says about row `i` in the end: mostly delivered, a few not (always the same rows). */
export function finalOutcome(i: number): { status: "delivered" | "undelivered" | "failed"; code: number | null } {
  if (i % 41 === 17) return { status: "undelivered", code: 30003 };
  if (i % 67 === 29) return { status: "undelivered", code: 30005 };
  if (i % 53 === 31) return { status: "failed", code: 30006 };
  return { status: "delivered", code: null };
}

const EXPLAIN: Record<number, string> = {
  20003: "Twilio refused Herald's credentials (Account SID, API key or Auth Token). Check them in Settings → Twilio.",
  30003: "The phone is switched off or out of reach.",
  30005: "The number is unknown to the carrier (it may no longer exist).",
  30006: "The number is a landline or its carrier cannot receive texts.",
};

/** What Twilio's error code means, in words (the backend's twilio::codes::explain). */
export function explainCode(code: number): string {
  return EXPLAIN[code] ?? `Twilio error ${String(code)}: see Twilio's error reference.`;
}

function sid(id: number): string {
  return `SM${(id * 2_654_435_761).toString(16).padStart(32, "0").slice(-32)}`;
}

/** Whether the campaign records its texts in iMIS (and so queues write-backs). */
export function writesBack(c: Pick<Campaign, "mode" | "write_back">): boolean {
  return c.mode === "live" && c.write_back !== "none";
}

/** Twilio accepted the message. */
export function markSent(m: MessageRow, at: string, writeBack: boolean): void {
  m.status = "sent";
  m.status_reason = null;
  m.twilio_status = "sent";
  m.twilio_sid = sid(m.id);
  m.twilio_segments = m.segments;
  m.sent_at = at;
  m.updated_at = at;
  if (writeBack) m.writeback = "pending";
}

/** Twilio's final status report for a sent message. */
export function markSettled(
  m: MessageRow,
  outcome: { status: "delivered" | "undelivered" | "failed"; code: number | null },
  at: string,
): void {
  m.status = outcome.status;
  m.twilio_status = outcome.status;
  m.error_code = outcome.code;
  m.error_message = outcome.code === null ? null : (EXPLAIN[outcome.code] ?? null);
  m.status_reason = m.error_message;
  if (outcome.status !== "failed") {
    m.price = (-0.0083 * m.segments).toFixed(4);
    m.price_unit = "USD";
  }
  m.updated_at = at;
}

export function markCanceled(m: MessageRow, at: string): void {
  m.status = "canceled";
  m.status_reason = "the campaign was canceled before this was sent";
  m.updated_at = at;
}

function seededCode(status: "delivered" | "undelivered" | "failed", i: number, failedCode = 30006): number | null {
  if (status === "delivered") return null;
  if (status === "failed") return failedCode;
  const own = finalOutcome(i);
  return own.status === "undelivered" ? own.code : 30003;
}

/**
 * Seeded messages matching `counts`: settled ones first (never-sent rows mixed in), then those
 * awaiting a report, then those still waiting to be sent, then the canceled ones.
 */
export function seedMessages(
  counts: Partial<Omit<MessageCounts, "total">>,
  options: {
    nextId: () => number;
    segments: number;
    startedAt: string;
    writeBack: boolean;
    /** Row whose member name is hostile markup. */
    hostileRow?: number;
    /** Twilio code of every failed message (30006 by default). */
    failedCode?: number;
    /** Rows whose write-back iMIS refused. */
    writebackFailedRows?: readonly number[];
  },
): MessageRow[] {
  const order: MessageStatus[] = [];
  const push = (status: MessageStatus, n = 0) => {
    for (let k = 0; k < n; k++) order.push(status);
  };
  const settled: MessageStatus[] = [];
  const spread = (status: MessageStatus, n = 0) => {
    for (let k = 0; k < n; k++) settled.push(status);
  };
  spread("delivered", counts.delivered);
  // Interleave the rarer outcomes through the delivered ones, evenly and always the same way.
  for (const status of ["undelivered", "failed", "error", "skipped"] as const) {
    const n = counts[status] ?? 0;
    for (let k = 0; k < n; k++) {
      const at = Math.floor(((k + 0.5) * (settled.length + 1)) / n);
      settled.splice(Math.min(at, settled.length), 0, status);
    }
  }
  order.push(...settled);
  push("sent", counts.sent);
  push("preparing", counts.preparing);
  push("canceled", counts.canceled);

  const start = Date.parse(options.startedAt);
  return order.map((status, i) => {
    const at = new Date(start + i * 1000).toISOString();
    let recipient = syntheticRecipient(i, options.segments, i === options.hostileRow);
    if (status === "error" || status === "skipped") recipient = neverSent(recipient, status, i);
    const m = newMessage(options.nextId(), i, recipient, at);
    if (status === "sent" || status === "delivered" || status === "undelivered" || status === "failed") {
      markSent(m, at, options.writeBack);
      if (status !== "sent") markSettled(m, { status, code: seededCode(status, i, options.failedCode) }, at);
      if (options.writeBack) {
        // The write-back worker keeps up: all done, bar the odd one still queued or refused.
        if (status === "failed") m.writeback = "not_needed";
        else if (options.writebackFailedRows?.includes(i)) m.writeback = "failed";
        else if (status === "delivered" || i % 160 !== 0) m.writeback = "done";
      }
    }
    if (status === "canceled") markCanceled(m, at);
    return m;
  });
}

export interface GeneratedOptions {
  firstId: number;
  /** When sending started, in ms since the epoch. */
  startedAt: number;
  writeBack: boolean;
  hostileRow?: number;
}

/** What the grid filters and sorts a generated row by, worked out without making the row. */
export interface GeneratedFacts {
  id: number;
  row_index: number;
  status: "delivered" | "undelivered" | "failed" | "error" | "skipped";
  error_code: number | null;
  member_name: string;
  imis_id: string;
  to: string | null;
  segments: number;
  /** ms since the epoch (ISO strings of one format sort the same way). */
  sent_at: number | null;
  updated_at: number;
}

/**
 * The facts of row `i` of a large, completed campaign, from its index alone (the same every
 * time): mostly delivered, a steady trickle of undelivered, failed, invalid and skipped ones,
 * one member named with hostile markup. Sent at 4 a second; the report comes seconds later.
 */
export function generatedFacts(i: number, options: GeneratedOptions): GeneratedFacts {
  const first = FIRST[i % FIRST.length] ?? "Ann";
  const last = LAST[(i * 7 + Math.floor(i / FIRST.length)) % LAST.length] ?? "Brown";
  const initial = String.fromCharCode(65 + ((i * 11) % 26));
  const rest = Math.floor(i / AREAS.length);
  const area = AREAS[i % AREAS.length] ?? "201";
  const exchange = String(200 + (rest % 800));
  const line = String((Math.floor(rest / 800) * 113 + i) % 10_000).padStart(4, "0");
  const never = i % 211 === 100 ? "error" : i % 157 === 40 ? "skipped" : null;
  const outcome = finalOutcome(i);
  const sentAt = options.startedAt + i * 250;
  return {
    id: options.firstId + i,
    row_index: i,
    status: never ?? outcome.status,
    error_code: never === null ? outcome.code : null,
    member_name: i === options.hostileRow ? HOSTILE_NAME : `${first} ${initial}. ${last}`,
    imis_id: String(200_000 + i),
    to: never === "error" ? null : `+1${area}${exchange}${line}`,
    segments: i % 9 === 4 ? 2 : 1,
    sent_at: never === null ? sentAt : null,
    updated_at: never === null ? sentAt + 2000 + (i % 7) * 900 : sentAt,
  };
}

/** Row `i` of a large, completed campaign (see generatedFacts), as the grid shows it. */
export function generatedMessage(i: number, options: GeneratedOptions): MessageRow {
  const facts = generatedFacts(i, options);
  const to = facts.to ?? "";
  let recipient: Recipient = {
    imisId: facts.imis_id,
    name: facts.member_name,
    phoneRaw: `(${to.slice(2, 5)}) ${to.slice(5, 8)}-${to.slice(8)}`,
    to: facts.to,
    status: "preparing",
    reason: null,
    segments: facts.segments,
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  if (facts.status === "error" || facts.status === "skipped") {
    recipient = neverSent(recipient, facts.status, i);
    return newMessage(facts.id, i, recipient, iso(facts.updated_at));
  }
  const m = newMessage(facts.id, i, recipient, iso(facts.sent_at ?? facts.updated_at));
  markSent(m, iso(facts.sent_at ?? facts.updated_at), options.writeBack);
  markSettled(m, { status: facts.status, code: facts.error_code }, iso(facts.updated_at));
  if (options.writeBack) m.writeback = facts.status === "failed" ? "not_needed" : "done";
  return m;
}
