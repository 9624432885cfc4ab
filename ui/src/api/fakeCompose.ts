// MOCK ONLY: rough stand-ins for the Rust composition code (CSV reading, merge templates,
// GSM-7/UCS-2 segment counting, smart encoding, recipient checks), for `npm run build:mock`
// and component tests. The real numbers come from src-tauri/core/src/compose; nothing here is
// used in the desktop build.
import type { ForcingChar, MessageAnalysis, TemplateProblem } from "./bindings";

// --- CSV -----------------------------------------------------------------------------------

export interface Table {
  columns: string[];
  rows: string[][];
}

/** RFC 4180-ish: quotes, "" escapes, CRLF or LF, comma or semicolon (as the header uses). */
export function parseCsv(text: string): Table {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trim() === "") throw new Error("the file is empty: the first line must name the columns");
  const firstLine = body.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === "\n") line++;
        field += c ?? "";
      }
    } else if (c === '"' && field === "") {
      quoted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = "";
      line++;
      recordLine = line;
    } else {
      field += c ?? "";
    }
  }
  if (field !== "" || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  const [header, ...rest] = records;
  if (!header) throw new Error("the file is empty: the first line must name the columns");
  const columns = header.fields.map((name) => name.trim());
  columns.forEach((name, i) => {
    if (name === "") throw new Error(`line 1: column ${i + 1} has no name`);
    if (columns.indexOf(name) !== i) throw new Error(`line 1: the column '${name}' appears twice`);
  });
  const rows: string[][] = [];
  for (const record of rest) {
    if (record.fields.length === 1 && record.fields[0] === "") continue;
    if (record.fields.length !== columns.length) {
      throw new Error(
        `line ${record.line}: this row has ${record.fields.length} fields but the header names ${columns.length} columns`,
      );
    }
    rows.push(record.fields);
  }
  return { columns, rows };
}

function normalizeAlias(alias: string): string {
  return alias.toLowerCase().replace(/[_\s-]/g, "");
}

export function guessColumn(columns: readonly string[], names: readonly string[]): string | null {
  for (const name of names) {
    const found = columns.find((c) => normalizeAlias(c) === name);
    if (found !== undefined) return found;
  }
  return null;
}

export const ID_NAMES = ["id", "imisid", "memberid", "contactid", "partyid"];
export const PHONE_NAMES = ["mobile", "mobilephone", "cell", "cellphone", "mobilenumber", "phone", "phonenumber", "sms"];

// --- GSM-7 and segments (rough) ------------------------------------------------------------

const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENSION = new Set("^{}\\[~]|€\f");

/** A few of Twilio's smart-encoding look-alikes (the real table has hundreds). */
const LOOK_ALIKES: Record<string, string> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201A": "'",
  "\u201B": "'",
  "\u201C": '"',
  "\u201D": '"',
  "\u201E": '"',
  "\u2013": "-",
  "\u2014": "-",
  "\u2022": "-",
  "\u2026": "...",
  "\u00A0": "  ",
  "\u00AB": '"',
  "\u00BB": '"',
  "\u02BC": "'",
  "\u2032": "'",
};

function isGsm(ch: string): boolean {
  return GSM_BASIC.has(ch) || GSM_EXTENSION.has(ch);
}

export function countSegments(text: string): { encoding: "GSM-7" | "UCS-2"; segments: number; characters: number } {
  const chars = Array.from(text);
  if (chars.every(isGsm)) {
    const septets = chars.reduce((n, ch) => n + (GSM_EXTENSION.has(ch) ? 2 : 1), 0);
    return { encoding: "GSM-7", segments: septets === 0 ? 0 : septets <= 160 ? 1 : Math.ceil(septets / 153), characters: septets };
  }
  const units = text.length;
  return { encoding: "UCS-2", segments: units <= 70 ? 1 : Math.ceil(units / 67), characters: units };
}

function nonGsm(text: string): { ch: string; offset: number }[] {
  const out: { ch: string; offset: number }[] = [];
  let offset = 0;
  for (const ch of text) {
    if (!isGsm(ch)) out.push({ ch, offset });
    offset += ch.length;
  }
  return out;
}

export function smartEncode(text: string): string {
  return Array.from(text).map((ch) => LOOK_ALIKES[ch] ?? ch).join("");
}

// --- templates -----------------------------------------------------------------------------

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

function nearest(name: string, aliases: readonly string[]): string | null {
  let best: [number, string] | null = null;
  for (const alias of aliases) {
    const d = editDistance(name.toLowerCase(), alias.toLowerCase());
    const allowed = Math.max(Math.floor((Math.max(name.length, alias.length) + 1) / 4), 1);
    if (d <= allowed && (best === null || d < best[0])) best = [d, alias];
  }
  return best?.[1] ?? null;
}

