// Step 3 (Message): the editor's pure logic. Offsets from the backend are UTF-16 code units,
// which is exactly what JavaScript string indices count.
import type { ForcingChar, TemplateProblem } from "../../api";

export interface TextPiece {
  text: string;
  /** Set when this piece is one character that forces UCS-2. */
  forcing: ForcingChar | null;
}

/**
 * Cuts `text` into plain runs and the characters that force UCS-2, for the highlight mirror.
 * Entries that do not match the text at their offset (a stale analysis) are left out, so the
 * mirror always shows `text` exactly.
 */
export function splitHighlights(text: string, forcing: readonly ForcingChar[]): TextPiece[] {
  const marks = [...forcing]
    .filter((f) => f.ch !== "" && text.startsWith(f.ch, f.utf16_offset))
    .sort((a, b) => a.utf16_offset - b.utf16_offset);
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const mark of marks) {
    if (mark.utf16_offset < at) continue; // overlapping: keep the first
    if (mark.utf16_offset > at) pieces.push({ text: text.slice(at, mark.utf16_offset), forcing: null });
    pieces.push({ text: mark.ch, forcing: mark });
    at = mark.utf16_offset + mark.ch.length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), forcing: null });
  return pieces;
}

/** `text` with `insertion` replacing the selection [start, end), and the caret after it. */
export function insertAtCaret(
  text: string,
  start: number,
  end: number,
  insertion: string,
): { text: string; caret: number } {
  const from = clamp(Math.min(start, end), 0, text.length);
  const to = clamp(Math.max(start, end), 0, text.length);
  return { text: text.slice(0, from) + insertion + text.slice(to), caret: from + insertion.length };
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : max;
}

/** How a merge field is written in a template. */
export function mergeField(alias: string): string {
  return "${" + alias + "}";
}

/**
 * Replaces the unknown merge field at `problem.utf16_offset` by its suggestion. Null when
 * the problem has no suggestion or the text there is no longer a `${…}` field.
 */
export function fixProblem(template: string, problem: TemplateProblem): { text: string; caret: number } | null {
  const { suggestion, utf16_offset: at } = problem;
  if (suggestion === null || !template.startsWith("${", at)) return null;
  const rest = template.slice(at + 2);
  const stop = rest.search(/[{}\n\r]/);
  if (stop === -1 || rest[stop] !== "}") return null;
  return insertAtCaret(template, at, at + 2 + stop + 1, mergeField(suggestion));
}

const NAMES: Record<string, string> = {
  "\u2018": "curly opening quote",
  "\u2019": "curly apostrophe",
  "\u201A": "low curly quote",
  "\u201C": "curly opening double quote",
  "\u201D": "curly closing double quote",
  "\u201E": "low curly double quote",
  "\u00AB": "opening guillemet",
  "\u00BB": "closing guillemet",
  "\u2013": "en dash",
  "\u2014": "em dash",
  "\u2022": "bullet",
  "\u2026": "ellipsis",
  "\u00A0": "non-breaking space",
  "\u2009": "thin space",
  "\u200B": "zero-width space",
  "\t": "tab",
  "`": "backtick",
  "\u00E7": "c with cedilla",
};

/** A name people recognise for a character that forces UCS-2. */
export function charName(ch: string): string {
  const known = NAMES[ch];
  if (known !== undefined) return known;
  if (/\p{Extended_Pictographic}/u.test(ch)) return "emoji";
  if (/^\p{L}/u.test(ch)) return "letter outside GSM-7";
  return codePoints(ch);
}

