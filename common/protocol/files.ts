/**
 * Files on the wire, pure: the content word of a file command (base64, bare or as the course clients' Python bytes
 * `b'…'`), the name kept of the sender's path, and the text line a file message shows to clients that only print
 * `msg`.
 */

/**
 * Strict base64: whole quartets, `=` padding only at the end. Checked with a plain character-class loop: a pattern
 * with a repeated group (`(?:[…]{4})*`) overflows the regex engine's stack on a file of a few MiB.
 */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/**
 * The bytes of a file command's content word, or undefined when it is not strict base64. The course clients send
 * `str(base64.b64encode(data))`, i.e. `b'…'` (or `b"…"`): the wrapper is accepted and dropped.
 */
export function decodeFileContent(word: string): Buffer | undefined {
  let text = word;
  const quote = text[1];
  if (text.length >= 3 && text[0] === 'b' && (quote === "'" || quote === '"') && text.endsWith(quote)) text = text.slice(2, -1);
  return isBase64(text) ? Buffer.from(text, 'base64') : undefined;
}

/** The length of the base64 text of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** Longest file name kept, in characters. */
export const MAX_FILE_NAME = 255;

/**
 * The name kept of a sender's file path: its last component (after `/` or `\`), without control characters, never
 * empty, `.` or `..` (those become `file`), at most MAX_FILE_NAME characters.
 */
export function fileBaseName(path: string): string {
  const last = path.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const name = last.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim().slice(0, MAX_FILE_NAME);
  return name === '' || name === '.' || name === '..' ? 'file' : name;
}

/** A size for people: `812 B`, `12.5 KiB`, `3.0 MiB`. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The `msg` of a file message: `[file] NAME (SIZE)`, so a client that prints only `msg` still shows something. */
export function fileMessageText(name: string, size: number): string {
  return `[file] ${name} (${formatFileSize(size)})`;
}
