/**
 * Option-argument parsers for commander (`new Option(...).argParser(...)`): each turns the text
 * into a value or throws a UsageError that names the flag, says what was expected and quotes what
 * was given, e.g. `--cash: expected a number > 0, got "-5"`. Choices match in any case.
 */
import { UsageError, quote } from './usage-error.js';

export type Parse<T> = (text: string) => T;

export interface NumberBounds {
  readonly min?: number;
  /** `min` itself is refused. */
  readonly minExclusive?: boolean;
  readonly max?: number;
}

function describeBounds(kind: string, b: NumberBounds): string {
  if (b.min !== undefined && b.max !== undefined) return `${kind} from ${b.min} to ${b.max}`;
  if (b.min !== undefined) return `${kind} ${b.minExclusive ? '>' : '>='} ${b.min}`;
  if (b.max !== undefined) return `${kind} <= ${b.max}`;
  return kind;
}

export function numberFlag(flag: string, bounds: NumberBounds = {}): Parse<number> {
  return (text) => {
    const v = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(v) || !within(v, bounds)) {
      throw new UsageError(`${flag}: expected ${describeBounds('a number', bounds)}, got ${quote(text)}`);
    }
    return v;
  };
}

export function integerFlag(flag: string, bounds: NumberBounds = {}): Parse<number> {
  return (text) => {
    const v = Number(text.trim());
    if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(v) || !within(v, bounds)) {
      throw new UsageError(`${flag}: expected ${describeBounds('an integer', bounds)}, got ${quote(text)}`);
    }
    return v;
  };
}

function within(v: number, b: NumberBounds): boolean {
  if (b.min !== undefined && (b.minExclusive ? v <= b.min : v < b.min)) return false;
  return b.max === undefined || v <= b.max;
}

/** One of `choices`, matched ignoring case, returned as spelled in `choices`. */
export function choiceFlag<const C extends readonly string[]>(flag: string, choices: C): Parse<C[number]> {
  return (text) => {
    const wanted = text.trim().toLowerCase();
    const hit = choices.find((c) => c.toLowerCase() === wanted);
    if (hit === undefined) throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got ${quote(text)}`);
    return hit;
  };
}

/** `--dataset` for commands that create datasets: the id rule of the store. */
export function datasetIdFlag(flag: string): Parse<string> {
  return (text) => {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(text)) {
      throw new UsageError(`${flag}: expected an id of lowercase letters, digits, _ or - (at most 64, starting with a letter or digit), got ${quote(text)}`);
    }
    return text;
  };
}

const SYMBOL = /^[A-Za-z0-9._^=-]{1,32}$/;

export function symbolFlag(flag: string): Parse<string> {
  return (text) => {
    const s = text.trim();
    if (!SYMBOL.test(s)) throw new UsageError(`${flag}: expected a symbol of 1 to 32 letters, digits or . _ ^ = -, got ${quote(text)}`);
    return s;
  };
}

/** `A,B,C`: each checked like a symbol. */
export function symbolListFlag(flag: string): Parse<string[]> {
  const one = symbolFlag(flag);
  return (text) => text.split(',').map(one);
}

/** A repeatable option: each occurrence appends to the list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
