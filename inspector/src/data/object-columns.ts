/**
 * Parsed JSON objects as columns, to hand them to another thread for far
 * less than parsing them there or cloning them: each shape's keys once,
 * numbers in a Float64Array, strings once per batch. Read back, an object
 * equals parsing its row: the same keys in the same order, the same values.
 * Values nested in arrays or objects travel as JSON text and are parsed
 * back, unless they hold a -0 (which JSON text cannot carry); a row like
 * that, a row that is not an object, or one with a `__proto__` key (which
 * an assignment would not create) is left for the receiver to parse.
 */
export interface ObjectColumns {
  /** Per row: its shape's index in `shapes`, or -1 for a row the receiver parses itself. */
  shape: Int32Array;
  /** Each shape's keys, in order. */
  shapes: string[][];
  /** Per value: one of the kinds below. */
  kinds: Uint8Array;
  /** The numbers, and for a string or nested value its index in `strings`. */
  numbers: Float64Array;
  strings: string[];
}

const NUMBER = 0;
const STRING = 1;
const NULL = 2;
const TRUE = 3;
const FALSE = 4;
const NESTED = 5;

/** What {@link ObjectColumnsReader.next} returns for a row the receiver must parse. */
export const UNREAD: unique symbol = Symbol('parse this row');

interface ShapeNode {
  next: Map<string, ShapeNode>;
  id: number;
}

/** Builds the columns of one batch, row by row (on the thread that parsed them). */
export class ObjectColumnsWriter {
  private readonly shape: number[] = [];
  private readonly shapes: string[][] = [];
  private readonly root: ShapeNode = { next: new Map(), id: -1 };
  private readonly kinds: number[] = [];
  private readonly numbers: number[] = [];
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();

  /** Adds a row's parsed value (undefined when the row is not JSON). */
  add(value: unknown): void {
    this.shape.push(typeof value === 'object' && value !== null && !Array.isArray(value) ? this.object(value as Record<string, unknown>) : -1);
  }

  finish(): ObjectColumns {
    return { shape: Int32Array.from(this.shape), shapes: this.shapes, kinds: Uint8Array.from(this.kinds), numbers: Float64Array.from(this.numbers), strings: this.strings };
  }

  /** The object's shape index, its values appended; -1 (nothing appended) when the receiver must parse the row. */
  private object(o: Record<string, unknown>): number {
    const { kinds, numbers } = this;
    const kindsBefore = kinds.length;
    const numbersBefore = numbers.length;
    let node = this.root;
    for (const key in o) {
      const value = o[key];
      if (key === '__proto__') return this.unread(kindsBefore, numbersBefore);
      if (typeof value === 'number') {
        kinds.push(NUMBER);
        numbers.push(value);
      } else if (typeof value === 'string') {
        kinds.push(STRING);
        numbers.push(this.string(value));
      } else if (value === null) kinds.push(NULL);
      else if (value === true) kinds.push(TRUE);
      else if (value === false) kinds.push(FALSE);
      else if (holdsNegativeZero(value)) return this.unread(kindsBefore, numbersBefore);
      else {
        kinds.push(NESTED);
        numbers.push(this.string(JSON.stringify(value)));
      }
      node = this.child(node, key);
    }
    if (node.id < 0) node.id = this.shapes.push(shapeKeys(o)) - 1;
    return node.id;
  }

  /** Takes back what a row appended: the receiver parses it. */
  private unread(kinds: number, numbers: number): -1 {
    this.kinds.length = kinds;
    this.numbers.length = numbers;
    return -1;
  }

  private child(node: ShapeNode, key: string): ShapeNode {
    let child = node.next.get(key);
    if (!child) {
      child = { next: new Map(), id: -1 };
      node.next.set(key, child);
    }
    return child;
  }

  private string(value: string): number {
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.push(value) - 1;
      this.stringIndex.set(value, index);
    }
    return index;
  }
}

/** Reads the rows of one batch's columns back, in order. */
export class ObjectColumnsReader {
  private row = 0;
  private kind = 0;
  private number = 0;

  constructor(private readonly columns: ObjectColumns) {}

  /** The next row's object, or {@link UNREAD} for a row to parse from its text. */
  next(): unknown {
    const { shape, shapes, kinds, numbers, strings } = this.columns;
    const s = shape[this.row++]!;
    if (s < 0) return UNREAD;
    const keys = shapes[s]!;
    const o: Record<string, unknown> = {};
    for (const key of keys) {
      switch (kinds[this.kind++]) {
        case NUMBER:
          o[key] = numbers[this.number++];
          break;
        case STRING:
          o[key] = strings[numbers[this.number++]!];
          break;
        case NULL:
          o[key] = null;
          break;
        case TRUE:
          o[key] = true;
          break;
        case FALSE:
          o[key] = false;
          break;
        default:
          o[key] = JSON.parse(strings[numbers[this.number++]!]!);
      }
    }
    return o;
  }
}

function shapeKeys(o: object): string[] {
  const keys: string[] = [];
  for (const key in o) keys.push(key);
  return keys;
}

function holdsNegativeZero(value: unknown): boolean {
  if (typeof value === 'number') return Object.is(value, -0);
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) if (holdsNegativeZero((value as Record<string, unknown>)[key])) return true;
  return false;
}
