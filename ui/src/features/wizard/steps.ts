// The six steps of the one-time campaign wizard, in the order of the SPEC.

export interface WizardStep {
  title: string;
  /** What the step does, shown while it is not built yet. */
  summary: string;
  points: readonly string[];
}

export const STEPS: readonly WizardStep[] = [
  {
    title: "Campaign information",
    summary: "Name the campaign, choose who gets the report, and pick TEST or LIVE.",
    points: [],
  },
  {
    title: "Target audience",
    summary: "Choose who receives the text, using an iMIS IQA query.",
    points: [
      "Browse the iMIS query folders or type a query path, and fill in its parameters.",
      "Pick the iMIS ID column and the mobile phone column; every other column becomes a merge field.",
      "Preview the first rows and the row count. The result is kept with the draft, so you can go on offline.",
    ],
  },
  {
    title: "Message",
    summary: "Write the text, with merge fields such as ${FirstName}.",
    points: [
      "Click a merge field to insert it; see a live preview for any recipient.",
      "A segment meter shows characters, encoding (GSM-7 or UCS-2) and segments, and offers plain replacements for characters that force UCS-2.",
      "Choose whether recipients with an empty merge value are skipped.",
    ],
  },
  {
    title: "iMIS contact data",
    summary: "Decide where each sent text is recorded in iMIS.",
    points: [
      "Activities (TEXTMSG, the default), the Communication Log, or nowhere.",
      "Herald checks that the TEXTMSG activity type exists and shows your iMIS admin how to create it if not.",
    ],
  },
  {
    title: "Schedule",
    summary: "Send now, or at a date and time you choose.",
    points: ["Times are entered and shown in your local time, with the UTC time beside them."],
  },
  {
    title: "Summary",
    summary: "Check everything before scheduling.",
    points: [
      "Contacts from the query, and how many Herald will text after removing invalid numbers, duplicates and opt-outs.",
      "Estimated segments, cost, today's remaining daily segment cap, and the expected start and finish.",
      "Then Save and Schedule, or keep it as a draft.",
    ],
  },
];

/** The step at `index`, clamped to the existing ones. */
export function stepAt(index: number): WizardStep {
  const step = STEPS[Math.min(Math.max(index, 0), STEPS.length - 1)];
  if (!step) throw new Error("the wizard has no steps");
  return step;
}
