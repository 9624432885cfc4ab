// The one door to the backend. Nothing outside src/api imports bindings.ts: callers get the data,
// or an ApiError carrying the backend's stable `code` to branch on and its `message` for people.
import { capitalizeFirst } from "../lib/format";
import { commands, type AppError, type ErrorCode, type MessageQuery, type ReplyQuery, type Result } from "./bindings";

export type {
  ActivityTypeCheck,
  Actor,
  AppError,
  AppInfo,
  AudiencePreview,
  AudienceSource,
  AudienceSummary,
  Campaign,
  CampaignDetail,
  CampaignEvent,
  CampaignListItem,
  CampaignStatus,
  CampaignsChanged,
  DaySegments,
  DraftChanges,
  DraftSummary,
  ErrorCode,
  ErrorCount,
  FixPlace,
  ForcingChar,
  ImisConnectionReport,
  ImportProblem,
  ImportReport,
  Json,
  ListedRow,
  MessageAnalysis,
  MessageCounts,
  MessagePage,
  MessageQuery,
  MessageRow,
  MessageStatus,
  Mode,
  NewCampaign,
  OpenCampaign,
  OptOut,
  OptOutChange,
  OptOutSource,
  OutboxEntry,
  Preflight,
  PreflightCheck,
  QueryColumn,
  QueryEntry,
  QueryEntryKind,
  QueryImport,
  QueryInfo,
  QueryParameter,
  QuitRequested,
  Reply,
  ReplyKind,
  ReplyQuery,
  ReportCount,
  ReportError,
  ReportView,
  RowList,
  SecretStatus,
  SendPlan,
  SendingStats,
  SettingEntry,
  SettingKind,
  SortColumn,
  SyncReport,
  TemplateProblem,
  TestText,
  TestTextState,
  TimelinePoint,
  WindowSpec,
  WindowWait,
  WriteBackFailure,
  WriteBackKind,
  WriteBackStatus,
  WriteBackTarget,
  ZoneCount,
} from "./bindings";

export { onCampaignsChanged, onOpenCampaign, onQuitRequested, onSettingsChanged } from "./events";

const ERROR_CODES: readonly ErrorCode[] = [
  "not_found",
  "illegal_transition",
  "invalid_setting",
  "unknown_setting",
  "invalid",
  "conflict",
  "keychain",
  "storage",
  "io",
  "imis",
  "internal",
];

export class ApiError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns whatever the IPC layer rejected with into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as Partial<Record<keyof AppError, unknown>>;
    if (isErrorCode(code)) {
      return new ApiError(code, typeof message === "string" ? message : code);
    }
    if (error instanceof Error) return new ApiError("internal", error.message);
  }
  // Tauri itself rejects with a bare string (unknown command, missing permission, …).
  if (typeof error === "string") return new ApiError("internal", error);
  return new ApiError("internal", "Unexpected error from the backend.");
}

/** Resolves to the command's data or throws an ApiError. */
/** For commands with no Result on the Rust side: only the IPC layer itself can reject. */
export async function direct<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toApiError(error);
  }
}

export async function unwrap<T>(call: Promise<Result<T, AppError>>): Promise<T> {
  let result: Result<T, AppError>;
  try {
    result = await call;
  } catch (error) {
    throw toApiError(error);
  }
  if (result.status === "ok") return result.data;
  throw toApiError(result.error);
}

