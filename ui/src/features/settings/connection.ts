// The iMIS section's "Test connection": what the answer means, in words for association staff.
import type { ImisConnectionReport } from "../../api";
import { capitalizeFirst, formatCount } from "../../lib/format";

export interface ConnectionResult {
  tone: "success" | "warning";
  text: string;
}

/** "3 folders and queries at the top level", "1 folder or query …", "no folders or queries …". */
export function topLevelPhrase(count: number): string {
  if (count === 0) return "no folders or queries at the top level";
  if (count === 1) return "1 folder or query at the top level";
  return `${formatCount(count)} folders and queries at the top level`;
}

export function connectionResult(report: ImisConnectionReport): ConnectionResult {
  const found = topLevelPhrase(report.root_entries);
  if (report.demo) {
    return {
      tone: "success",
      text: `No iMIS address is set, so Herald uses its demo directory (sample data, TEST only): ${found}. Enter the Base URL, Username and Password above to connect to your iMIS.`,
    };
  }
  if (report.textmsg) {
    return { tone: "success", text: `Connected: ${found}; TEXTMSG activity type found.` };
  }
  return {
    tone: "warning",
    text: `Connected: ${found}; but the TEXTMSG activity type is missing, so texts can't be recorded as Activities until an iMIS administrator adds it (Settings → Contacts → Activity Types).`,
  };
}

/** The mail server's "Test connection": what the backend found ("Connected to host:587 and logged in"). */
export function smtpResult(found: string): ConnectionResult {
  const text = capitalizeFirst(found.trim());
  return { tone: "success", text: /[.!?]$/.test(text) ? text : `${text}.` };
}

/** Twilio's "Test connection": the account's name and status as Twilio reported them. */
export function twilioResult(account: string): ConnectionResult {
  return { tone: "success", text: `Connected to Twilio: ${account}.` };
}
