// The campaign page's progress, counters, controls and message cells, as plain functions.
import type { CampaignStatus, MessageCounts, MessageRow, MessageStatus, Mode, SendingStats, WriteBackStatus } from "../../api";
import { capitalizeFirst, DASH, formatCount, formatLocal, formatMoney, formatRelative, formatZoned, plural } from "../../lib/format";
import { waitingLines } from "../window/window";

/** How long the page waits after a change before reloading, so a burst of events is one reload. */
export const REFRESH_DELAY_MS = 250;
/** The statuses-over-time curve and the figures follow changes at most this often, and never
 *  spend more than a tenth of the time being worked out (they read every message). */
export const TIMELINE_REFRESH_MS = 3000;

/** While a campaign sends or waits to, its figures are refreshed this often even without
 *  events (a send held back by the daily cap sends none). */
export const FIGURES_TICK_MS = 15_000;

/**
 * How long the next refresh of the curve and the figures waits. While they show nothing
 * yet (a send just starting) the first numbers come as fast as the counters do; then at
 * most every few seconds. Either way never more often than ten times what the last load took.
 */
export function timelineDelay(lastLoadMs: number, showsNothingYet = false): number {
  return Math.max(showsNothingYet ? REFRESH_DELAY_MS : TIMELINE_REFRESH_MS, Math.round(lastLoadMs * 10));
}

export interface Progress {
  /** Messages that went out: sent (awaiting the report), delivered, undelivered or failed. */
  sent: number;
  /**
   * Messages to send: all of them but those that never will be, Not sendable (no valid number)
   * and Skipped (duplicates, opted out…). Canceled ones stay counted: they were meant to go,
   * so a campaign canceled part-way does not read as done.
   */
  toSend: number;
  /** Not sendable and Skipped: left out of both sides. */
  leftOut: number;
  /** Whole percent of `toSend` that went out, rounded down so it only says 100% when all did. */
  percent: number;
}

export function progressOf(counts: MessageCounts): Progress {
  const leftOut = Math.max(counts.error, 0) + Math.max(counts.skipped, 0);
  const toSend = Math.max(counts.total - leftOut, 0);
  const went = counts.sent + counts.delivered + counts.undelivered + counts.failed;
  const sent = Math.min(Math.max(went, 0), toSend);
  const percent = toSend === 0 ? 0 : Math.floor((sent * 100) / toSend);
  return { sent, toSend, leftOut, percent };
}

/**
 * What the dashboard's polite live region says about the progress. It changes only at each
 * tenth while sending and when the status changes, so a screen reader speaks it now and then,
 * never on every update of the counts.
 */
export function progressAnnouncement(status: CampaignStatus, p: Progress): string {
  if (p.toSend === 0) return "";
  switch (status) {
    case "sending": {
      const tenth = Math.floor(p.percent / 10) * 10;
      return tenth === 0 ? "Sending has started." : `Sending: ${String(tenth)}% sent.`;
    }
    case "paused":
      return `Paused with ${String(p.percent)}% sent.`;
    case "completed":
      return p.sent === p.toSend ? "Completed: every text was sent." : `Completed: ${formatCount(p.sent)} of ${formatCount(p.toSend)} sent.`;
    case "canceled":
      return `Canceled: ${formatCount(p.sent)} of ${formatCount(p.toSend)} had been sent.`;
    default:
      return "";
  }
}

/** The progress bar's colour: calm while it runs, amber when paused, green when done. */
export function progressTone(status: CampaignStatus): "accent" | "success" | "warning" | "neutral" {
  switch (status) {
    case "paused":
      return "warning";
    case "completed":
      return "success";
    case "canceled":
    case "archived":
      return "neutral";
    default:
      return "accent";
  }
}

/** Whether the page shows the live progress header for a campaign in this status. */
export function showsProgress(status: CampaignStatus): boolean {
  return status === "scheduled" || status === "sending" || status === "paused" || status === "completed" || status === "canceled";
}

export interface Counter {
  status: MessageStatus;
  label: string;
  /** One line under the number, where the label alone does not say enough. */
  note?: string;
}

/** The counters under the progress bar, in the order people read them. */
export const COUNTERS: readonly Counter[] = [
  { status: "delivered", label: "Delivered" },
  { status: "sent", label: "Sent, awaiting report" },
  { status: "undelivered", label: "Undelivered" },
  { status: "failed", label: "Failed" },
  { status: "error", label: "Not sendable", note: "Invalid or missing phone number" },
  { status: "skipped", label: "Skipped" },
  { status: "canceled", label: "Canceled" },
  { status: "preparing", label: "Waiting to send" },
];

export function counterLabel(status: MessageStatus): string {
  return COUNTERS.find((c) => c.status === status)?.label ?? status;
}

/** One line under the status: what is happening, in plain words. */
export function statusNote(status: CampaignStatus): string {
  switch (status) {
    case "scheduled":
      return "Waiting for its start time. Nothing has been sent yet.";
    case "sending":
      return "Texts are going out now. This page updates by itself.";
    case "paused":
      return "Nothing new is sent until you resume. Texts already sent are still tracked.";
    case "completed":
      return "Every text was sent and the delivery reports are in.";
    case "canceled":
      return "Stopped for good. Texts already sent are still tracked.";
    case "draft":
      return "Being written; nothing is sent.";
    case "archived":
      return "Put away; nothing more will happen.";
  }
}

