// An in-memory stand-in for Herald's Rust backend, for `npm run build:mock` and component tests.
// It answers the same commands as src/api/bindings.ts, by their snake_case IPC names, and
// rejects with the same `{ code, message }` shape the real one does.
import type {
  ActivityTypeCheck,
  AppError,
  AppInfo,
  AudiencePreview,
  AudienceSource,
  Campaign,
  CampaignDetail,
  CampaignEvent,
  CampaignListItem,
  CampaignStatus,
  DraftChanges,
  DraftSummary,
  ErrorCode,
  ImisConnectionReport,
  Json,
  MessageCounts,
  MessagePage,
  MessageQuery,
  MessageRow,
  MessageStatus,
  NewCampaign,
  OutboxEntry,
  Preflight,
  PreflightCheck,
  QueryEntry,
  QueryImport,
  QueryInfo,
  ReplyQuery,
  ReportView,
  RowList,
  SecretStatus,
  SendingStats,
  SendPlan,
  SettingEntry,
  SettingKind,
  TestText,
  Actor,
  WindowSpec,
  WindowWait,
  WriteBackStatus,
  ZoneCount,
} from "./bindings";
import {
  analyze,
  countSegments,
  guessColumn,
  ID_NAMES,
  nameOf,
  normalizePhone,
  parseCsv,
  parseTemplate,
  PHONE_NAMES,
  type Table,
} from "./fakeCompose";
import { folderEntries, queryDefinition, runQuery } from "./fakeImis";
import { FakeReplies } from "./fakeReplies";
import { arraySource, errorCounts, exportFileName, generatedSource, gridAll, gridPage, timelinePoints, type MessageSource } from "./fakeGrid";
import {
  OPTED_OUT_ON,
  countsOf,
  finalOutcome,
  generatedFacts,
  generatedMessage,
  markCanceled,
  markSent,
  markSettled,
  newMessage,
  seedMessages,
  SEND_BATCH,
  syntheticRecipient,
  writesBack,
  zoneOfNumber,
  type Recipient,
} from "./fakeSending";
import { cleanWindow, isOpen, nextOpen, parseWindowDays, parseWindowTime, WindowError, waitInWords, windowWait } from "./fakeWindow";
import { isKnownZone } from "../lib/zones";

type Args = Record<string, unknown>;

function fail(code: ErrorCode, message: string): never {
  const error: AppError = { code, message };
  // The IPC layer rejects with the serialised error object, not an Error instance.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw error;
}

interface SettingDef {
  key: string;
  kind: SettingKind;
  default: Json;
  choices?: string[];
  description: string;
}

export const SETTING_DEFS: readonly SettingDef[] = [
  { key: "imis.base_url", kind: "url", default: "", description: "Address of your iMIS site, including any virtual directory." },
  { key: "imis.username", kind: "text", default: "", description: "iMIS user that runs the IQA queries and writes the activities." },
  { key: "imis.ceu_type_column", kind: "text", default: "CATEGORY", description: "Activity column that the TEXTMSG type labels “CEU Type”." },
  { key: "twilio.base_url", kind: "url", default: "https://api.twilio.com", description: "Twilio REST API address; change only for testing." },
  { key: "twilio.account_sid", kind: "text", default: "", description: "Your Twilio Account SID (starts with AC)." },
  { key: "twilio.api_key_sid", kind: "text", default: "", description: "API Key SID (starts with SK); leave empty to use the Auth Token." },
  { key: "twilio.from", kind: "text", default: "", description: "Sender phone number in E.164 form, e.g. +15551234567." },
  { key: "twilio.messaging_service_sid", kind: "text", default: "", description: "Messaging Service SID (starts with MG), used instead of a From number." },
  { key: "twilio.sender_type", kind: "choice", default: "long_code", choices: ["long_code", "toll_free", "short_code", "messaging_service"], description: "Kind of sender; sets the default send rate." },
  { key: "twilio.rate_per_second", kind: "number", default: 1, description: "Segments sent per second; never exceeded." },
  { key: "twilio.daily_segment_cap", kind: "integer", default: 10000, description: "Max segments per day across all campaigns." },
  { key: "twilio.cap_day_zone", kind: "text", default: "UTC", description: "Time zone whose midnight starts a new day for the daily limit (UTC unless your carrier counts otherwise)" },
  { key: "price_per_segment", kind: "number", default: 0.0083, description: "Price of one segment in USD, for cost estimates." },
  { key: "phone.default_region", kind: "text", default: "US", description: "Country assumed for numbers without a country code (ISO code)." },
  { key: "campaign.settle_minutes", kind: "integer", default: 30, description: "Minutes to wait for late delivery reports before a campaign is completed." },
  { key: "campaign.catch_up", kind: "choice", default: "start", choices: ["start", "ask"], description: "What to do with a campaign whose scheduled time passed while Herald was closed." },
  { key: "campaign.confirm_typed_above", kind: "integer", default: 1000, description: "Above this many recipients, a LIVE send is confirmed by typing the count." },
  { key: "campaign.test_text_to", kind: "text", default: "", description: "Your mobile number, for test texts of a message." },
  { key: "notify.paused", kind: "choice", default: "on", choices: ["on", "off"], description: "Desktop notification when a campaign pauses by itself." },
  { key: "notify.completed", kind: "choice", default: "on", choices: ["on", "off"], description: "Desktop notification when a campaign completes." },
  { key: "notify.report_failed", kind: "choice", default: "on", choices: ["on", "off"], description: "Desktop notification when a report email cannot be sent." },
  { key: "notify.writeback_failed", kind: "choice", default: "on", choices: ["on", "off"], description: "Desktop notification when recording texts in iMIS gives up." },
  { key: "notify.replies", kind: "choice", default: "on", choices: ["on", "off"], description: "Desktop notification when members reply to a campaign (once per check, with how many opted out)." },
  { key: "window.enabled", kind: "choice", default: "on", choices: ["on", "off"], description: "Send only inside the sending window (on), or at any hour (off)" },
  { key: "window.start", kind: "text", default: "09:00", description: "Earliest time a text may arrive, in the member's own time zone" },
  { key: "window.end", kind: "text", default: "20:00", description: "Time after which no text arrives, in the member's own time zone" },
  { key: "window.days", kind: "text", default: "mon,tue,wed,thu,fri,sat,sun", description: "Days texts may arrive (mon…sun; sun_from_noon: Sunday from 12:00)" },
  { key: "window.fallback_zone", kind: "text", default: "", description: "Time zone for members whose zone is unknown (your organisation's); empty: this computer's" },
  { key: "smtp.host", kind: "text", default: "", description: "Mail server that sends the campaign reports." },
  { key: "smtp.port", kind: "integer", default: 587, description: "Mail server port." },
  { key: "smtp.security", kind: "choice", default: "starttls", choices: ["starttls", "tls", "none"], description: "Connection security; “none” only to localhost." },
  { key: "smtp.username", kind: "text", default: "", description: "Mail server user name." },
  { key: "smtp.from", kind: "text", default: "", description: "Address the reports are sent from." },
];

/** The secrets the backend knows, in its order (SecretName::ALL). */
export const SECRET_NAMES: readonly string[] = [
  "imis.password",
  "twilio.auth_token",
  "twilio.api_key_secret",
  "smtp.password",
];

interface Options {
  /** The demo workspace (default): TEST only, until an iMIS address is set (as the backend's is_demo). */
  demo?: boolean;
  /** The current time; tests pass a fixed one. */
  now?: () => Date;
  /** Called after every change to the campaign list, like the backend's `campaigns-changed` event. */
  onCampaignsChanged?: (campaignId: number | null) => void;
  /** Called after every change to a setting or a secret, like the backend's `settings-changed` event. */
  onSettingsChanged?: () => void;
  /** Start with no campaigns at all (and no stored secrets). */
  empty?: boolean;
  /** Act as if the keychain cannot be reached, with this message (e.g. no Secret Service). */
  keychainError?: string;
  /** Whether iMIS has the TEXTMSG activity type (default: it has). */
  textmsg?: boolean;
  /** Act as if every iMIS call fails with this message (wrong password, server down, …). */
  imisError?: string;
  /** Run the fake sending engine every this many milliseconds (mock mode); tests call tick(). */
  sendEveryMs?: number;
  /** Called when Quit is chosen while campaigns are sending, like the backend's `quit-requested`. */
  onQuitRequested?: (sending: string[]) => void;
  /** Also seed a completed campaign of this many messages, made on demand (mock mode: 250,000). */
  largeCampaign?: number;
  /**
   * Honour sending windows in time (mock mode): the engine holds back texts whose recipients'
   * window is closed, the dashboard says what waits, and the summary's plan starts when a
   * window opens. Off by default, so tests do not depend on the hour they run at.
   */
  windows?: boolean;
}

interface Stored {
  campaign: Campaign;
  /** Recorded when sending starts (seeded ones already have theirs), in audience order. */
  messages: MessageRow[];
  /** A large seeded campaign's messages, made from their index instead of stored (then `messages` is empty). */
  generated?: MessageSource & { counts: () => MessageCounts };
}

/** Why a row of the audience will not be sent, by the summary list it lands in. */
interface Exclusion {
  list: "invalid" | "duplicates" | "opted_out" | "empty_values";
  reason: string;
}

/** One audience row as scheduling it would prepare it. */
interface PreparedRow {
  index: number;
  imisId: string;
  name: string | null;
  rawPhone: string;
  e164: string | null;
  exclusion: Exclusion | null;
  segments: number;
  ucs2: boolean;
}

interface Snapshot {
  table: Table;
  fetchedAt: string;
  sourceName: string | null;
}

/** Rows of the summary's lists, as the backend's LIST_LIMIT. */
const LIST_LIMIT = 500;
const PREVIEW_ROWS = 20;
/** Segments other campaigns have sent or reserved today (the seeded "sending" one). */
const USED_TODAY = 2750;
const OPTED_OUT = new Set(["+12025550147", "+13125550188"]);
/** The zone of members whose own is unknown when none is set (MOCK: "this computer's"). */
const FALLBACK_ZONE = "America/New_York";
/** The Settings' window when nothing is set: 9:00 to 20:00 every day. */
const DEFAULT_WINDOW: WindowSpec = {
  start: "09:00",
  end: "20:00",
  days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
  enabled: true,
};

