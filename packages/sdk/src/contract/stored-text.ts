import { z } from 'zod';

/**
 * C0 controls (NUL included), DEL and C1 controls. PostgreSQL refuses NUL in
 * text and SQLite keeps it, and none of them displays as anything: a name or
 * a title holding one would read back differently, or not at all, depending
 * on the database.
 */
const CONTROLS = /\p{Cc}/u;
/** The same, less tab, line feed and carriage return, which multi-line text keeps. */
const CONTROLS_BUT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;
/** In `u` mode a pair is one code point: only a surrogate without its other half matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Free text the server stores and later returns as written: titles, names,
 * tags, descriptions, file names. Text that cannot be stored exactly is
 * refused (`400 validation_failed` naming the field), never altered:
 *
 * - a lone UTF-16 surrogate (a JSON `"\ud800"`) has no UTF-8 encoding, so
 *   both databases would store U+FFFD in its place;
 * - control characters (see above); `multiline` text keeps tab, line feed
 *   and carriage return.
 *
 * The checks run on the text as sent, before any `.trim()` chained after
 * them, so a single-line field with a trailing newline is refused rather
 * than trimmed into something the client did not send.
 */
export function storedText(options: { multiline?: boolean } = {}): z.ZodString {
  const controls = options.multiline ? CONTROLS_BUT_LINE_BREAKS : CONTROLS;
  return z
    .string()
    .refine((text) => !LONE_SURROGATE.test(text), {
      message: 'must be well-formed Unicode: a lone UTF-16 surrogate cannot be stored',
      abort: true,
    })
    .refine(
      (text) => !controls.test(text),
      options.multiline
        ? 'must not contain control characters other than tab and line breaks'
        : 'must not contain control characters, line breaks and tabs included',
    );
}

/**
 * Text that is never stored as written (a password is only hashed), but
 * must still encode to UTF-8 unchanged: two passwords differing only in a
 * lone surrogate would otherwise hash alike.
 */
export function wellFormedText(): z.ZodString {
  return z
    .string()
    .refine(
      (text) => !LONE_SURROGATE.test(text),
      'must be well-formed Unicode: a lone UTF-16 surrogate cannot be encoded',
    );
}