export type CampaignAction = "pause" | "resume" | "cancel";

/** The sending controls a campaign in this status offers. */
export function campaignActions(status: CampaignStatus): CampaignAction[] {
  switch (status) {
    case "sending":
      return ["pause", "cancel"];
    case "paused":
      return ["resume", "cancel"];
    case "scheduled":
      return ["cancel"];
    default:
      return [];
  }
}

export const ACTION_LABELS: Record<CampaignAction, string> = {
  pause: "Pause",
  resume: "Resume",
  cancel: "Cancel campaign",
};

/** What the toast says once the action went through. */
export const ACTION_DONE: Record<CampaignAction, string> = {
  pause: "Paused. Nothing new is sent until you resume.",
  resume: "Resumed. Texts are going out again.",
  cancel: "Campaign canceled. Texts already sent are still tracked.",
};

const MASK = "•••";

/**
 * A phone number with its middle hidden: "+12015554567" → "+1201•••4567". Anything that is not
 * an E.164 number (a raw value that could not be read) keeps only its last 4 characters.
 */
export function maskPhone(phone: string): string {
  const value = phone.trim();
  if (/^\+\d{9,15}$/.test(value)) return `${value.slice(0, 5)}${MASK}${value.slice(-4)}`;
  if (value.length <= 4) return MASK;
  return `${MASK}${value.slice(-4)}`;
}

/** The number a message went (or would go) to: E.164 when known, else what the audience said. */
export function shownPhone(row: Pick<MessageRow, "to" | "phone_raw">, reveal: boolean): string {
  const phone = row.to ?? row.phone_raw;
  if (phone === null || phone.trim() === "") return DASH;
  return reveal ? phone : maskPhone(phone);
}

/** Twilio's code and explanation, or else why Herald did not send it; "" when all went well. */
export function messageProblem(row: Pick<MessageRow, "error_code" | "error_message" | "status_reason">): string {
  // The backend fills in its explanation of a code Twilio gave no words for.
  const text = row.error_message ?? row.status_reason;
  const words = text === null ? "" : capitalizeFirst(text);
  if (row.error_code !== null) return words === "" ? String(row.error_code) : `${String(row.error_code)}: ${words}`;
  return words;
}

/** The segments Twilio billed, or the estimate until it says. */
export function messageSegments(row: Pick<MessageRow, "segments" | "twilio_segments">): number {
  return row.twilio_segments ?? row.segments;
}

/** The message's iMIS write-back state in words ("—" when the campaign does not write back). */
export function writebackLabel(state: string): string {
  switch (state) {
    case "done":
      return "Recorded";
    case "pending":
      return "Waiting";
    case "failed":
      return "Failed";
    case "not_needed":
      return DASH;
    default:
      return capitalizeFirst(state.replace(/_/g, " "));
  }
}

/** "iMIS write-back: 120 done · 3 waiting · 1 failed". */
export function writebackSummary(status: Pick<WriteBackStatus, "done" | "pending" | "in_flight" | "failed">): string {
  const waiting = status.pending + status.in_flight;
  return `iMIS write-back: ${formatCount(status.done)} done · ${formatCount(waiting)} waiting · ${formatCount(status.failed)} failed`;
}

/**
 * Runs `load` at most once per burst of requests: the first request waits `delay` ms (so the
 * burst can gather), and a request that comes while `load` runs makes it run once more after.
 * Loads never overlap. `delay` may be a function, asked each time.
 */
export function coalesce(
  load: () => Promise<void>,
  delay: number | (() => number),
): { request: () => void; dispose: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  let disposed = false;

  function schedule() {
    timer = setTimeout(
      () => {
        timer = undefined;
        if (!disposed) void run();
      },
      typeof delay === "function" ? delay() : delay,
    );
  }

  async function run() {
    running = true;
    try {
      await load();
    } catch {
      // load reports its own errors; a failed refresh must not stop the next one.
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      schedule();
    }
  }

  return {
    request() {
      if (disposed) return;
      if (running) again = true;
      else if (timer === undefined) schedule();
    },
    dispose() {
      disposed = true;
      again = false;
      clearTimeout(timer);
    },
  };
}

/** Recipients a retry would text again: failed or undelivered (not errors: those never went). */
export function retryable(counts: { failed: number; undelivered: number }): number {
  return counts.failed + counts.undelivered;
}

/** Whether "Retry failed" is offered: the campaign has stopped sending and some failed. */
export function canRetry(status: CampaignStatus, counts: { failed: number; undelivered: number }): boolean {
  return (status === "completed" || status === "canceled") && retryable(counts) > 0;
}

/** Whether "Start now" is offered: scheduled, and its time has passed (it waits for a go-ahead). */
export function canStartNow(status: CampaignStatus, scheduledAt: string | null, now: number): boolean {
  return status === "scheduled" && scheduledAt !== null && Date.parse(scheduledAt) < now - 60_000;
}