export class FakeBackend {
  private readonly campaigns = new Map<number, Stored>();
  private readonly events: CampaignEvent[] = [];
  private readonly settings = new Map<string, Json>();
  private readonly snapshots = new Map<number, Snapshot>();
  /** The names of the stored secrets. Write-only like the real keychain seen from the window: the
   *  values are not even kept, so nothing here can ever hand one back. */
  private readonly secrets = new Set<string>();
  private readonly keychainError: string | null;
  private nextId = 1;
  private nextEventId = 1;
  private nextMessageId = 1;
  /** The report emails, oldest first (report_outbox answers newest first). */
  private readonly outbox: OutboxEntry[] = [];
  /** The test texts "sent", oldest first. */
  private readonly testTexts: TestText[] = [];
  /** Replies members texted back, and the opt-out list. */
  readonly replies: FakeReplies;
  private nextOutboxId = 1;
  /** The CSV exports asked for (the mock writes no file): where, how many rows, with which query. */
  readonly exports: { path: string; rows: number; query: MessageQuery }[] = [];
  /** Whether the person cancels the next Save dialogs (export_messages_csv then answers null). */
  cancelExports = false;
  /** The paths "Show in folder" was asked for, in order. */
  readonly shownInFolder: string[] = [];
  /** How many times print_window was called (the mock opens no print dialog). */
  prints = 0;
  /** How many times quit_app was called (the mock cannot close the window). */
  quits = 0;
  /** Started as the demo workspace: it stays one until an iMIS address is set. */
  private readonly demoWorkspace: boolean;
  /** Whether iMIS has the TEXTMSG activity type; tests may flip it between calls. */
  textmsg: boolean;
  /** When set, every iMIS call fails with this message; tests may set or clear it between calls. */
  imisError: string | null;
  /** How the next test texts end (Twilio accepts them unless a test says otherwise). */
  testTextOutcome: Pick<TestText, "state" | "detail"> = { state: "sent", detail: null };
  private readonly now: () => Date;
  private readonly notify: (campaignId: number | null) => void;
  private readonly settingsChanged: () => void;
  private readonly quitRequested: (sending: string[]) => void;
  /** Whether sending windows are honoured in time (see Options.windows). */
  private readonly windows: boolean;

  constructor(options: Options = {}) {
    this.demoWorkspace = options.demo ?? true;
    this.now = options.now ?? (() => new Date());
    this.replies = new FakeReplies(this.now);
    this.notify = options.onCampaignsChanged ?? (() => undefined);
    this.settingsChanged = options.onSettingsChanged ?? (() => undefined);
    this.keychainError = options.keychainError ?? null;
    this.textmsg = options.textmsg ?? true;
    this.imisError = options.imisError ?? null;
    this.quitRequested = options.onQuitRequested ?? (() => undefined);
    this.windows = options.windows ?? false;
    if (!options.empty) this.seed();
    if (!options.empty && options.largeCampaign !== undefined) this.seedLarge(options.largeCampaign);
    if (options.sendEveryMs !== undefined) {
      setInterval(() => {
        this.tick();
      }, options.sendEveryMs);
    }
  }

  /** The demo workspace (TEST only): no iMIS address is set, as the backend's Settings::is_demo. */
  get demo(): boolean {
    const url = this.settings.get("imis.base_url");
    return this.demoWorkspace && (typeof url !== "string" || url === "");
  }

  /** Answers one IPC call. */
  handle(cmd: string, args: Args = {}): unknown {
    switch (cmd) {
      case "app_info":
        return { version: "0.1.0-mock", data_dir: "/tmp/herald-mock", demo: this.demo } satisfies AppInfo;
      case "list_campaigns":
        return this.listCampaigns();
      case "get_campaign":
        return this.detail(this.get(num(args, "id")));
      case "campaign_events":
        this.get(num(args, "id"));
        return this.events.filter((e) => e.campaign_id === args.id);
      case "create_campaign":
        return this.create(args.input as NewCampaign);
      case "update_draft":
        return this.updateDraft(num(args, "id"), args.changes as DraftChanges);
      case "delete_draft":
        return this.deleteDraft(num(args, "id"));
      case "duplicate_campaign":
        return this.duplicate(num(args, "id"));
      case "schedule_campaign":
        return this.schedule(
          num(args, "id"),
          (args.at as string | null | undefined) ?? null,
          (args.confirmedRecipients as number | null | undefined) ?? null,
        );
      case "unschedule_campaign":
        return this.transition(num(args, "id"), ["scheduled"], "draft", "unscheduled", (c) => {
          c.scheduled_at = null;
        });
      case "pause_campaign":
        return this.pause(num(args, "id"));
      case "resume_campaign":
        return this.resume(num(args, "id"));
      case "cancel_campaign":
        return this.cancel(num(args, "id"));
      case "campaign_messages":
        return this.messagesPage(num(args, "id"), num(args, "offset"), num(args, "limit"));
      case "start_campaign_now":
        return this.transition(num(args, "id"), ["scheduled"], "scheduled", "start_now", (c) => {
          c.scheduled_at = this.now().toISOString();
        });
      case "retry_failed":
        return this.retryFailed(num(args, "id"));
      case "campaign_preflight":
        return this.preflight(num(args, "id"));
      case "send_test_text":
        return this.sendTestText(num(args, "id"), str(args, "to"), (args.asImisId as string | null | undefined) ?? null);
      case "campaign_test_texts":
        this.get(num(args, "id"));
        return this.testTexts.filter((t) => t.campaign_id === args.id).reverse();
      case "campaign_grid":
        return this.grid(num(args, "id"), query(args));
      case "campaign_error_codes":
        return errorCounts(this.sourceOf(this.get(num(args, "id"))));
      case "campaign_timeline":
        return timelinePoints(this.sourceOf(this.get(num(args, "id"))));
      case "campaign_stats":
        return this.stats(num(args, "id"));
      case "export_messages_csv":
        return this.exportCsv(num(args, "id"), query(args));
      case "show_in_folder":
        return this.showInFolder(str(args, "path"));
      case "campaign_report":
        return this.report(num(args, "id"));
      case "print_window":
        this.prints += 1;
        return null;
      case "report_outbox":
        return this.reportOutbox(num(args, "id"));
      case "resend_report":
        return this.resendReport(num(args, "id"));
      case "test_smtp_connection":
        return this.testSmtp();
      case "quit_app":
        this.quits += 1;
        return null;
      case "archive_campaign":
        return this.archive(num(args, "id"));
      case "unarchive_campaign":
        return this.unarchive(num(args, "id"));
      case "import_csv_audience":
        return this.importCsv(num(args, "id"), str(args, "fileName"), str(args, "content"));
      case "audience_preview":
        return this.audiencePreview(num(args, "id"));
      case "imis_list_folder":
        return this.listFolder(str(args, "folder"));
      case "imis_query_definition":
        return this.queryDefinition(str(args, "path"));
      case "import_query_audience":
        return this.importQuery(num(args, "id"), str(args, "path"), stringMap(args, "params"));
      case "imis_activity_type_check":
        return this.activityTypeCheck();
      case "test_imis_connection":
        return this.testConnection();
      case "test_twilio_connection":
        return this.testTwilio();
      case "list_replies":
        return this.replies.query(args.query as ReplyQuery);
      case "confirm_opt_out": {
        const added = this.replies.confirm(num(args, "replyId"));
        this.notify(null);
        return added;
      }
      case "check_replies": {
        const report = this.replies.check();
        this.notify(null);
        return report;
      }
      case "list_opt_outs":
        return this.replies.optOuts();
      case "opt_out_history":
        return this.replies.history((args.phone as string | null | undefined) ?? null);
      case "add_opt_out":
        return this.replies.add(str(args, "number"), (args.note as string | null | undefined) ?? null);
      case "remove_opt_out":
        this.replies.remove(str(args, "sender"), str(args, "phone"), str(args, "reason"));
        return null;
      case "import_opt_outs":
        return this.replies.import(str(args, "content"));
      case "export_opt_outs":
        return "/home/staff/Downloads/Opt-out list.csv";
      case "writeback_status":
        return this.writebackStatus((args.campaign as number | null | undefined) ?? null);
      case "analyze_message":
        return analyze(str(args, "template"), strings(args, "columns"), strings(args, "values"));
      case "first_paint":
        return 0;
      case "draft_summary":
        return this.draftSummary(num(args, "id"), (args.at as string | null | undefined) ?? null);
      case "list_settings":
        return SETTING_DEFS.map((def) => this.entry(def));
      case "set_setting":
        return this.changedSettings(this.setSetting(str(args, "key"), str(args, "value")));
      case "reset_setting": {
        const def = this.def(str(args, "key"));
        this.settings.delete(def.key);
        return this.changedSettings(this.entry(def));
      }
      case "secret_status":
        return SECRET_NAMES.map((name) => this.secretStatus(name));
      case "set_secret":
        return this.changedSettings(this.setSecret(str(args, "name"), str(args, "value")));
      case "delete_secret":
        return this.changedSettings(this.deleteSecret(str(args, "name")));
      default:
        return fail("internal", `command ${cmd} not found`);
    }
  }

  // --- campaigns -------------------------------------------------------------------------

  private listCampaigns(): CampaignListItem[] {
    return [...this.campaigns.values()].map((stored) => {
      const c = stored.campaign;
      const counts = this.countsFor(stored);
      return {
      id: c.id,
      name: c.name,
      status: c.status,
      mode: c.mode,
      audience_size: counts.total > 0 ? counts.total : c.summary_audience,
      counts: { ...counts },
      delivered_rate: deliveredRate(counts),
      scheduled_at: c.scheduled_at,
      started_at: c.started_at,
      completed_at: c.completed_at,
      created_at: c.created_at,
      updated_at: c.updated_at,
      };
    });
  }

  private get(id: number): Stored {
    const stored = this.campaigns.get(id);
    if (!stored) fail("not_found", `Campaign ${id} does not exist.`);
    return stored;
  }

  private detail(stored: Stored): CampaignDetail {
    const counts = this.countsFor(stored);
    return { ...structuredClone(stored.campaign), counts, delivered_rate: deliveredRate(counts) };
  }

  private sourceOf(stored: Stored): MessageSource {
    return stored.generated ?? arraySource(stored.messages);
  }

  private countsFor(stored: Stored): MessageCounts {
    return stored.generated ? stored.generated.counts() : countsOf(stored.messages);
  }