interface Parsed {
  problems: TemplateProblem[];
  render: (value: (field: string) => string) => string;
  fields: string[];
}

export function parseTemplate(template: string, aliases: readonly string[]): Parsed {
  const problems: TemplateProblem[] = [];
  const parts: ({ text: string } | { field: string })[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("$${", i)) {
      literal += "${";
      i += 3;
      continue;
    }
    if (!template.startsWith("${", i)) {
      literal += template[i] ?? "";
      i++;
      continue;
    }
    const rest = template.slice(i + 2);
    const stop = rest.search(/[{}\n\r]/);
    const position = Array.from(template.slice(0, i)).length;
    if (stop === -1 || rest[stop] !== "}") {
      problems.push({
        message: `The merge field opened at position ${position} is never closed: add a } after its name.`,
        utf16_offset: i,
        suggestion: null,
      });
      literal += "${";
      i += 2;
      continue;
    }
    const name = rest.slice(0, stop);
    if (name === "") {
      problems.push({ message: `Empty merge field \${} at position ${position}.`, utf16_offset: i, suggestion: null });
    } else if (aliases.includes(name)) {
      parts.push({ text: literal }, { field: name });
      literal = "";
    } else {
      const suggestion = nearest(name, aliases);
      problems.push({
        message: `Unknown merge field \${${name}} at position ${position}${suggestion ? ` — did you mean \${${suggestion}}?` : "."}`,
        utf16_offset: i,
        suggestion,
      });
    }
    i += 2 + stop + 1;
  }
  parts.push({ text: literal });
  return {
    problems,
    fields: parts.flatMap((p) => ("field" in p ? [p.field] : [])),
    render: (value) => parts.map((p) => ("field" in p ? value(p.field) : p.text)).join(""),
  };
}

export function analyze(template: string, columns: readonly string[], values: readonly string[]): MessageAnalysis {
  const parsed = parseTemplate(template, columns);
  const preview =
    parsed.problems.length > 0 ? template : parsed.render((field) => values[columns.indexOf(field)] ?? "");
  const info = countSegments(preview);
  const forcing: ForcingChar[] = nonGsm(template).map(({ ch, offset }) => ({
    ch,
    utf16_offset: offset,
    look_alike: LOOK_ALIKES[ch] ?? null,
  }));
  const fromValues: string[] = [];
  for (const { ch } of nonGsm(preview)) {
    if (!forcing.some((f) => f.ch === ch) && !fromValues.includes(ch)) fromValues.push(ch);
  }
  const smart = smartEncode(template);
  const characters = Array.from(preview).length;
  return {
    problems: parsed.problems,
    preview,
    encoding: info.encoding,
    segments: info.segments,
    characters: info.characters,
    forcing,
    forcing_from_values: fromValues,
    smart_template: smart !== template ? smart : null,
    smart_segments: smart !== template ? countSegments(smartEncode(preview)).segments : null,
    too_long:
      characters > 1600
        ? `The message is ${characters.toLocaleString("en-US")} characters long; Twilio refuses anything over 1,600.`
        : null,
    long_warning: info.segments > 3,
  };
}

// --- recipients ----------------------------------------------------------------------------

/** A rough US-centred check; the real one is libphonenumber-grade Rust. */
export function normalizePhone(raw: string): { e164: string } | { invalid: string } {
  const trimmed = raw.trim();
  if (trimmed === "") return { invalid: "no phone number" };
  const digits = trimmed.replace(/\D/g, "");
  if (/[a-z]/i.test(trimmed.replace(/^ext\.?/i, ""))) return { invalid: "invalid phone number: it contains letters" };
  if (trimmed.startsWith("+")) {
    return digits.length >= 8 && digits.length <= 15 ? { e164: `+${digits}` } : { invalid: "invalid phone number: wrong length" };
  }
  if (digits.length === 10) return { e164: `+1${digits}` };
  if (digits.length === 11 && digits.startsWith("1")) return { e164: `+${digits}` };
  return { invalid: "invalid phone number: too short or too long for US" };
}

export function nameOf(columns: readonly string[], row: readonly string[]): string | null {
  const full = guessColumn(columns, ["fullname", "name", "displayname", "informalname", "membername"]);
  const pick = (c: string | null) => (c === null ? "" : (row[columns.indexOf(c)] ?? "").trim());
  if (full !== null) return pick(full) || null;
  const name = [pick(guessColumn(columns, ["firstname", "first"])), pick(guessColumn(columns, ["lastname", "last", "surname"]))]
    .filter((s) => s !== "")
    .join(" ");
  return name === "" ? null : name;
}
