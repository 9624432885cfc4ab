// The six steps of the one-time campaign wizard, in the order of the SPEC.

export interface WizardStep {
  title: string;
  /** One line under the step's title: what the step does. */
  summary: string;
}

export const STEPS: readonly WizardStep[] = [
  {
    title: "Campaign information",
    summary: "Name the campaign, choose who gets the report, and pick TEST or LIVE.",
  },
  {
    title: "Target audience",
    summary: "Choose who receives the text, and which columns hold their iMIS ID and mobile number.",
  },
  {
    title: "Message",
    summary: "Write the text, with merge fields such as ${FirstName}, and watch what it costs.",
  },
  {
    title: "iMIS contact data",
    summary: "Decide where each sent text is recorded in iMIS.",
  },
  {
    title: "Schedule",
    summary: "Send now, or at a date and time you choose.",
  },
  {
    title: "Summary",
    summary: "Check who gets the text, what it costs and when it finishes, then schedule it.",
  },
];

/** The step at `index`, clamped to the existing ones. */
export function stepAt(index: number): WizardStep {
  const step = STEPS[Math.min(Math.max(index, 0), STEPS.length - 1)];
  if (!step) throw new Error("the wizard has no steps");
  return step;
}

/** How many steps, from the first, are complete: the index of the first incomplete one. */
export function completedSteps(done: readonly boolean[]): number {
  const first = done.findIndex((d) => !d);
  return first === -1 ? done.length : first;
}

/** Which steps show their checkmark: those visited since the wizard opened that are complete
 *  (a draft reopened does not tick steps nobody looked at). */
export function doneSteps(valid: readonly boolean[], visited: readonly boolean[]): boolean[] {
  return valid.map((ok, index) => ok && visited[index] === true);
}