  // --- the dashboard: grid, export, report email ------------------------------------------

  private grid(id: number, q: MessageQuery): MessagePage {
    const page = gridPage(this.sourceOf(this.get(id)), q);
    // What each member last texted back to this campaign, as the backend's query adds it.
    for (const row of page.rows) row.reply_kind = row.to === null ? null : this.replies.lastKind(id, row.to);
    return page;
  }

  /** A follow-up campaign, scheduled now, to the failed and undelivered recipients (store::create_retry_campaign). */
  private retryFailed(id: number): number {
    const stored = this.get(id);
    const source = this.sourceOf(stored);
    const again: MessageRow[] = [];
    for (let i = 0; i < source.size; i++) {
      const m = source.at(i);
      if ((m.status === "failed" || m.status === "undelivered") && m.error_code !== 21610) again.push(m);
    }
    const c = stored.campaign;
    if (again.length === 0) fail("invalid", `'${c.name}' has no failed or undelivered message to retry`);
    const earlier = [...this.campaigns.values()].filter(({ campaign }) => campaign.name.startsWith(`${c.name} — retry`)).length;
    const name = earlier === 0 ? `${c.name} — retry` : `${c.name} — retry ${String(earlier + 1)}`;
    const at = this.now().toISOString();
    const retryId = this.nextId++;
    const campaign: Campaign = {
      ...structuredClone(c),
      id: retryId,
      name,
      status: "scheduled",
      scheduled_at: at,
      started_at: null,
      completed_at: null,
      pause_reason: null,
      summary_audience: again.length,
      archived_from: null,
      created_at: at,
      updated_at: at,
    };
    const messages = again.map((m, i) =>
      newMessage(
        this.nextMessageId++,
        i,
        { imisId: m.imis_id, name: m.member_name, phoneRaw: m.phone_raw, to: m.to, status: "preparing", reason: null, segments: m.segments },
        at,
      ),
    );
    this.campaigns.set(retryId, { campaign, messages });
    this.log(retryId, "user", "created", `${String(again.length)} failed or undelivered messages of '${c.name}' sent again`);
    this.log(retryId, "user", "scheduled", "now");
    this.log(id, "user", "retry_created", `'${name}' sends ${String(again.length)} messages again`);
    this.notify(retryId);
    return retryId;
  }

  /** MOCK: no Save dialog and nothing written; the path is the name the dialog would suggest, in
   *  Downloads. Null when the person cancels (see cancelExports). */
  private exportCsv(id: number, q: MessageQuery): string | null {
    const stored = this.get(id);
    if (this.cancelExports) return null;
    const rows = gridAll(this.sourceOf(stored), q).length;
    const path = `/home/demo/Downloads/${exportFileName(stored.campaign.name, this.now())}`;
    this.exports.push({ path, rows, query: structuredClone(q) });
    return path;
  }

  /** MOCK: opens nothing; like the backend, only a path this window exported is shown. */
  private showInFolder(path: string): null {
    if (!this.exports.some((e) => e.path === path)) fail("invalid", "Herald only shows files it exported");
    this.shownInFolder.push(path);
    return null;
  }

  /** As the backend's report::view: the report email's figures, times in this machine's zone. */
  private report(id: number): ReportView {
    const stored = this.get(id);
    const c = stored.campaign;
    const n = this.countsFor(stored);
    const stats = this.stats(id);
    const writeback = this.writebackStatus(id);
    const rate = deliveredRate(n);
    const unpriced = stats.messages_unpriced;
    return {
      campaign_id: id,
      name: c.name,
      mode: c.mode,
      status: c.status,
      zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      scheduled: localTime(c.scheduled_at),
      started: localTime(c.started_at),
      completed: localTime(c.completed_at),
      generated: localTime(this.now().toISOString()) ?? "",
      recipients: n.total,
      counts: [
        { label: "Delivered", count: n.delivered },
        { label: "Sent, awaiting report", count: n.sent },
        { label: "Undelivered", count: n.undelivered },
        { label: "Failed", count: n.failed },
        { label: "Not sendable (invalid or missing number)", count: n.error },
        { label: "Skipped", count: n.skipped },
        { label: "Canceled", count: n.canceled },
        { label: "Waiting to send", count: n.preparing },
      ],
      delivery_rate: rate === null ? null : `${(rate * 100).toFixed(1)}%`,
      segments: `${String(stats.segments_estimated)} estimated, ${String(stats.segments_reported)} reported by Twilio`,
      cost:
        `${stats.cost_estimated.toFixed(2)} USD estimated, ${stats.cost_actual.toFixed(2)} USD priced by Twilio so far` +
        (unpriced === 0 ? "" : unpriced === 1 ? " (1 message not priced yet)" : ` (${String(unpriced)} messages not priced yet)`),
      errors: errorCounts(this.sourceOf(stored))
        .slice(0, 5)
        .map((e) => ({ code: e.error_code, count: e.count, explanation: e.explanation })),
      writes_back: writesBack(c),
      writeback: `${String(writeback.done)} done, ${String(writeback.pending + writeback.in_flight)} waiting, ${String(writeback.failed)} failed`,
      replies: this.replies.countsFor(c.id),
    };
  }

  private reportOutbox(id: number): OutboxEntry[] {
    this.get(id);
    return structuredClone(this.outbox.filter((e) => e.campaign_id === id).reverse());
  }

  private enqueueReport(campaignId: number, trigger: string, recipient: string, at: string): boolean {
    if (this.outbox.some((e) => e.campaign_id === campaignId && e.trigger_key === trigger)) return false;
    this.outbox.push({
      id: this.nextOutboxId++,
      campaign_id: campaignId,
      trigger_key: trigger,
      recipient,
      state: "pending",
      attempts: 0,
      last_error: null,
      created_at: at,
      sent_at: null,
    });
    return true;
  }

  private resendReport(id: number): boolean {
    const { campaign } = this.get(id);
    const to = campaign.report_email ?? "";
    if (to === "") fail("invalid", `'${campaign.name}' has no report address; add one in the campaign first`);
    const now = this.now();
    return this.enqueueReport(id, `resend-${String(now.getTime())}`, to, now.toISOString());
  }

  /** MOCK: the mail server answers once a host is set, and a password when a user name is. */
  private testSmtp(): string {
    if (this.keychainError !== null) fail("keychain", this.keychainError);
    const host = this.settings.get("smtp.host");
    if (typeof host !== "string" || host === "") fail("invalid", "the mail server is not set; enter its host in Settings → Email reports");
    const user = this.settings.get("smtp.username");
    if (typeof user === "string" && user !== "" && !this.secrets.has("smtp.password")) {
      fail("invalid", "no mail server password is stored; enter it in Settings → Email reports");
    }
    return `Connected to ${host}:${String(this.setting("smtp.port"))} and logged in`;
  }

  private checkName(name: string, exceptId: number | null): string {
    const trimmed = name.trim();
    if (trimmed === "") fail("invalid", "A campaign needs a name.");
    const clash = [...this.campaigns.values()].some(
      ({ campaign: c }) =>
        c.id !== exceptId && c.status !== "archived" && c.name.trim().toLowerCase() === trimmed.toLowerCase(),
    );
    if (clash) fail("conflict", `A campaign named “${trimmed}” already exists.`);
    return trimmed;
  }