/** An event's detail as staff read it: the backend writes "now" or "for <RFC 3339 time>"
 *  for a schedule, shown as "to send now" and the local time; other details as written. */
export function eventDetail(kind: string, detail: string | null): string | null {
  if (detail === null || detail === "") return null;
  if (kind === "scheduled" && detail === "now") return "To send now";
  const at = /^for (\d{4}-\d{2}-\d{2}T\S+)$/.exec(detail)?.[1];
  if (at !== undefined && !Number.isNaN(Date.parse(at))) return `For ${formatLocal(at)}`;
  return capitalizeFirst(detail);
}

/** One figure of the progress card: what it is, its value, and a line under it. */
export interface Figure {
  id: "rate" | "finish" | "segments" | "cost";
  label: string;
  value: string;
  note: string | null;
  /** The daily cap holds part of the send for another day. */
  warning?: boolean;
}

/** A sum of money to the cent ("$2,053.61", "$0.02"); in its own unit when Twilio priced in another. */
function money(amount: number, unit: string | null): string {
  const shown = formatMoney(amount);
  return unit === null || unit.toUpperCase() === "USD" ? `$${shown}` : `${shown} ${unit}`;
}

/**
 * The progress card's figures: the rate texts go out at now, when the rest will have gone
 * (and whether the daily cap pushes that to another day), and segments and cost as estimated
 * against what Twilio reported.
 */
export function sendingFigures(s: SendingStats, status: CampaignStatus, mode: Mode, now: Date): Figure[] {
  const figures: Figure[] = [];
  if (status === "sending") {
    // Before the messages are recorded there is no rate to speak of.
    const prepared = s.segments_estimated > 0 || s.remaining > 0;
    figures.push({
      id: "rate",
      label: "Sending rate",
      value: prepared ? `${s.current_rate.toFixed(1)} texts a second` : "Starting",
      note: prepared
        ? `Over the last minute; the limit is ${s.configured_rate.toLocaleString("en-US", { maximumFractionDigits: 2 })} segments a second (a 2-segment text counts twice)`
        : "Herald is reading the audience and preparing the messages",
    });
  }
  // Only while it will still send: figures read just before the campaign completed (or was
  // canceled) may still carry a finish.
  if (s.finish !== null && (status === "sending" || status === "scheduled")) {
    const capped = s.finish_days > 1;
    figures.push({
      id: "finish",
      label: "Time to finish",
      value: `${capitalizeFirst(formatRelative(s.finish, now))}, ${formatZoned(s.finish, { now })}`,
      note: capped
        ? `The daily cap (${plural(s.daily_cap, "segment", "segments")} a UTC day, ${formatCount(s.cap_left_today)} left today) ` +
          `spreads the last ${plural(s.remaining, "message", "messages")} over ${formatCount(s.finish_days)} days`
        : `${plural(s.remaining, "message", "messages")} left, at the configured rate`,
      warning: capped,
    });
  } else if (status === "paused" && s.remaining > 0) {
    figures.push({
      id: "finish",
      label: "Time to finish",
      value: "Paused",
      note: `${plural(s.remaining, "message", "messages")} left to send when it resumes`,
    });
  }
  if (s.segments_estimated > 0) {
    figures.push({
      id: "segments",
      label: "Segments",
      value: `${formatCount(s.segments_estimated)} estimated`,
      note:
        s.messages_with_segments > 0
          ? `${formatCount(s.segments_reported)} reported by Twilio for ${plural(s.messages_with_segments, "message", "messages")}`
          : "Twilio reports the count as texts go out",
    });
    figures.push({
      id: "cost",
      label: "Cost",
      value: `${money(s.cost_estimated, null)} estimated`,
      note:
        mode === "test"
          ? "TEST: nothing is charged"
          : s.messages_priced > 0
            ? `${money(s.cost_actual, s.cost_unit)} charged for ${plural(s.messages_priced, "message", "messages")} so far`
            : "Twilio prices each text some time after it goes out",
    });
  }
  return figures;
}

/**
 * The paused campaign's notice: its reason, said once ("Paused by the user", not "Paused:
 * Paused by the user").
 */
export function pauseNotice(reason: string | null): string {
  const said = reason?.trim();
  if (!said) return "Paused.";
  return /^paused\b/iu.test(said) ? capitalizeFirst(said) : `Paused: ${capitalizeFirst(said)}`;
}

/** What the progress card says about the sending window: what waits for it, or that there is none. */
export interface WindowNotes {
  /** The first sentences of what waits, and "and 2 more zones"; null when nothing waits. */
  waiting: { shown: string[]; more: string | null } | null;
  /** The campaign sends at any hour (no window). */
  anyHour: boolean;
}

export function windowNotes(s: Pick<SendingStats, "waiting_words" | "window_enabled">, status: CampaignStatus): WindowNotes {
  const going = status === "sending" || status === "scheduled";
  return {
    waiting: going && s.waiting_words.length > 0 ? waitingLines(s.waiting_words) : null,
    anyHour: !s.window_enabled && (going || status === "paused"),
  };
}