function codePoints(text: string): string {
  return Array.from(text).map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`).join(" ");
}

/** A character as shown in a list: invisible ones by their code point. */
export function showChar(text: string): string {
  if (text === "") return "nothing";
  if (/^ +$/.test(text)) return text.length === 1 ? "a space" : `${text.length} spaces`;
  if (/^[\s\p{Cf}]+$/u.test(text)) return codePoints(text);
  return text;
}

export interface ForcingSummary {
  ch: string;
  name: string;
  lookAlike: string | null;
  count: number;
}

/** The distinct characters that force UCS-2, in order of first appearance, with counts. */
export function summarizeForcing(forcing: readonly ForcingChar[]): ForcingSummary[] {
  const out: ForcingSummary[] = [];
  for (const f of forcing) {
    const seen = out.find((s) => s.ch === f.ch);
    if (seen) seen.count++;
    else out.push({ ch: f.ch, name: charName(f.ch), lookAlike: f.look_alike, count: 1 });
  }
  return out;
}

function normalizeAlias(alias: string): string {
  return alias.toLowerCase().replace(/[_\s]/g, "");
}

/** The column(s) that name a member, guessed from common iMIS aliases (as the backend does). */
export function nameColumns(columns: readonly string[]): number[] {
  const find = (names: readonly string[]) => columns.findIndex((c) => names.includes(normalizeAlias(c)));
  const full = find(["fullname", "name", "displayname", "informalname", "membername"]);
  if (full !== -1) return [full];
  return [find(["firstname", "first"]), find(["lastname", "last", "surname"])].filter((i) => i !== -1);
}

/** A recipient as listed in "Preview for": their name when the audience has one, and the line. */
export function recipientLabel(columns: readonly string[], row: readonly string[], index: number): string {
  const line = `line ${index + 2}`;
  const name = nameColumns(columns)
    .map((i) => (row[i] ?? "").trim())
    .filter((s) => s !== "")
    .join(" ");
  return name === "" ? `Recipient on ${line}` : `${name} (${line})`;
}

/** A grapheme people see as an emoji: a pictograph, a flag, or a keycap like 1️⃣. */
const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20E3]/u;

interface Grapheme {
  text: string;
  /** UTF-16 offset of its first code unit. */
  at: number;
}

function graphemes(text: string): Grapheme[] {
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return Array.from(segmenter.segment(text), (s) => ({ text: s.segment, at: s.index }));
}

/**
 * The emoji of `template` that force UCS-2, by index in graphemes(template); null when some
 * other character forces it too (or the analysis is not of this text), as removing the emoji
 * would then not bring the text back to GSM-7. An emoji is its whole grapheme: skin tone,
 * variation selector and the parts of a ZWJ sequence go with it.
 */
function forcingEmoji(template: string, forcing: readonly ForcingChar[], parts: readonly Grapheme[]): Set<number> | null {
  if (forcing.length === 0) return null;
  const hit = new Set<number>();
  for (const f of forcing) {
    if (f.ch === "" || !template.startsWith(f.ch, f.utf16_offset) || f.look_alike !== null) return null;
    const index = parts.findIndex((g) => f.utf16_offset >= g.at && f.utf16_offset < g.at + g.text.length);
    const part = parts[index];
    if (part === undefined || !EMOJI.test(part.text)) return null;
    hit.add(index);
  }
  return hit;
}

/** Whether emoji are the only characters of `template` that force UCS-2 (they have no look-alike). */
export function onlyEmojiForce(template: string, forcing: readonly ForcingChar[]): boolean {
  return forcingEmoji(template, forcing, graphemes(template)) !== null;
}

/**
 * `template` without the emoji that force UCS-2, and how many went; null when emoji are not
 * the only characters forcing it. The rest of the text is kept as it is, but for the space an
 * emoji leaves doubled ("Hi 🎉 all" → "Hi all"), before punctuation ("Hi 👋, Ann" → "Hi, Ann"),
 * or at the edge of a line ("🎉 Party" → "Party", "Thanks 🎉" → "Thanks").
 */
export function removeEmoji(template: string, forcing: readonly ForcingChar[]): { text: string; removed: number } | null {
  const parts = graphemes(template);
  const hit = forcingEmoji(template, forcing, parts);
  if (hit === null) return null;
  let out = "";
  let skipSpace = false;
  parts.forEach((part, index) => {
    if (skipSpace && part.text === " ") {
      skipSpace = false;
      return;
    }
    skipSpace = false;
    if (!hit.has(index)) {
      out += part.text;
      return;
    }
    const before = out.at(-1);
    const after = parts[index + 1]?.text;
    const lineStart = before === undefined || before === "\n";
    const lineEnd = after === undefined || after === "\n" || after === "\r\n";
    if (after === " " && (before === " " || lineStart)) skipSpace = true;
    else if (before === " " && (lineEnd || /^[.,!?;:)]$/.test(after))) out = out.slice(0, -1);
  });
  return { text: out, removed: hit.size };
}
