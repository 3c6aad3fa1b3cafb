// How vstorctl shows keys and values, which are bytes in the model but UTF-8 text on the
// command line.
//
// JSON: a string with its encoding beside it (`"value": "…", "valueEncoding": "utf8"`).
// Bytes that are valid UTF-8 are given as that text, whatever characters it holds (JSON
// escapes control characters itself); anything else is base64 with encoding "base64". So a
// script can always recover the exact bytes, and text stays readable.
//
// Table: one line per key, so nothing may break the line or fool the terminal. Valid UTF-8
// is shown as is except: a backslash is doubled, \n \r \t are written so, and other control,
// format (bidirectional overrides), private-use, unassigned and line/paragraph separator
// characters become \u{…}; a byte that is not part of valid UTF-8 becomes \xNN. Since a
// backslash is always escaped, every shown form means exactly one byte string.

export type ByteEncoding = 'utf8' | 'base64';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes` if they are valid UTF-8, else undefined. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodeForJson(bytes: Uint8Array): { text: string; encoding: ByteEncoding } {
  const text = utf8OrUndefined(bytes);
  if (text !== undefined) return { text, encoding: 'utf8' };
  return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), encoding: 'base64' };
}

const needsEscape = /[\\\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu;

const named: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeText(text: string): string {
  return text.replace(needsEscape, (character) => named[character] ?? `\\u{${character.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/** The length of the UTF-8 sequence that `lead` starts, or 0 if no sequence starts so. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function hexByte(byte: number): string {
  return `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

export function escapeForTable(bytes: Uint8Array): string {
  const whole = utf8OrUndefined(bytes);
  if (whole !== undefined) return escapeText(whole);
  // Not valid UTF-8: walk it, keeping every valid sequence and escaping the bytes between.
  let shown = '';
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes[index]!);
    const sequence = length === 0 ? undefined : utf8OrUndefined(bytes.subarray(index, index + length));
    if (sequence === undefined || index + length > bytes.length) {
      shown += hexByte(bytes[index]!);
      index++;
    } else {
      shown += escapeText(sequence);
      index += length;
    }
  }
  return shown;
}