export const api = {
  appInfo: () => unwrap(commands.appInfo()),
  listCampaigns: () => unwrap(commands.listCampaigns()),
  getCampaign: (id: number) => unwrap(commands.getCampaign(id)),
  campaignEvents: (id: number) => unwrap(commands.campaignEvents(id)),
  createCampaign: (input: Parameters<typeof commands.createCampaign>[0]) =>
    unwrap(commands.createCampaign(input)),
  updateDraft: (id: number, changes: Parameters<typeof commands.updateDraft>[1]) =>
    unwrap(commands.updateDraft(id, changes)),
  deleteDraft: (id: number) => unwrap(commands.deleteDraft(id)),
  duplicateCampaign: (id: number) => unwrap(commands.duplicateCampaign(id)),
  /** A LIVE campaign needs `confirmedRecipients`: the count the person confirmed (refused if it changed). */
  scheduleCampaign: (id: number, at: string | null, confirmedRecipients: number | null = null) =>
    unwrap(commands.scheduleCampaign(id, at, confirmedRecipients)),
  /** The checks scheduling will make for a LIVE campaign (Twilio, iMIS, the mail server), each with its fix. */
  campaignPreflight: (id: number) => unwrap(commands.campaignPreflight(id)),
  /** One real text of a LIVE campaign's message to the person's own number (remembered for next time). */
  sendTestText: (id: number, to: string, asImisId: string | null) => unwrap(commands.sendTestText(id, to, asImisId)),
  /** The campaign's test texts, newest first. */
  campaignTestTexts: (id: number) => unwrap(commands.campaignTestTexts(id)),
  unscheduleCampaign: (id: number) => unwrap(commands.unscheduleCampaign(id)),
  archiveCampaign: (id: number) => unwrap(commands.archiveCampaign(id)),
  unarchiveCampaign: (id: number) => unwrap(commands.unarchiveCampaign(id)),
  /** Sending → paused: requests in flight finish, nothing new starts. */
  pauseCampaign: (id: number) => unwrap(commands.pauseCampaign(id)),
  resumeCampaign: (id: number) => unwrap(commands.resumeCampaign(id)),
  /** Scheduled, sending or paused → canceled: unsent messages become Canceled. */
  cancelCampaign: (id: number) => unwrap(commands.cancelCampaign(id)),
  /** Scheduled → started now (e.g. after its time passed while Herald was closed). */
  startCampaignNow: (id: number) => unwrap(commands.startCampaignNow(id)),
  /** A follow-up campaign, scheduled now, to the failed and undelivered recipients; its id. */
  retryFailed: (id: number) => unwrap(commands.retryFailed(id)),
  /** A page of the campaign's messages, in audience order. */
  campaignMessages: (id: number, offset: number, limit: number) =>
    unwrap(commands.campaignMessages(id, offset, limit)),
  /** One page of the dashboard grid, filtered, searched and sorted by the backend, with the match count. */
  campaignGrid: (id: number, query: MessageQuery) => unwrap(commands.campaignGrid(id, query)),
  /** The Twilio error codes seen in the campaign, most frequent first, each with its explanation. */
  campaignErrorCodes: (id: number) => unwrap(commands.campaignErrorCodes(id)),
  campaignTimeline: (id: number) => unwrap(commands.campaignTimeline(id)),
  campaignStats: (id: number) => unwrap(commands.campaignStats(id)),
  /** Asks where to save (the system's Save dialog), then writes every row matching `query`
   *  (offset and limit ignored) there as CSV: the path written, or null when the person cancelled. */
  exportMessagesCsv: (id: number, query: MessageQuery) => unwrap(commands.exportMessagesCsv(id, query)),
  /** Opens the file manager with a file this window exported selected (other paths are refused). */
  showInFolder: (path: string) => unwrap(commands.showInFolder(path)),
  /** The campaign's report as the email tells it, times already written in the workstation's zone. */
  campaignReport: (id: number) => unwrap(commands.campaignReport(id)),
  /** The system's print dialog for what the window shows (it can also save as PDF). */
  printWindow: () => unwrap(commands.printWindow()),
  /** The campaign's report emails, newest first. */
  reportOutbox: (id: number) => unwrap(commands.reportOutbox(id)),
  /** Queues the report email again; fails (invalid) when the campaign has no report address. */
  resendReport: (id: number) => unwrap(commands.resendReport(id)),
  /** Quits Herald; only after the user confirmed (see onQuitRequested). */
  quitApp: () => unwrap(commands.quitApp()),
  listSettings: () => unwrap(commands.listSettings()),
  setSetting: (key: string, value: string) => unwrap(commands.setSetting(key, value)),
  resetSetting: (key: string) => unwrap(commands.resetSetting(key)),
  /** Whether each secret is stored; never a value (the backend cannot read one back to us). */
  secretStatus: () => unwrap(commands.secretStatus()),
  setSecret: (name: string, value: string) => unwrap(commands.setSecret(name, value)),
  deleteSecret: (name: string) => unwrap(commands.deleteSecret(name)),
  importCsvAudience: (id: number, fileName: string, content: string) =>
    unwrap(commands.importCsvAudience(id, fileName, content)),
  audiencePreview: (id: number) => unwrap(commands.audiencePreview(id)),
  analyzeMessage: (template: string, columns: string[], values: string[]) =>
    direct(commands.analyzeMessage(template, columns, values)),
  draftSummary: (id: number, at: string | null) => unwrap(commands.draftSummary(id, at)),
  /** Folders and queries directly inside `folder` ("$" is the top). */
  imisListFolder: (folder: string) => unwrap(commands.imisListFolder(folder)),
  imisQueryDefinition: (path: string) => unwrap(commands.imisQueryDefinition(path)),
  /** Runs the query in iMIS and caches its rows as the draft's audience (like importCsvAudience). */
  importQueryAudience: (id: number, path: string, params: Record<string, string>) =>
    unwrap(commands.importQueryAudience(id, path, params)),
  imisActivityTypeCheck: () => unwrap(commands.imisActivityTypeCheck()),
  testImisConnection: () => unwrap(commands.testImisConnection()),
  /** Fetches the Twilio account with the stored credentials: its name and status, in words. */
  testTwilioConnection: () => unwrap(commands.testTwilioConnection()),
  /** Connects to the mail server, secures the connection and logs in; nothing is sent. */
  testSmtpConnection: () => unwrap(commands.testSmtpConnection()),
  writebackStatus: (campaign: number | null) => unwrap(commands.writebackStatus(campaign)),
  /** Replies members texted back, newest first (for one campaign, of one kind, matching a search). */
  listReplies: (query: ReplyQuery) => unwrap(commands.listReplies(query)),
  /** Staff read a reply that asks to stop as an opt-out: true if the number was newly added to the list. */
  confirmOptOut: (replyId: number) => unwrap(commands.confirmOptOut(replyId)),
  /** Reads new replies from Twilio now; null when Twilio is not set up. */
  checkReplies: () => unwrap(commands.checkReplies()),
  listOptOuts: () => unwrap(commands.listOptOuts()),
  /** Who was added to or removed from the opt-out list, when and why (newest first). */
  optOutHistory: (phone: string | null) => unwrap(commands.optOutHistory(phone)),
  /** Puts a number on the list for every sender: the number as E.164. */
  addOptOut: (number: string, note: string | null) => unwrap(commands.addOptOut(number, note)),
  removeOptOut: (sender: string, phone: string, reason: string) => unwrap(commands.removeOptOut(sender, phone, reason)),
  /** Adds the numbers of a CSV file's text (a column named Phone, Number or Mobile). */
  importOptOuts: (content: string) => unwrap(commands.importOptOuts(content)),
  /** Asks where to save (the Save dialog) and writes the list as CSV: the path, or null when cancelled. */
  exportOptOuts: () => unwrap(commands.exportOptOuts()),
  firstPaint: () => direct(commands.firstPaint()),
} satisfies Record<keyof typeof commands, (...args: never[]) => Promise<unknown>>;

export type Api = typeof api;

/** A message for people from anything caught around an api call, starting with a capital. */
export function errorMessage(error: unknown): string {
  return capitalizeFirst(toApiError(error).message);
}
