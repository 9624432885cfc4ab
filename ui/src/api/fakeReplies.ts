// Replies and the opt-out list for the fake backend, behaving as the Rust store does: a
// reply is classified once, STOP puts the number on the sender's list, START takes it off,
// staff confirm a possible opt-out, add and remove (with a reason), import and export.
import type {
  AppError,
  ErrorCode,
  ImportReport,
  OptOut,
  OptOutChange,
  Reply,
  ReplyKind,
  ReplyQuery,
  ReportCount,
  SyncReport,
} from "./bindings";

function fail(code: ErrorCode, message: string): never {
  const error: AppError = { code, message };
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw error;
}

const OPT_OUT = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
const OPT_IN = ["START", "YES", "UNSTOP"];
const HELP = ["HELP", "INFO"];
const POSSIBLE = [
  "opt out",
  "opt me out",
  "optout",
  "unsubscribe",
  "unsub",
  "remove me",
  "remove my number",
  "take me off",
  "take my number off",
  "stop texting",
  "stop sending",
  "stop messaging",
  "stop contacting",
  "stop text",
  "stop it",
  "stop please",
  "please stop",
  "no more texts",
  "no more messages",
  "do not text",
  "dont text",
  "wrong number",
];

/**
 * The same rules as the backend's classifier (src-tauri/core/src/replies/classify.rs), for
 * the fake; both are checked against tests/fixtures/reply-kinds.json.
 */