  private checkEmail(email: string | null | undefined): string | null {
    if (email === null || email === undefined || email.trim() === "") return null;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      fail("invalid", `“${email}” is not an email address.`);
    }
    return email.trim();
  }

  private create(input: NewCampaign): number {
    const name = this.checkName(input.name, null);
    const at = this.now().toISOString();
    const campaign: Campaign = {
      id: this.nextId++,
      name,
      status: "draft",
      mode: input.mode ?? "test",
      report_email: this.checkEmail(input.report_email),
      audience: input.audience ?? null,
      template: input.template ?? "",
      skip_empty: input.skip_empty ?? false,
      write_back: input.write_back ?? "activity",
      scheduled_at: null,
      started_at: null,
      completed_at: null,
      pause_reason: null,
      summary_audience: null,
      archived_from: null,
      created_at: at,
      updated_at: at,
      send_window: input.window ? draftWindow(input.window) : null,
    };
    if (campaign.mode === "live" && this.demo) {
      fail("invalid", "The demo workspace runs in TEST mode only.");
    }
    this.campaigns.set(campaign.id, { campaign, messages: [] });
    this.log(campaign.id, "user", "created", null);
    this.notify(campaign.id);
    return campaign.id;
  }

  private updateDraft(id: number, changes: DraftChanges): Campaign {
    const { campaign } = this.get(id);
    if (campaign.status !== "draft") {
      fail("illegal_transition", `Only drafts can be edited; this campaign is ${campaign.status}.`);
    }
    if (changes.mode === "live" && this.demo) {
      fail("invalid", "The demo workspace runs in TEST mode only.");
    }
    const name = changes.name == null ? campaign.name : this.checkName(changes.name, id);
    const email = changes.report_email == null ? campaign.report_email : this.checkEmail(changes.report_email);
    if (changes.audience) checkAudience(changes.audience);
    const window = changes.window ? draftWindow(changes.window) : null;
    campaign.name = name;
    campaign.report_email = email;
    campaign.mode = changes.mode ?? campaign.mode;
    campaign.audience = changes.audience ?? campaign.audience;
    campaign.template = changes.template ?? campaign.template;
    campaign.write_back = changes.write_back ?? campaign.write_back;
    campaign.skip_empty = changes.skip_empty ?? campaign.skip_empty;
    campaign.send_window = window ?? campaign.send_window;
    campaign.updated_at = this.now().toISOString();
    this.log(id, "user", "draft_updated", null);
    this.notify(id);
    return structuredClone(campaign);
  }

  private deleteDraft(id: number): null {
    const { campaign } = this.get(id);
    if (campaign.status !== "draft") {
      fail("illegal_transition", `Only drafts can be deleted; this campaign is ${campaign.status}.`);
    }
    this.campaigns.delete(id);
    this.notify(id);
    return null;
  }

  private duplicate(id: number): number {
    const { campaign } = this.get(id);
    let name = `${campaign.name} (copy)`;
    for (let n = 2; this.nameTaken(name); n++) name = `${campaign.name} (copy ${n})`;
    const copy = this.create({ name, report_email: campaign.report_email, mode: this.demo ? "test" : campaign.mode });
    const stored = this.get(copy).campaign;
    stored.audience = structuredClone(campaign.audience);
    stored.template = campaign.template;
    stored.write_back = campaign.write_back;
    stored.skip_empty = campaign.skip_empty;
    stored.send_window = structuredClone(campaign.send_window);
    this.log(copy, "user", "duplicated", `From campaign ${id}`);
    return copy;
  }

  private nameTaken(name: string): boolean {
    return [...this.campaigns.values()].some(
      ({ campaign: c }) => c.status !== "archived" && c.name.toLowerCase() === name.toLowerCase(),
    );
  }

  private schedule(id: number, at: string | null, confirmed: number | null): Campaign {
    const { campaign } = this.get(id);
    if (campaign.mode === "live" && confirmed === null) {
      fail("conflict", `'${campaign.name}' is LIVE: it sends real texts, so scheduling it must be confirmed`);
    }
    const problems = this.preflight(id).checks.filter((c) => !c.ok);
    if (problems.length > 0) {
      fail(
        "conflict",
        `'${campaign.name}' cannot be scheduled yet. ${problems.map((c) => `${c.what}: ${c.detail}`).join(". ")}`,
      );
    }
    let toSend: number | null = null;
    if (campaign.status === "draft" && this.snapshots.has(id)) {
      toSend = this.draftSummary(id, at).summary.to_send;
      if (toSend === 0) fail("invalid", `'${campaign.name}' has nobody to send to: every row is excluded`);
      if (campaign.mode === "live" && confirmed !== toSend) {
        fail(
          "conflict",
          `'${campaign.name}' now sends to ${String(toSend)} recipients, not the ${String(confirmed)} you confirmed: check the summary again`,
        );
      }
      if (at !== null && Date.parse(at) < this.now().getTime() - 60_000) {
        fail("invalid", "the scheduled time is in the past; choose a later time or send now");
      }
    }
    return this.transition(id, ["draft"], "scheduled", "scheduled", (c) => {
      if (c.template.trim() === "") fail("invalid", "Write the message before scheduling.");
      c.scheduled_at = at ?? this.now().toISOString();
      if (toSend !== null) c.summary_audience = toSend;
      // A draft that kept the Settings' window gets it written in.
      c.send_window ??= this.settingsWindow();
    });
  }

  // --- the wizard's audience, message and summary (MOCK: rough numbers) -------------------

  private editableDraft(id: number): Campaign {
    const { campaign } = this.get(id);
    if (campaign.status !== "draft") {
      fail("conflict", `'${campaign.name}' is ${campaign.status}; only a draft's audience can change`);
    }
    return campaign;
  }

  private preview(
    table: Table,
    fetchedAt: string,
    sourceName: string | null,
    source: AudienceSource | null,
  ): AudiencePreview {
    return {
      source_name: sourceName,
      columns: [...table.columns],
      rows: table.rows.slice(0, PREVIEW_ROWS).map((r) => [...r]),
      row_count: table.rows.length,
      fetched_at: fetchedAt,
      source: source ? structuredClone(source) : null,
      suggested_id_column: guessColumn(table.columns, ID_NAMES),
      suggested_phone_column: guessColumn(table.columns, PHONE_NAMES),
    };
  }

  private importCsv(id: number, fileName: string, content: string): AudiencePreview {
    this.editableDraft(id);
    let table: Table;
    try {
      table = parseCsv(content);
    } catch (e) {
      return fail("invalid", `${fileName}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.cacheAudience(id, table, fileName, { query: null, params: {}, csv: fileName });
  }

  /**
   * Caches `table` as the draft's audience and, when both columns are known (kept from before or
   * guessed), points the draft at `origin` with them (drafts::cache_audience).
   */
  private cacheAudience(
    id: number,
    table: Table,
    sourceName: string,
    origin: Pick<AudienceSource, "query" | "params" | "csv">,
  ): AudiencePreview {
    const campaign = this.editableDraft(id);
    const fetchedAt = this.now().toISOString();
    this.snapshots.set(id, { table, fetchedAt, sourceName });
    const preview = this.preview(table, fetchedAt, sourceName, null);
    const keep = (column: string | undefined) =>
      column !== undefined && table.columns.includes(column) ? column : null;
    const source: AudienceSource = {
      ...structuredClone(origin),
      id_column: keep(campaign.audience?.id_column) ?? preview.suggested_id_column ?? "",
      phone_column: keep(campaign.audience?.phone_column) ?? preview.suggested_phone_column ?? "",
    };
    if (source.id_column !== "" && source.phone_column !== "") {
      campaign.audience = source;
      campaign.updated_at = fetchedAt;
      preview.source = structuredClone(source);
    }
    this.log(id, "user", "audience_imported", `${sourceName}: ${table.rows.length} rows`);
    this.notify(id);
    return preview;
  }

  // --- iMIS (the demo directory, MOCK: a few hundred generated members) --------------------

  private imis(): void {
    if (this.imisError !== null) fail("imis", this.imisError);
  }

  private listFolder(folder: string): QueryEntry[] {
    this.imis();
    const name = folder.trim() === "" ? "$" : folder.trim();
    return folderEntries(name) ?? fail("imis", `iMIS has no folder at '${name}'`);
  }

  private queryDefinition(path: string): QueryInfo {
    this.imis();
    return queryDefinition(path) ?? unknownQuery(path);
  }

  private importQuery(id: number, rawPath: string, rawParams: Record<string, string>): QueryImport {
    this.editableDraft(id);
    const path = rawPath.trim();
    if (!path.startsWith("$")) {
      fail("invalid", `'${path}' is not an iMIS query path; paths start with $/, such as $/Members/Mobile numbers`);
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(rawParams)) {
      if (value.trim() !== "") params[name] = value.trim();
    }
    this.imis();
    const table = runQuery(path, params) ?? unknownQuery(path);
    const preview = this.cacheAudience(id, table, path, { query: path, params, csv: null });
    return { preview, fetch_ms: 180 + table.rows.length * 3, problem: columnProblem(preview) };
  }

  private activityTypeCheck(): ActivityTypeCheck {
    this.imis();
    return { exists: this.textmsg, demo: this.demo };
  }

  private testConnection(): ImisConnectionReport {
    return { root_entries: this.listFolder("$").length, textmsg: this.activityTypeCheck().exists, demo: this.demo };
  }

  /**
   * The pre-flight of a LIVE campaign, as the backend's preflight::check (MOCK: Twilio from the
   * stored settings, iMIS from the demo flag and `imisError`, the mail server from its host).
   */
  private preflight(id: number): Preflight {
    const { campaign } = this.get(id);
    if (campaign.mode !== "live") return { checks: [] };
    const checks: PreflightCheck[] = [];
    const message = (error: unknown, fallback: string) =>
      error instanceof Object && "message" in error ? String(error.message) : fallback;
    if (this.demo) {
      checks.push({
        what: "Twilio account",
        ok: false,
        detail: "the demo workspace only sends TEST texts: connect iMIS in Settings → iMIS",
        fix: "imis_settings",
      });
    } else {
      try {
        checks.push({ what: "Twilio account", ok: true, detail: `Connected: ${this.testTwilio()}.`, fix: null });
      } catch (error) {
        checks.push({ what: "Twilio account", ok: false, detail: message(error, "Twilio is not set up"), fix: "twilio_settings" });
      }
    }
    if (campaign.write_back !== "none" || (campaign.audience?.query ?? null) !== null) {
      if (this.demo) {
        checks.push({
          what: "iMIS",
          ok: false,
          detail: "the demo directory only runs TEST campaigns: connect iMIS in Settings → iMIS",
          fix: "imis_settings",
        });
      } else if (this.imisError !== null) {
        checks.push({ what: "iMIS", ok: false, detail: `iMIS could not be reached: ${this.imisError}`, fix: "imis_settings" });
      } else if (campaign.write_back === "activity" && !this.textmsg) {
        checks.push({
          what: "iMIS",
          ok: false,
          detail: "the TEXTMSG activity type does not exist in iMIS yet: ask an iMIS administrator to add it, or record the texts in the Communication Log",
          fix: "write_back_step",
        });
      } else {
        checks.push({
          what: "iMIS",
          ok: true,
          detail: campaign.write_back === "activity" ? "Connected; each text is recorded as a TEXTMSG Activity." : "Connected.",
          fix: null,
        });
      }
    }
    if ((campaign.report_email ?? "").trim() !== "") {
      try {
        this.testSmtp();
        checks.push({ what: "Report email", ok: true, detail: "A mail server is set up for the report.", fix: null });
      } catch (error) {
        checks.push({
          what: "Report email",
          ok: false,
          detail: `the report cannot be emailed: ${message(error, "the mail server is not set")}, or remove the report address`,
          fix: "smtp_settings",
        });
      }
    }
    return { checks };
  }

  private sendTestText(id: number, to: string, asImisId: string | null): TestText {
    const { campaign } = this.get(id);
    if (campaign.mode !== "live") {
      fail("conflict", `'${campaign.name}' is a TEST campaign, and TEST never sends a real text: choose LIVE on the Message step to text yourself the message`);
    }
    this.testTwilio();
    const digits = to.replace(/[^0-9+]/g, "");
    if (digits.replace("+", "").length < 7) fail("invalid", `'${to}' is not a mobile number: enter it with its area code`);
    const e164 = digits.startsWith("+") ? digits : `+1${digits}`;
    const now = this.now().toISOString();
    const body = this.renderFor(id, asImisId);
    const { state, detail } = this.testTextOutcome;
    const text: TestText = {
      id: this.testTexts.length + 1,
      campaign_id: id,
      to_e164: e164,
      as_imis_id: asImisId,
      body,
      segments: countSegments(body).segments,
      state,
      twilio_sid: state === "failed" ? null : `SM${String(this.testTexts.length + 1).padStart(32, "0")}`,
      detail,
      started_at: now,
      finished_at: state === "sending" ? null : now,
    };
    this.testTexts.push(text);
    if (this.settings.get("campaign.test_text_to") !== e164) {
      this.settings.set("campaign.test_text_to", e164);
      this.settingsChanged();
    }
    this.notify(id);
    return text;
  }

  /** The campaign's message for the audience row with this iMIS ID (the first row without one). */
  private renderFor(id: number, imisId: string | null): string {
    const { campaign } = this.get(id);
    const snapshot = this.snapshots.get(id);
    if (!snapshot || !campaign.audience) return campaign.template;
    const { columns, rows } = snapshot.table;
    const idIndex = columns.indexOf(campaign.audience.id_column);
    const row = rows.find((r) => imisId === null || (r[idIndex] ?? "").trim() === imisId) ?? rows[0] ?? [];
    return parseTemplate(campaign.template, columns).render((field) => row[columns.indexOf(field)] ?? "");
  }

  /** MOCK: Twilio answers whenever an Account SID and a credential are stored. */
  private testTwilio(): string {
    if (this.keychainError !== null) fail("keychain", this.keychainError);
    const sid = this.settings.get("twilio.account_sid");
    if (typeof sid !== "string" || sid === "") fail("invalid", "the Twilio Account SID is not set; enter it in Settings → Twilio");
    if (!this.secrets.has("twilio.auth_token") && !this.secrets.has("twilio.api_key_secret")) {
      fail("invalid", "no Twilio credential is stored; enter the Auth Token or an API key secret in Settings → Twilio");
    }
    return "Herald Demo (active)";
  }

  /** The write-backs of LIVE campaigns' sent texts, as the messages record them. */
  private writebackStatus(campaignId: number | null): WriteBackStatus {
    if (campaignId !== null) this.get(campaignId);
    const status: WriteBackStatus = { pending: 0, in_flight: 0, done: 0, failed: 0, waiting_reason: null, failures: [] };
    for (const { campaign, messages } of this.campaigns.values()) {
      if (campaignId !== null && campaign.id !== campaignId) continue;
      for (const m of messages) {
        if (m.writeback === "pending") status.pending += 1;
        else if (m.writeback === "done") status.done += 1;
        else if (m.writeback === "failed") {
          status.failed += 1;
          status.failures.push({
            message_id: m.id,
            campaign_id: campaign.id,
            member_name: m.member_name,
            imis_id: m.imis_id,
            kind: campaign.write_back === "communication_log" ? "communication_log" : "activity",
            reason: `iMIS has no contact with ID ${m.imis_id ?? "?"}`,
          });
        }
      }
    }
    if (this.imisError !== null && status.pending > 0) status.waiting_reason = this.imisError;
    return status;
  }

  private audiencePreview(id: number): AudiencePreview | null {
    const { campaign } = this.get(id);
    const snapshot = this.snapshots.get(id);
    return snapshot
      ? this.preview(snapshot.table, snapshot.fetchedAt, snapshot.sourceName, campaign.audience)
      : null;
  }

  private setting(key: string): number {
    const def = this.def(key);
    const value = this.settings.get(key) ?? def.default;
    return typeof value === "number" ? value : Number(value);
  }

  /** The draft's audience, row by row, as scheduling it would prepare the messages. */
  private prepareRows(id: number): { rows: PreparedRow[]; templateIsGsm: boolean; fetchedAt: string; pulled: number } {
    const { campaign } = this.get(id);
    const snapshot = this.snapshots.get(id);
    const audience = campaign.audience;
    if (!audience || !snapshot) fail("invalid", `'${campaign.name}' has no audience yet: import or run it first`);
    if (campaign.template.trim() === "") fail("invalid", `'${campaign.name}' has no message yet`);
    const { columns, rows } = snapshot.table;
    const template = parseTemplate(campaign.template, columns);
    const [problem] = template.problems;
    if (problem) fail("invalid", problem.message);
    const idIndex = columns.indexOf(audience.id_column);
    const phoneIndex = columns.indexOf(audience.phone_column);
    if (idIndex === -1) fail("invalid", `the audience has no column '${audience.id_column}'`);
    if (phoneIndex === -1) fail("invalid", `the audience has no column '${audience.phone_column}'`);

    const firstWith = new Map<string, string>();
    const prepared = rows.map((row, index): PreparedRow => {
      const imisId = (row[idIndex] ?? "").trim();
      const rawPhone = row[phoneIndex] ?? "";
      const entry: PreparedRow = {
        index,
        imisId,
        name: nameOf(columns, row),
        rawPhone,
        e164: null,
        exclusion: null,
        segments: 0,
        ucs2: false,
      };
      const exclude = (list: Exclusion["list"], reason: string): PreparedRow => ({ ...entry, exclusion: { list, reason } });
      if (imisId === "") return exclude("invalid", "no iMIS ID");
      const phone = normalizePhone(rawPhone);
      if ("invalid" in phone) return exclude("invalid", phone.invalid);
      entry.e164 = phone.e164;
      const body = template.render((field) => row[columns.indexOf(field)] ?? "");
      const length = Array.from(body).length;
      if (length > 1600) {
        return exclude("invalid", `the message is ${length} characters long after merging; the limit is 1600`);
      }
      // As the backend does: the opt-out list first, then duplicates.
      if (OPTED_OUT.has(phone.e164)) return exclude("opted_out", `opted out on ${OPTED_OUT_ON}`);
      const first = firstWith.get(phone.e164);
      if (first !== undefined) return exclude("duplicates", `duplicate of ${first}`);
      firstWith.set(phone.e164, imisId);
      const empty = template.fields.find((field) => (row[columns.indexOf(field)] ?? "").trim() === "");
      if (campaign.skip_empty && empty !== undefined) return exclude("empty_values", `empty value in \${${empty}}`);
      const info = countSegments(body);
      return { ...entry, segments: info.segments, ucs2: info.encoding === "UCS-2" };
    });
    return {
      rows: prepared,
      templateIsGsm: countSegments(campaign.template).encoding === "GSM-7",
      fetchedAt: snapshot.fetchedAt,
      pulled: rows.length,
    };
  }

  private draftSummary(id: number, at: string | null): DraftSummary {
    const prepared = this.prepareRows(id);
    const lists = { invalid: emptyList(), duplicates: emptyList(), opted_out: emptyList(), empty_values: emptyList() };
    let toSend = 0;
    let segments = 0;
    let ucs2 = 0;
    let ucs2Recipients = 0;
    const byZone = new Map<string, number>();
    let unknownZone = 0;
    for (const row of prepared.rows) {
      if (row.exclusion) {
        const list = lists[row.exclusion.list];
        list.total++;
        if (list.rows.length < LIST_LIMIT) {
          list.rows.push({
            row: row.index + 2,
            imis_id: row.imisId === "" ? null : row.imisId,
            name: row.name,
            phone: row.rawPhone,
            reason: row.exclusion.reason,
          });
        }
        continue;
      }
      toSend++;
      segments += row.segments;
      const zone = zoneOfNumber(row.e164);
      if (zone === null) unknownZone++;
      else byZone.set(zone, (byZone.get(zone) ?? 0) + 1);
      if (row.ucs2) {
        ucs2++;
        if (prepared.templateIsGsm) ucs2Recipients++;
      }
    }

    const price = this.setting("price_per_segment");
    const cap = this.setting("twilio.daily_segment_cap");
    const now = this.now();
    const asked = at !== null && Date.parse(at) > now.getTime() ? new Date(at) : now;
    const zones: ZoneCount[] = [...byZone]
      .map(([zone, recipients]) => ({ zone, label: zone, recipients }))
      .sort((a, b) => b.recipients - a.recipients || a.zone.localeCompare(b.zone));
    const window = this.windowOf(this.get(id).campaign);
    const fallback = this.fallbackZone();
    // The first text goes when the window opens in the first zone that has someone to text.
    const start =
      this.windows && window.enabled !== false && toSend > 0
        ? new Date(
            Math.min(
              ...[...zones.map((z) => z.zone), ...(unknownZone > 0 ? [fallback] : [])].map((zone) =>
                nextOpen(window, asked.getTime(), zone),
              ),
            ),
          )
        : asked;
    return {
      summary: {
        contacts_pulled: prepared.pulled,
        to_send: toSend,
        invalid: lists.invalid.total,
        duplicates: lists.duplicates.total,
        opted_out: lists.opted_out.total,
        empty_values: lists.empty_values.total,
        estimated_segments: segments,
        ucs2_messages: ucs2,
        price_per_segment: price,
        estimated_cost: segments * price,
        daily_cap: cap,
        cap_left_today: Math.max(cap - USED_TODAY, 0),
        // TEST sends nothing real: planned without the cap, which it leaves untouched.
        counts_against_cap: this.get(id).campaign.mode === "live",
        plan: plan(
          segments,
          start,
          now,
          this.setting("twilio.rate_per_second"),
          this.get(id).campaign.mode === "live" ? cap : Number.MAX_SAFE_INTEGER,
        ),
        window: window.enabled === false ? null : window,
        zones,
        unknown_zone: unknownZone,
        fallback_zone: fallback,
        cap_zone: "UTC",
      },
      ...lists,
      fetched_at: prepared.fetchedAt,
      ucs2_recipients: ucs2Recipients,
    };
  }

  /** As the backend's stats.rs: segments and prices from the messages, the finish planned. */
  private stats(id: number): SendingStats {
    const c = this.get(id);
    const source = this.sourceOf(c);
    const now = this.now();
    const price = this.setting("price_per_segment");
    const rate = this.setting("twilio.rate_per_second");
    const cap = this.setting("twilio.daily_segment_cap");
    let estimated = 0;
    let reported = 0;
    let withSegments = 0;
    let remaining = 0;
    let remainingSegments = 0;
    let recent = 0;
    for (let i = 0; i < source.size; i++) {
      const f = source.facts(i);
      if (f.status !== "error" && f.status !== "skipped" && f.status !== "canceled") estimated += f.segments;
      if (f.status === "preparing") {
        remaining += 1;
        remainingSegments += f.segments;
      }
      if (f.sent_at !== null) {
        reported += f.segments;
        withSegments += 1;
        const sent = typeof f.sent_at === "number" ? f.sent_at : Date.parse(f.sent_at);
        if (sent >= now.getTime() - 60_000) recent += 1;
      }
    }
    const going = c.campaign.status === "sending" || c.campaign.status === "scheduled";
    const p = going && remainingSegments > 0 ? plan(remainingSegments, now, now, rate, cap) : null;
    const window = this.windowOf(c.campaign);
    const waiting = going ? this.waitingFor(c, window) : [];
    return {
      segments_estimated: estimated,
      segments_reported: reported,
      messages_with_segments: withSegments,
      price_per_segment: price,
      cost_estimated: Math.round(estimated * price * 10_000) / 10_000,
      // Twilio's US long-code price, per segment.
      cost_actual: Math.round(reported * 0.0079 * 100_000) / 100_000,
      cost_unit: withSegments > 0 ? "USD" : null,
      messages_priced: withSegments,
      // The fake prices every text with its final status.
      messages_unpriced: 0,
      current_rate: recent / 60,
      configured_rate: rate,
      remaining,
      remaining_segments: remainingSegments,
      finish: p?.finish ?? null,
      finish_days: p?.days ?? 0,
      daily_cap: cap,
      cap_left_today: Math.max(cap - USED_TODAY, 0),
      counts_against_cap: c.campaign.mode === "live",
      waiting,
      waiting_words: waiting.map(waitInWords),
      window_enabled: window.enabled !== false,
    };
  }

  // --- the sending window ------------------------------------------------------------------

  /** The Settings' window for new campaigns (as the backend: the default when it cannot be read). */
  private settingsWindow(): WindowSpec {
    const text = (key: string) => String(this.settings.get(key) ?? this.def(key).default);
    try {
      return cleanWindow({
        start: text("window.start"),
        end: text("window.end"),
        days: text("window.days").split(","),
        enabled: text("window.enabled") !== "off",
      });
    } catch {
      return structuredClone(DEFAULT_WINDOW);
    }
  }

  /** The window a campaign sends in: its own, else (a draft) the Settings' one. */
  private windowOf(c: Campaign): WindowSpec {
    return c.send_window ?? this.settingsWindow();
  }

  /** The zone of members whose own is unknown: the organisation's, else "this computer's". */
  private fallbackZone(): string {
    const zone = this.settings.get("window.fallback_zone");
    return typeof zone === "string" && zone !== "" ? zone : FALLBACK_ZONE;
  }

  /** The messages not sent yet whose recipients' window is closed, by zone, soonest first (windows only). */
  private waitingFor(stored: Stored, window: WindowSpec): WindowWait[] {
    if (!this.windows || window.enabled === false) return [];
    const now = this.now().getTime();
    const byZone = new Map<string, { fallback: boolean; messages: number }>();
    for (const m of stored.messages) {
      if (m.status !== "preparing") continue;
      const zone = m.time_zone ?? this.fallbackZone();
      const entry = byZone.get(zone) ?? { fallback: m.time_zone === null, messages: 0 };
      entry.messages += 1;
      byZone.set(zone, entry);
    }
    return [...byZone]
      .map(([zone, { fallback, messages }]) => windowWait(window, now, zone, fallback, messages))
      .filter((w): w is WindowWait => w !== null)
      .sort((a, b) => a.opens_at.localeCompare(b.opens_at) || b.messages - a.messages);
  }

  /** Whether a campaign's texts may go out now to a zone (windows only: its window is open there). */
  private openNow(stored: Stored): (zone: string | null) => boolean {
    const window = this.windowOf(stored.campaign);
    if (!this.windows || window.enabled === false) return () => true;
    const now = this.now().getTime();
    const fallback = this.fallbackZone();
    const known = new Map<string, boolean>();
    return (zone) => {
      const z = zone ?? fallback;
      let open = known.get(z);
      if (open === undefined) {
        open = isOpen(window, now, z);
        known.set(z, open);
      }
      return open;
    };
  }

  /** A window setting checked as the backend checks it, in its canonical form. */
  private windowSetting(key: string, raw: string): string {
    const text = raw.trim();
    const refuse = (reason: string): never => fail("invalid_setting", `${key} cannot be '${raw}': ${reason}`);
    try {
      switch (key) {
        case "window.start":
        case "window.end": {
          const minutes = parseWindowTime(text);
          const value = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
          const current = this.settingsWindow();
          cleanWindow({ ...current, [key === "window.start" ? "start" : "end"]: value });
          return value;
        }
        case "window.days": {
          const days = parseWindowDays(text.split(/[\s,]+/));
          const names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
          return days.flatMap((d, i) => (d === "closed" ? [] : [d === "from_noon" ? "sun_from_noon" : (names[i] ?? "")])).join(",");
        }
        case "window.fallback_zone":
          if (text === "" || (isKnownZone(text) && (text.includes("/") || text === "UTC"))) return text;
          return refuse("expected a time zone name such as America/New_York or Europe/London");
        default:
          return text;
      }
    } catch (e) {
      if (e instanceof WindowError) return refuse(e.message);
      throw e;
    }
  }

  private archive(id: number): Campaign {
    return this.transition(id, ["draft", "completed", "canceled"], "archived", "archived", (c) => {
      c.archived_from = c.status;
    });
  }

  private unarchive(id: number): Campaign {
    const { campaign } = this.get(id);
    if (campaign.status !== "archived") fail("illegal_transition", "This campaign is not archived.");
    this.checkName(campaign.name, id);
    const back = campaign.archived_from ?? "completed";
    return this.transition(id, ["archived"], back, "unarchived", (c) => {
      c.archived_from = null;
    });
  }

  // --- sending (MOCK: a deterministic stand-in for the engine) -----------------------------

  private pause(id: number): Campaign {
    return this.transition(id, ["sending"], "paused", "paused", (c) => {
      c.pause_reason = "paused by the user";
    });
  }

  private resume(id: number): Campaign {
    return this.transition(id, ["paused"], "sending", "resumed", (c) => {
      c.pause_reason = null;
    });
  }

  private cancel(id: number): Campaign {
    const stored = this.get(id);
    return this.transition(id, ["scheduled", "sending", "paused"], "canceled", "canceled", (c) => {
      const at = this.now().toISOString();
      c.pause_reason = null;
      c.completed_at = at;
      for (const m of stored.messages) if (m.status === "preparing") markCanceled(m, at);
    });
  }

  private messagesPage(id: number, offset: number, limit: number): MessageRow[] {
    const source = this.sourceOf(this.get(id));
    const start = Math.max(Math.trunc(offset), 0);
    const end = Math.min(start + Math.min(Math.max(Math.trunc(limit), 0), 5000), source.size);
    const rows: MessageRow[] = [];
    for (let i = start; i < end; i++) rows.push(structuredClone(source.at(i)));
    return rows;
  }

  /**
   * One step of the fake sending engine: campaigns whose time has come start (their messages
   * are recorded), and each sending one settles what it sent last time and sends the next
   * SEND_BATCH. Mock mode runs it on a timer; tests call it to move things on.
   */
  tick(): void {
    const now = this.now();
    const at = now.toISOString();
    // The mail worker: what was queued goes out (MOCK: the mail server always takes it).
    for (const entry of this.outbox) {
      if (entry.state !== "pending") continue;
      entry.state = "sent";
      entry.attempts += 1;
      entry.sent_at = at;
      this.notify(entry.campaign_id);
    }
    for (const stored of this.campaigns.values()) {
      const c = stored.campaign;
      if (c.status === "scheduled" && c.scheduled_at !== null && Date.parse(c.scheduled_at) <= now.getTime()) {
        this.start(stored, at);
      } else if (c.status === "sending") {
        this.step(stored, at);
      }
    }
  }

  /** Quit from the tray: at once when nothing is sending; otherwise the window is asked first. */
  requestQuit(): void {
    const sending = [...this.campaigns.values()]
      .filter(({ campaign }) => campaign.status === "sending")
      .map(({ campaign }) => campaign.name);
    // As the backend: the window is always asked (it saves what it has in hand, then quits).
    this.quitRequested(sending);
  }

  private start(stored: Stored, at: string): void {
    const c = stored.campaign;
    if (stored.messages.length === 0) {
      let recipients: Recipient[];
      try {
        recipients = this.snapshots.has(c.id)
          ? this.prepareRows(c.id).rows.map((row) => ({
              imisId: row.imisId === "" ? null : row.imisId,
              name: row.name,
              phoneRaw: row.rawPhone,
              to: row.e164,
              status: row.exclusion === null ? "preparing" : row.exclusion.list === "invalid" ? "error" : "skipped",
              reason: row.exclusion?.reason ?? null,
              segments: row.segments,
            }))
          : Array.from({ length: c.summary_audience ?? 0 }, (_, i) => syntheticRecipient(i, 1));
      } catch (e) {
        const message = typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e);
        c.status = "paused";
        c.pause_reason = `the messages could not be prepared: ${message}`;
        c.updated_at = at;
        this.log(c.id, "engine", "paused", c.pause_reason);
        this.notify(c.id);
        return;
      }
      stored.messages = recipients.map((r, i) => newMessage(this.nextMessageId++, i, r, at));
    }
    c.status = "sending";
    c.started_at ??= at;
    c.updated_at = at;
    this.log(c.id, "scheduler", "started", `${stored.messages.length} recipients`);
    this.notify(c.id);
  }

  private step(stored: Stored, at: string): void {
    const c = stored.campaign;
    for (const m of stored.messages) {
      if (m.writeback === "pending" && this.imisError === null) m.writeback = "done";
      if (m.status === "sent") markSettled(m, finalOutcome(m.row_index), at);
    }
    let sent = 0;
    const open = this.openNow(stored);
    for (const m of stored.messages) {
      if (sent >= SEND_BATCH) break;
      if (m.status !== "preparing" || !open(m.time_zone)) continue;
      markSent(m, at, writesBack(c));
      sent += 1;
    }
    if (!stored.messages.some((m) => m.status === "preparing" || m.status === "sent")) {
      c.status = "completed";
      c.completed_at = at;
      this.log(c.id, "engine", "completed", null);
      if (c.report_email !== null && c.report_email !== "") this.enqueueReport(c.id, "completed", c.report_email, at);
    }
    c.updated_at = at;
    this.notify(c.id);
  }

  private transition(
    id: number,
    from: CampaignStatus[],
    to: CampaignStatus,
    kind: string,
    change: (c: Campaign) => void,
  ): Campaign {
    const { campaign } = this.get(id);
    if (!from.includes(campaign.status)) {
      fail("illegal_transition", `A ${campaign.status} campaign cannot become ${to}.`);
    }
    change(campaign);
    campaign.status = to;
    campaign.updated_at = this.now().toISOString();
    this.log(id, "user", kind, null);
    this.notify(id);
    return structuredClone(campaign);
  }

  private log(campaignId: number, actor: Actor, kind: string, detail: string | null, at?: string): void {
    this.events.push({
      id: this.nextEventId++,
      campaign_id: campaignId,
      at: at ?? this.now().toISOString(),
      actor,
      kind,
      detail,
    });
  }

  // --- settings --------------------------------------------------------------------------

  /** After a change to a setting or a secret (here, or by herald-cli on the same data folder). */
  private changedSettings<T>(result: T): T {
    this.settingsChanged();
    return result;
  }

  private def(key: string): SettingDef {
    const def = SETTING_DEFS.find((d) => d.key === key);
    if (!def) fail("unknown_setting", `There is no setting “${key}”.`);
    return def;
  }

  private entry(def: SettingDef): SettingEntry {
    const value = this.settings.get(def.key);
    return {
      key: def.key,
      kind: def.kind,
      value: value ?? def.default,
      default: def.default,
      is_default: value === undefined,
      choices: def.choices ?? [],
      description: def.description,
    };
  }

  private setSetting(key: string, raw: string): SettingEntry {
    const def = this.def(key);
    const text = raw.trim();
    let value: Json = text;
    switch (def.kind) {
      case "integer":
        if (!/^-?\d+$/.test(text)) fail("invalid_setting", `${key} must be a whole number.`);
        value = Number(text);
        if (value < 0) fail("invalid_setting", `${key} cannot be negative.`);
        break;
      case "number":
        value = Number(text);
        if (text === "" || !Number.isFinite(value)) fail("invalid_setting", `${key} must be a number.`);
        if (value <= 0 && key === "twilio.rate_per_second") {
          fail("invalid_setting", "The send rate must be more than 0 segments per second.");
        }
        if (value < 0) fail("invalid_setting", `${key} cannot be negative.`);
        break;
      case "url":
        if (text !== "" && !/^https?:\/\/[^\s/]+/.test(text)) {
          fail("invalid_setting", `${key} must be an http:// or https:// address.`);
        }
        break;
      case "choice":
        if (!(def.choices ?? []).includes(text)) {
          fail("invalid_setting", `${key} must be one of: ${(def.choices ?? []).join(", ")}.`);
        }
        break;
      case "text":
        break;
    }
    if (key.startsWith("window.") && def.kind === "text") value = this.windowSetting(key, raw);
    if (value === def.default) this.settings.delete(key);
    else this.settings.set(key, value);
    return this.entry(def);
  }

  // --- secrets (write-only) --------------------------------------------------------------

  private secretName(name: string): string {
    if (!SECRET_NAMES.includes(name)) fail("invalid", `there is no secret called '${name}'`);
    return name;
  }

  private secretStatus(name: string): SecretStatus {
    if (this.keychainError !== null) return { name, stored: false, error: this.keychainError };
    return { name, stored: this.secrets.has(name), error: null };
  }

  private setSecret(raw: string, value: string): SecretStatus {
    const name = this.secretName(raw);
    if (this.keychainError !== null) fail("keychain", this.keychainError);
    if (value === "") fail("keychain", `the secret store refused to save ${name}: the value is empty`);
    this.secrets.add(name);
    return this.secretStatus(name);
  }

  private deleteSecret(raw: string): SecretStatus {
    const name = this.secretName(raw);
    if (this.keychainError !== null) fail("keychain", this.keychainError);
    this.secrets.delete(name);
    return this.secretStatus(name);
  }

  // --- seed ------------------------------------------------------------------------------

  private seed(): void {
    // One credential already entered, so the screen shows both states.
    this.secrets.add("twilio.auth_token");
    const now = this.now().getTime();
    const hours = (h: number) => new Date(now + h * 3_600_000).toISOString();
    const add = (
      partial: Partial<Campaign> & Pick<Campaign, "name" | "status">,
      counts: Partial<Omit<MessageCounts, "total">>,
      log: [number, Actor, string, string | null][],
      extra: { hostileRow?: number; failedCode?: number; writebackFailedRows?: number[] } = {},
    ) => {
      const id = this.nextId++;
      const created = log[0] ? hours(log[0][0]) : hours(-1);
      const campaign: Campaign = {
        id,
        mode: "test",
        report_email: null,
        audience: null,
        template: "",
        skip_empty: false,
        write_back: "activity",
        scheduled_at: null,
        started_at: null,
        completed_at: null,
        pause_reason: null,
        summary_audience: null,
        archived_from: null,
        created_at: created,
        updated_at: created,
        // Written in when it was scheduled (a draft has none until then).
        send_window: partial.status === "draft" ? null : structuredClone(DEFAULT_WINDOW),
        ...partial,
      };
      const messages = seedMessages(counts, {
        nextId: () => this.nextMessageId++,
        segments: Math.max(countSegments(campaign.template).segments, 1),
        startedAt: campaign.started_at ?? created,
        writeBack: writesBack(campaign),
        ...extra,
      });
      this.campaigns.set(id, { campaign, messages });
      for (const [h, actor, kind, detail] of log) this.log(id, actor, kind, detail, hours(h));
    };
    const audience = (query: string) => ({
      query,
      params: {},
      csv: null,
      id_column: "ID",
      phone_column: "Mobile",
    });

    add(
      {
        name: "Spring Conference reminder",
        status: "completed",
        mode: "live",
        report_email: "events@example.org",
        audience: audience("$/Herald/Conference registrants"),
        template: "Hi ${FirstName}, the Spring Conference starts tomorrow at 9:00 in Hall B. Reply STOP to opt out.",
        scheduled_at: hours(-74),
        started_at: hours(-74),
        completed_at: hours(-72.5),
        summary_audience: 1240,
      },
      { delivered: 1180, undelivered: 14, failed: 12, error: 9, skipped: 25 },
      [
        [-120, "user", "created", null],
        [-96, "user", "scheduled", null],
        [-74, "scheduler", "started", "1,240 recipients from the IQA"],
        [-72.5, "engine", "completed", null],
      ],
    );
    add(
      {
        name: "Renouvellement — membres du Café ☕🎉",
        status: "scheduled",
        report_email: "adhésions@example.org",
        audience: audience("$/Herald/Lapsed members"),
        template: "Bonjour ${FirstName} ! Votre adhésion expire le ${ExpiryDate}. Renouvelez ici : https://example.org/r",
        scheduled_at: hours(50),
        summary_audience: 312,
      },
      {},
      [
        [-30, "user", "created", null],
        [-2, "user", "scheduled", null],
      ],
    );
    add(
      {
        name: "<img src=x onerror=alert(1)>",
        status: "draft",
        template: "<b>${FirstName}</b> <script>alert(1)</script>",
      },
      {},
      [[-5, "user", "created", null]],
    );
    add(
      {
        name: "Board election: get out the vote",
        status: "sending",
        mode: "live",
        report_email: "governance@example.org",
        audience: audience("$/Herald/Voting members"),
        template: "${FirstName}, voting for the Board closes Friday. Cast your ballot: https://example.org/vote",
        scheduled_at: hours(-1),
        started_at: hours(-1),
        summary_audience: 4980,
      },
      { preparing: 2100, sent: 640, delivered: 2150, undelivered: 40, failed: 25, error: 20, skipped: 25 },
      [
        [-48, "user", "created", null],
        [-20, "user", "scheduled", null],
        [-1, "scheduler", "started", "5,000 recipients from the IQA (4,980 when scheduled)"],
      ],
      { writebackFailedRows: [7] },
    );
    add(
      {
        name: "Webinar follow-up",
        status: "paused",
        audience: audience("$/Herald/Webinar attendees"),
        template: "Thanks for joining, ${FirstName}! Slides: https://example.org/slides",
        scheduled_at: hours(-6),
        started_at: hours(-6),
        pause_reason: "Twilio refused 10 messages in a row (20003: authentication failed). Check the credentials in Settings, then resume.",
        summary_audience: 180,
        send_window: { start: "10:00", end: "18:00", days: ["mon", "tue", "wed", "thu", "fri"], enabled: true },
      },
      { preparing: 120, delivered: 48, undelivered: 2, failed: 10 },
      [
        [-30, "user", "created", null],
        [-6, "scheduler", "started", null],
        [-5.8, "engine", "paused", "10 consecutive failures (20003)"],
      ],
      { hostileRow: 2, failedCode: 20003 },
    );
    add(
      {
        name: "Holiday office closure",
        status: "canceled",
        audience: audience("$/Herald/All staff"),
        template: "The office is closed Dec 24 – Jan 1.",
        scheduled_at: hours(-200),
        started_at: hours(-200),
        completed_at: hours(-199.9),
        summary_audience: 60,
      },
      { delivered: 12, canceled: 48 },
      [
        [-220, "user", "created", null],
        [-200, "scheduler", "started", null],
        [-199.9, "user", "canceled", "Sent to the wrong list"],
      ],
    );
    add(
      {
        name: "Member survey (draft)",
        status: "draft",
        audience: { query: null, params: {}, csv: "members-2025.csv", id_column: "ID", phone_column: "Mobile" },
        template: "Hi ${FirstName}, we’d love your thoughts on this year’s conference: https://example.org/survey",
      },
      {},
      [[-3, "user", "created", null]],
    );
    this.snapshots.set(this.nextId - 1, { table: parseCsv(DEMO_CSV), fetchedAt: hours(-2.5), sourceName: "members-2025.csv" });
    add(
      {
        name: "2024 Annual Meeting",
        status: "archived",
        archived_from: "completed",
        mode: "live",
        audience: audience("$/Herald/Members"),
        template: "The Annual Meeting is on June 5.",
        scheduled_at: hours(-2000),
        started_at: hours(-2000),
        completed_at: hours(-1998),
        summary_audience: 820,
      },
      { delivered: 790, undelivered: 10, failed: 5, error: 15 },
      [
        [-2100, "user", "created", null],
        [-2000, "scheduler", "started", null],
        [-1998, "engine", "completed", null],
        [-1000, "user", "archived", null],
      ],
    );

    // The Spring Conference's members answered: one STOP, one that asks to stop in words,
    // a question, and a reply that is markup (member text is untrusted).
    const spring = 1;
    const springName = "Spring Conference reminder";
    for (const [h, from, body, name, imisId] of [
      [-73.9, "+12025550143", "STOP", "Dana Whitfield", "23581"],
      [-73.5, "+12025550188", "Please remove me from this list", "Omar Haddad", "23602"],
      [-73.2, "+12025550121", "Is parking included with registration?", "Li Wei", "23554"],
      [-72.8, "+12025550177", "<img src=x onerror=alert(1)>", null, null],
    ] as const) {
      this.replies.store({ from, body, at: hours(h), campaignId: spring, campaignName: springName, memberName: name, imisId });
    }
    // The Spring Conference's report went out when it completed; a later re-send failed.
    this.enqueueReport(spring, "completed", "events@example.org", hours(-72.5));
    this.enqueueReport(spring, "resend-1", "events@example.org", hours(-30));
    const [sent, failed] = this.outbox;
    if (sent && failed) {
      Object.assign(sent, { state: "sent", attempts: 1, sent_at: hours(-72.49) });
      Object.assign(failed, {
        state: "failed",
        attempts: 5,
        last_error: "the mail server refused the login (535 5.7.8 authentication failed); check Settings → Email reports",
      });
    }
  }

  /** A completed campaign of `size` messages made on demand, to show the grid copes (mock mode). */
  private seedLarge(size: number): void {
    const id = this.nextId++;
    const now = this.now().getTime();
    const hours = (h: number) => new Date(now + h * 3_600_000).toISOString();
    const startedAt = now - 20 * 3_600_000;
    const campaign: Campaign = {
      id,
      name: `Dues reminder — all members (${size.toLocaleString("en-US")})`,
      status: "completed",
      mode: "test",
      report_email: "membership@example.org",
      audience: { query: "$/Herald/All members", params: {}, csv: null, id_column: "ID", phone_column: "Mobile" },
      template: "${FirstName}, your dues for next year are ready. Renew in two minutes: https://example.org/dues",
      skip_empty: false,
      write_back: "activity",
      scheduled_at: new Date(startedAt).toISOString(),
      started_at: new Date(startedAt).toISOString(),
      completed_at: new Date(startedAt + size * 250 + 60_000).toISOString(),
      pause_reason: null,
      summary_audience: size,
      archived_from: null,
      created_at: hours(-48),
      updated_at: hours(-2),
      send_window: structuredClone(DEFAULT_WINDOW),
    };
    const firstId = this.nextMessageId;
    this.nextMessageId += size;
    const options = { firstId, startedAt, writeBack: writesBack(campaign), hostileRow: 2 };
    const generated = generatedSource(
      size,
      (i) => generatedMessage(i, options),
      (i) => generatedFacts(i, options),
    );
    this.campaigns.set(id, { campaign, messages: [], generated });
    this.log(id, "user", "created", null, hours(-48));
    this.log(id, "scheduler", "started", `${size.toLocaleString("en-US")} recipients from the IQA`, campaign.started_at ?? undefined);
    this.log(id, "engine", "completed", null, campaign.completed_at ?? undefined);
    if (campaign.completed_at !== null) {
      this.enqueueReport(id, "completed", "membership@example.org", campaign.completed_at);
      const entry = this.outbox.at(-1);
      if (entry) Object.assign(entry, { state: "sent", attempts: 1, sent_at: campaign.completed_at });
    }
  }
}

