// The message step's live analysis: asks the backend on every edit, coalescing bursts of
// keystrokes and keeping only the newest answer (an older one arriving late is ignored).
import { api, errorMessage, type MessageAnalysis } from "../../api";

export interface AnalysisInput {
  template: string;
  columns: string[];
  values: string[];
}

export class MessageAnalyzer {
  /** The newest analysis, for `template`. */
  result = $state<MessageAnalysis | null>(null);
  /** The template `result` describes (the mirror highlights this text, not a newer one). */
  template = $state<string | null>(null);
  error = $state<string | null>(null);

  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly delay: number;

  constructor(delayMs = 30) {
    this.delay = delayMs;
  }

  /** Analyses soon; calls within the delay are coalesced into the last one. */
  schedule(input: AnalysisInput): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.run(input);
    }, this.delay);
  }

  /** Analyses now and resolves to the answer (null if the call failed). */
  async run(input: AnalysisInput): Promise<MessageAnalysis | null> {
    clearTimeout(this.timer);
    const seq = ++this.seq;
    try {
      const result = await api.analyzeMessage(input.template, input.columns, input.values);
      if (seq === this.seq) {
        this.result = result;
        this.template = input.template;
        this.error = null;
      }
      return result;
    } catch (e) {
      if (seq === this.seq) this.error = errorMessage(e);
      return null;
    }
  }

  /** True when the analysis shown is the one of `template`. */
  isFor(template: string): boolean {
    return this.result !== null && this.template === template;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