export function classifyReply(body: string): ReplyKind {
  const key = body
    .trim()
    .replace(/[\s!-/:-@[-`{-~]+$/u, "")
    .replace(/^[\s"'“‘]+/u, "")
    .toUpperCase();
  if (OPT_OUT.includes(key)) return "opt_out";
  if (OPT_IN.includes(key)) return "opt_in";
  if (HELP.includes(key)) return "help";
  const words = ` ${body.toLowerCase().replace(/['’]/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim()} `;
  if (POSSIBLE.some((p) => words.includes(` ${p} `))) return "possible_opt_out";
  if (words.startsWith(" stop ") && words.trim().split(" ").length <= 3) return "possible_opt_out";
  return "reply";
}

export interface IncomingReply {
  from: string;
  body: string;
  at: string;
  campaignId: number | null;
  campaignName: string | null;
  memberName: string | null;
  imisId: string | null;
  /** Made up by TEST mode for a TEST campaign: it speaks only to the TEST list. */
  simulated?: boolean;
}

const SENDER = "+15005550006";
/** TEST mode's list (as the backend's `TEST_SENDER`): only TEST campaigns read it. */
export const TEST_SENDER = "test";

/** A number as E.164 the way the fake accepts it: +1 and ten digits, or + and 8–15 digits. */
function e164(raw: string): string | null {
  const digits = raw.replace(/\D/g, "");
  if (raw.trim().startsWith("+") && digits.length >= 8 && digits.length <= 15) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith("1")) return `+${digits}`;
  return null;
}

export class FakeReplies {
  private readonly replies: Reply[] = [];
  private readonly list: OptOut[] = [];
  private readonly changes: OptOutChange[] = [];
  private nextId = 1;
  /** Replies Twilio holds that the next "Check for replies" reads. */
  private readonly waiting: IncomingReply[] = [];

  constructor(private readonly now: () => Date) {}

  /** A reply arrives at Twilio (read by the next check). */
  queue(reply: IncomingReply): void {
    this.waiting.push(reply);
  }

  /** A reply already read and stored. */
  store(reply: IncomingReply): Reply {
    const kind = classifyReply(reply.body);
    const simulated = reply.simulated === true;
    const sender = simulated ? TEST_SENDER : SENDER;
    const stored: Reply = {
      id: this.nextId++,
      sid: `SM${String(this.nextId).padStart(32, "0")}`,
      from_e164: reply.from,
      to_number: SENDER,
      sender,
      body: reply.body,
      received_at: reply.at,
      kind,
      campaign_id: reply.campaignId,
      campaign_name: reply.campaignName,
      member_name: reply.memberName,
      imis_id: reply.imisId,
      confirmed_at: null,
      simulated,
    };
    this.replies.push(stored);
    if (kind === "opt_out") this.addEntry(sender, reply.from, "replied_stop", reply.body, reply.at, reply.campaignId, stored.id);
    if (kind === "opt_in") {
      for (const o of this.list.filter((x) => x.phone_e164 === reply.from && x.sender === sender)) {
        this.removeEntry(o, "replied_start", reply.body);
      }
    }
    return stored;
  }

  check(): SyncReport {
    const report: SyncReport = {
      sender: SENDER,
      since: this.now().toISOString().slice(0, 10),
      requests: 1,
      listed: this.waiting.length,
      stored: 0,
      known: 0,
      opted_out: 0,
      opted_in: 0,
      to_confirm: 0,
      writebacks: 0,
    };
    for (const r of this.waiting.splice(0)) {
      const stored = this.store(r);
      report.stored += 1;
      if (stored.kind === "opt_out") report.opted_out += 1;
      if (stored.kind === "opt_in") report.opted_in += 1;
      if (stored.kind === "possible_opt_out") report.to_confirm += 1;
    }
    return report;
  }

  query(q: ReplyQuery): Reply[] {
    const search = (q.search ?? "").trim().toLowerCase();
    return this.replies
      .filter((r) => q.campaign_id === null || r.campaign_id === q.campaign_id)
      .filter((r) => q.kind === null || r.kind === q.kind)
      .filter(
        (r) =>
          search === "" ||
          r.body.toLowerCase().includes(search) ||
          (r.member_name ?? "").toLowerCase().includes(search) ||
          r.from_e164.includes(search),
      )
      .sort((a, b) => b.received_at.localeCompare(a.received_at) || b.id - a.id)
      .slice(0, q.limit === 0 ? 1000 : q.limit);
  }

  /** What `from` last texted back to a campaign, if anything. */
  lastKind(campaignId: number, from: string): ReplyKind | null {
    let last: Reply | null = null;
    for (const r of this.replies) {
      if (r.campaign_id !== campaignId || r.from_e164 !== from) continue;
      if (last === null || r.received_at > last.received_at || (r.received_at === last.received_at && r.id > last.id)) last = r;
    }
    return last?.kind ?? null;
  }

  /** A campaign's replies by kind, as the report names them (kinds with none left out). */
  countsFor(campaignId: number): ReportCount[] {
    const labels: [ReplyKind, string][] = [
      ["opt_out", "Opted out (replied STOP)"],
      ["possible_opt_out", "Asked to stop in their own words (confirm in Herald)"],
      ["opt_in", "Opted back in (replied START)"],
      ["help", "Asked for help (HELP)"],
      ["reply", "Other replies"],
    ];
    return labels
      .map(([kind, label]) => ({
        label,
        count: this.replies.filter((r) => r.campaign_id === campaignId && r.kind === kind).length,
      }))
      .filter((c) => c.count > 0);
  }

  confirm(id: number): boolean {
    const reply = this.replies.find((r) => r.id === id) ?? fail("not_found", `reply ${id} does not exist`);
    if (reply.kind === "opt_in") fail("invalid", "this reply asks to be texted again; it cannot be an opt-out");
    if (reply.confirmed_at !== null) return false;
    reply.confirmed_at = this.now().toISOString();
    return this.addEntry(reply.sender, reply.from_e164, "confirmed_reply", reply.body, reply.confirmed_at, reply.campaign_id, id);
  }

  optOuts(): OptOut[] {
    return [...this.list].sort((a, b) => a.added_at.localeCompare(b.added_at) || a.phone_e164.localeCompare(b.phone_e164));
  }

  history(phone: string | null): OptOutChange[] {
    return this.changes.filter((c) => phone === null || c.phone_e164 === phone).reverse();
  }

  add(raw: string, note: string | null): string {
    const number = e164(raw) ?? fail("invalid", `“${raw.trim()}” cannot be added: this does not look like a phone number.`);
    if (!this.addEntry("*", number, "manual", note, this.now().toISOString(), null, null)) {
      fail("conflict", `${number} is already on the opt-out list.`);
    }
    return number;
  }

  remove(sender: string, phone: string, reason: string): void {
    if (reason.trim() === "") fail("invalid", "say why the number may be texted again (for example \"asked in person to be texted again\")");
    const entry =
      this.list.find((o) => o.sender === sender && o.phone_e164 === phone) ??
      fail("not_found", "the opt-out list entry does not exist");
    this.removeEntry(entry, "manual", reason.trim());
  }

  import(content: string): ImportReport {
    const lines = content.split(/\r?\n/).filter((l) => l.trim() !== "");
    const header = (lines[0] ?? "").split(",").map((c) => c.trim().toLowerCase());
    const col = header.findIndex((c) => ["phone", "number", "mobile", "cell"].includes(c));
    if (col === -1) fail("invalid", `no column of phone numbers: name it Phone, Number or Mobile (the file's columns: ${header.join(", ")})`);
    const report: ImportReport = { added: 0, already: 0, problems: [] };
    lines.slice(1).forEach((line, i) => {
      const value = line.split(",")[col] ?? "";
      const number = e164(value);
      if (number === null) {
        report.problems.push({ row: i + 2, value, why: "this does not look like a phone number" });
      } else if (this.addEntry("*", number, "import", null, this.now().toISOString(), null, null)) {
        report.added += 1;
      } else {
        report.already += 1;
      }
    });
    return report;
  }

  private addEntry(
    sender: string,
    phone: string,
    source: OptOut["source"],
    note: string | null,
    at: string,
    campaignId: number | null,
    replyId: number | null,
  ): boolean {
    if (this.list.some((o) => o.sender === sender && o.phone_e164 === phone)) return false;
    this.list.push({ sender, phone_e164: phone, source, campaign_id: campaignId, reply_id: replyId, note, added_at: at });
    this.changes.push({ sender, phone_e164: phone, change: "added", source, reason: note, at });
    return true;
  }

  private removeEntry(entry: OptOut, source: string, reason: string | null): void {
    this.list.splice(this.list.indexOf(entry), 1);
    this.changes.push({
      sender: entry.sender,
      phone_e164: entry.phone_e164,
      change: "removed",
      source,
      reason,
      at: this.now().toISOString(),
    });
  }
}