function unknownQuery(path: string): never {
  return fail("imis", `iMIS has no query at '${path.trim()}'; check the path (it starts with $/) or browse for it`);
}

/** Set when the rows have no column like an iMIS ID or a mobile phone (drafts::column_problem). */
function columnProblem(preview: AudiencePreview): string | null {
  const missing = [
    preview.suggested_id_column === null ? "an iMIS ID" : null,
    preview.suggested_phone_column === null ? "a mobile phone number" : null,
  ].filter((m): m is string => m !== null);
  if (missing.length === 0 || preview.source !== null) return null;
  const columns = preview.columns.length === 0 ? "no columns" : preview.columns.join(", ");
  return `No column looks like ${missing.join(" or ")}. The query returns: ${columns}. Pick the right columns below, or choose a query that returns them.`;
}

/** A draft's own window, checked as the backend checks it. */
function draftWindow(spec: WindowSpec): WindowSpec {
  try {
    return cleanWindow(spec);
  } catch (e) {
    if (e instanceof WindowError) return fail("invalid", `the sending window: ${e.message}`);
    throw e;
  }
}

function emptyList(): RowList {
  return { total: 0, rows: [] };
}

function checkAudience(a: AudienceSource): void {
  const query = a.query?.trim() ?? "";
  const csv = a.csv?.trim() ?? "";
  if ((query === "") === (csv === "")) fail("invalid", "the audience needs a query path or a CSV file");
  if (a.id_column.trim() === "") fail("invalid", "choose the column that holds the iMIS ID");
  if (a.phone_column.trim() === "") fail("invalid", "choose the column that holds the mobile phone number");
}

