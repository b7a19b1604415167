/**
 * Text a student controls (zip entry names, error messages, stack traces, printed output, the
 * submission's file name) on its way into results.json, report.md and report.html. Two rules hold
 * everywhere: control characters are removed (terminal escapes, carriage returns that rewrite a line,
 * bidirectional overrides that reorder what a reader sees), and a *name* stays on one line, so a file
 * called "x\nPASS all items 10/10" cannot forge a line of the report. Then each format escapes its
 * own syntax: Markdown inline text has its markup and HTML escaped, a Markdown block gets a fence
 * longer than any backtick run inside it; HTML is escaped by the template (html.ts); JSON by
 * JSON.stringify.
 */

// C0 controls but tab and newline, DEL, C1 controls, and Unicode's bidirectional formatting characters.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Removes control characters; keeps tabs and newlines (multi-line output stays readable). */
export function withoutControls(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROLS, '');
}

/** A student-chosen name on one line: newlines and tabs become visible `\n` / `\t`, other controls go. */
export function oneLine(text: string): string {
  return text
    .replace(/\r\n?|\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(CONTROLS, '');
}

/** A student-chosen name quoted for a message: one line, JSON string syntax (newline shown as \n). */
export function quoteName(name: string): string {
  return JSON.stringify(name.replace(CONTROLS, ''));
}

/** Inline markup anywhere; block markers only where a line starts (the rest stays readable as plain text). */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]|~!]/g;
const MARKDOWN_LINE_START = /^(\s*)([#+\-=>]|\d+(?=[.)]))/;
const HTML_SPECIAL: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return withoutControls(text).replace(/[<>&"']/g, (c) => HTML_SPECIAL[c]!);
}

/**
 * Markdown inline text: HTML escaped (Markdown renderers pass raw HTML through), markup characters
 * backslash-escaped, and each line of a multi-line message kept inside the paragraph or quote it starts in.
 */
export function markdownInline(text: string, continuation = '  \n'): string {
  return withoutControls(text)
    .replace(/[<>&"']/g, (c) => HTML_SPECIAL[c]!)
    .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
    .split('\n')
    .map((line) =>
      line.replace(MARKDOWN_LINE_START, (_, space: string, marker: string) =>
        /\d/.test(marker) ? `${space}${marker}\\` : `${space}\\${marker}`,
      ),
    )
    .join(continuation);
}

/** A fenced Markdown code block that student text cannot close: the fence outgrows its longest backtick run. */
export function markdownBlock(text: string): string {
  const clean = withoutControls(text);
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${clean}\n${fence}`;
}