/** When `segments` sent from `start` at `rate` a second, under `cap` a UTC day, would finish. */
function plan(segments: number, start: Date, now: Date, rate: number, cap: number): SendPlan {
  const perSecond = Number.isFinite(rate) && rate > 0 ? rate : 1;
  const today = now.toISOString().slice(0, 10);
  const perDay: SendPlan["per_day"] = [];
  let remaining = segments;
  let t = start.getTime();
  for (let guard = 0; remaining > 0 && guard < 3660; guard++) {
    const day = new Date(t).toISOString().slice(0, 10);
    const midnight = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
    const left = Math.max(cap - (day === today ? USED_TODAY : 0), 0);
    const send = Math.min(remaining, left, Math.floor(((midnight - t) / 1000) * perSecond));
    if (send > 0) {
      remaining -= send;
      perDay.push({ day, segments: send });
      t += Math.ceil((send / perSecond) * 1000);
    }
    if (remaining > 0) t = midnight;
  }
  return {
    start: start.toISOString(),
    finish: new Date(t).toISOString(),
    days: Math.max(perDay.length, 1),
    per_day: perDay,
  };
}

/** The demo draft's audience: accents, emoji, bad and duplicate numbers, an opt-out. */
const DEMO_CSV = [
  "ID,FirstName,LastName,Mobile,City",
  "1001,Zoë,Brown,(201) 555-0123,Hoboken",
  "1002,Ann,Brown,201.555.0123,Hoboken",
  "1003,<img src=x onerror=alert(1)>,,N/A,Nowhere",
  "1004,José,García,+1 312 555 0101,Chicago",
  "1005,Kai 🌊,Nakamura,415-555-0199,San Francisco",
  "1006,Priya,Raman,(202) 555-0147,Washington",
  ",Lee,Park,646-555-0102,New York",
  "1008,Omar,Haddad,,Detroit",
  "1009,Siobhán,O’Neill,617-555-0175,Boston",
  "1010,Marcus,Lee,312-555-0188,Chicago",
  "1011,Ingrid,Johansson,612-555-0133,Minneapolis",
  "1012,Chen,Wei,206-555-0166,Seattle",
  "1013,Fatima,Zahra,713-555-0121,Houston",
  "1014,Noah,Williams,555-0100,Austin",
  "1015,Émilie,Tremblay,+1 514 555 0148,Montréal",
  "1016,David,Cohen,305-555-0190,Miami",
  "1017,Aiko,Tanaka,808-555-0111,Honolulu",
  "1018,Grace,Okafor,404-555-0177,Atlanta",
  "1019,Lucas,Silva,617-555-0175,Cambridge",
  "1020,Hannah,Schmidt,503-555-0139,Portland",
  "1021,Mateo,Rossi,702-555-0124,Las Vegas",
  "1022,Olivia,Martin,919-555-0106,Raleigh",
  "1023,Yusuf,Demir,215-555-0158,Philadelphia",
  "1024,Sofia,Novak,312-555-0142,Chicago",
].join("\n");

/** A time as the backend writes it for staff (zone::local_time): "2026-12-06 09:14 EST", in this
 *  machine's zone; null for none. */
function localTime(iso: string | null): string | null {
  if (iso === null) return null;
  const parts = new Intl.DateTimeFormat("en-US", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")} ${part("timeZoneName")}`;
}

function deliveredRate(counts: MessageCounts): number | null {
  const settled = counts.delivered + counts.undelivered + counts.failed;
  return settled === 0 ? null : counts.delivered / settled;
}

const SORT_COLUMNS = new Set<string>(["row", "name", "imis_id", "phone", "status", "error_code", "segments", "sent_at", "updated_at"]);
const MESSAGE_STATUSES = new Set<string>(["preparing", "sent", "delivered", "undelivered", "failed", "error", "skipped", "canceled"]);

/** The grid's query, checked as serde would (unknown statuses or columns are refused). */
function query(args: Args): MessageQuery {
  const value = args.query;
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("invalid", "Missing argument query.");
  const q = value as Partial<Record<keyof MessageQuery, unknown>>;
  if (typeof q.limit !== "number") fail("invalid", "query.limit is missing");
  const statuses = q.statuses ?? [];
  if (!Array.isArray(statuses) || !statuses.every((s): s is MessageStatus => typeof s === "string" && MESSAGE_STATUSES.has(s))) {
    fail("invalid", "query.statuses has an unknown status");
  }
  const sort = q.sort ?? "row";
  if (typeof sort !== "string" || !SORT_COLUMNS.has(sort)) fail("invalid", "query.sort is not a column");
  const code = q.error_code ?? null;
  const search = q.search ?? null;
  if (code !== null && typeof code !== "number") fail("invalid", "query.error_code must be a number");
  if (search !== null && typeof search !== "string") fail("invalid", "query.search must be text");
  return {
    statuses,
    error_code: code,
    search,
    sort: sort as MessageQuery["sort"],
    descending: q.descending === true,
    offset: typeof q.offset === "number" ? q.offset : 0,
    limit: q.limit,
  };
}

function num(args: Args, name: string): number {
  const value = args[name];
  if (typeof value !== "number") fail("invalid", `Missing argument ${name}.`);
  return value;
}

function strings(args: Args, name: string): string[] {
  const value = args[name];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) {
    fail("invalid", `Missing argument ${name}.`);
  }
  return value;
}

function stringMap(args: Args, name: string): Record<string, string> {
  const value = args[name];
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("invalid", `Missing argument ${name}.`);
  const map: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") fail("invalid", `Argument ${name}.${key} must be text.`);
    map[key] = v;
  }
  return map;
}

function str(args: Args, name: string): string {
  const value = args[name];
  if (typeof value !== "string") fail("invalid", `Missing argument ${name}.`);
  return value;
}
