/**
 * Lifting base64 image payloads out of an SSE text stream while it arrives.
 *
 * Image events carry several MB of base64 in one JSON string ("b64_json", "partial_image_b64", "result").
 * Parsing that at the end costs a multi-MB string, a JSON.parse over it and a base64 decode, all on the main
 * thread after the last byte. Instead, this TransformStream recognises those string values as they stream in,
 * decodes them to bytes chunk by chunk, and leaves a short placeholder in the text; `resolveLifted` swaps the
 * placeholder for the bytes after the (now small) JSON is parsed. Short values (< 256 chars) pass untouched.
 */
import { decodeBase64 } from '../images/bytes';

type PartSink = (part: Uint8Array<ArrayBuffer> | null, error?: unknown) => void;

/** Decoded bytes of a base64 string value that was lifted out of the stream. */
export class LiftedBase64 {
  readonly parts: Uint8Array<ArrayBuffer>[] = [];
  byteLength = 0;
  /** 'open' while the value is still arriving. */
  state: 'open' | 'done' | 'failed' = 'open';
  private failure: unknown = null;
  private readonly sinks = new Set<PartSink>();

  push(bytes: Uint8Array<ArrayBuffer>): void {
    this.parts.push(bytes);
    this.byteLength += bytes.length;
    for (const sink of this.sinks) sink(bytes);
  }

  /** The value's closing quote arrived: every byte is in `parts`. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'done';
    for (const sink of this.sinks) sink(null);
    this.sinks.clear();
  }

  /** The stream stopped inside the value (cut, cancelled, bad data): live readers get `error`. */
  fail(error: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.failure = error ?? new Error('The stream stopped inside the image data.');
    for (const sink of this.sinks) sink(null, error);
    this.sinks.clear();
  }

  /**
   * The bytes as a stream: those already decoded, then each part as it is decoded, closing when the value ends
   * (or erroring when the stream stops inside it). Lets a consumer work on the bytes while they arrive.
   */
  stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    let sink: PartSink | null = null;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      start: (controller) => {
        for (const p of this.parts) controller.enqueue(p);
        if (this.state === 'done') return controller.close();
        if (this.state === 'failed') return controller.error(this.failure);
        sink = (part, error) => {
          if (part) controller.enqueue(part);
          else if (error !== undefined) controller.error(this.failure);
          else controller.close();
        };
        this.sinks.add(sink);
      },
      cancel: () => {
        if (sink) this.sinks.delete(sink);
      },
    });
  }

  toBlob(type: string): Blob {
    return new Blob(this.parts, { type });
  }

  /** The first bytes, for sniffing the image type. */
  head(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.byteLength));
    let at = 0;
    for (const p of this.parts) {
      if (at >= out.length) break;
      const take = p.subarray(0, out.length - at);
      out.set(take, at);
      at += take.length;
    }
    return out;
  }
}

const KEYS = ['b64_json', 'partial_image_b64', 'result'];
const KEY_RE = new RegExp(`"(?:${KEYS.join('|')})"\\s*:\\s*"`, 'g');
const PARTIAL_KEY = /^"([a-z0-9_]*)("\s*(:\s*)?)?$/;

/**
 * Where to stop emitting text at the end of a chunk: the start of a trailing fragment that may grow into a key
 * match with the next chunk, or the end of the text when there is none. Nothing else is ever held back, so
 * small events are never delayed.
 */
function holdFrom(buf: string, from: number): number {
  // The fragment starts at the key's opening quote: the last quote, or the one before it once the key is closed.
  const last = buf.lastIndexOf('"');
  const candidates = [buf.lastIndexOf('"', last - 1), last];
  for (const q of candidates) {
    if (q < from || q < 0 || buf.length - q > 40) continue;
    const m = PARTIAL_KEY.exec(buf.slice(q));
    if (!m) continue;
    const name = m[1]!;
    const closed = m[2] !== undefined;
    if (KEYS.some((k) => (closed ? k === name : k.startsWith(name)))) return q;
  }
  return buf.length;
}
/** Values shorter than this stay in the JSON text. */
const MIN_LIFT = 256;
const B64_CHARS = /^[A-Za-z0-9+/=]*$/;

/** How much of an event's text before a lifted value is kept for `eventTypeOf`. */
const HEAD_MAX = 2048;

/** The text since the last blank line (where an SSE event starts), at most HEAD_MAX characters. */
function eventTail(text: string): string {
  const after = (sep: string) => {
    const i = text.lastIndexOf(sep);
    return i < 0 ? 0 : i + sep.length;
  };
  const from = Math.max(after('\n\n'), after('\r\n\r\n'), after('\r\r'), text.length - HEAD_MAX);
  return from > 0 ? text.slice(from) : text;
}

/**
 * The type of the SSE event whose text so far is `head` (its `event:` line and the start of its JSON data): the
 * JSON "type" field if it came before the value, else the `event:` field; undefined when neither is there yet.
 */
export function eventTypeOf(head: string): string | undefined {
  const json = /"type"\s*:\s*"([^"\\]+)"/.exec(head);
  if (json) return json[1];
  const field = /(?:^|[\r\n])event: ?([^\r\n]+)/.exec(head);
  return field?.[1]?.trim() || undefined;
}

export interface LifterOptions {
  /**
   * Called when a long value starts to arrive, with the text of its event so far (see `eventTypeOf`). Its bytes
   * can be read while they arrive through `value.stream()`.
   */
  onValue?: (value: LiftedBase64, eventHead: string) => void;
}

export class Lifter {
  private readonly values = new Map<string, LiftedBase64>();
  private readonly nonce = Math.random().toString(36).slice(2, 10);
  private count = 0;
  private readonly onValue: LifterOptions['onValue'];
  /** The value being decoded right now, if any. */
  private open: LiftedBase64 | null = null;

  constructor(opts: LifterOptions = {}) {
    this.onValue = opts.onValue;
  }

  /** Stops a value still arriving (the reader gave up): whoever streams its bytes gets `reason`. */
  close(reason: unknown): void {
    this.open?.fail(reason);
    this.open = null;
  }

  /** The string a lifted value becomes once JSON.parse has read its placeholder. */
  private placeholder(id: number): string {
    return `\u0000atelier-lift:${this.nonce}:${id}`;
  }

  /** Replaces placeholders in a parsed event (any depth up to 6) by their LiftedBase64. */
  resolve(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') {
      const lifted = value.startsWith('\u0000atelier-lift:') ? this.values.get(value) : undefined;
      if (lifted) this.values.delete(value);
      return lifted ?? value;
    }
    if (depth > 6 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.resolve(value[i], depth + 1);
    } else {
      const rec = value as Record<string, unknown>;
      for (const k of Object.keys(rec)) rec[k] = this.resolve(rec[k], depth + 1);
    }
    return value;
  }

  stream(): TransformStream<string, string> {
    let mode: 'text' | 'probe' | 'value' = 'text';
    let carry = '';
    let probe = '';
    let pending = ''; // base64 chars not yet decoded (fewer than 4, or a trailing backslash)
    let current: LiftedBase64 | null = null;
    let currentId = 0;
    let recent = ''; // the current event's text emitted before this chunk (see eventTail)

    const feed = (segment: string) => {
      let s = pending + segment;
      if (s.includes('\\')) {
        const tail = s.endsWith('\\') && !s.endsWith('\\\\') ? '\\' : '';
        if (tail) s = s.slice(0, -1);
        s = s.replace(/\\(.)/g, (_, c: string) => {
          if (c === '/') return '/';
          if (c === 'n' || c === 'r') return '';
          throw new Error(`unexpected escape \\${c} in base64 data`);
        });
        s += tail;
      }
      const usable = s.endsWith('\\') ? s.length - 1 : s.length;
      const whole = usable - (usable % 4);
      const chunk = s.slice(0, whole);
      pending = s.slice(whole);
      if (!chunk) return;
      if (!B64_CHARS.test(chunk)) throw new Error('invalid characters in base64 data');
      current!.push(decodeBase64(chunk));
    };

    const startValue = (initial: string, head: string) => {
      current = new LiftedBase64();
      this.open = current;
      currentId = this.count++;
      pending = '';
      this.onValue?.(current, eventTail(head));
      feed(initial);
    };

    const endValue = (): string => {
      if (pending) {
        current!.push(decodeBase64(pending.padEnd(pending.length + ((4 - (pending.length % 4)) % 4), '=')));
        pending = '';
      }
      const key = this.placeholder(currentId);
      this.values.set(key, current!);
      current!.end();
      current = null;
      this.open = null;
      return `\\u0000atelier-lift:${this.nonce}:${currentId}"`;
    };

    return new TransformStream<string, string>({
      transform: (chunk, controller) => {
        let buf = carry + chunk;
        carry = '';
        let pos = 0;
        let out = '';
        while (pos < buf.length) {
          if (mode === 'text') {
            KEY_RE.lastIndex = pos;
            const m = KEY_RE.exec(buf);
            if (!m) {
              const keep = holdFrom(buf, pos);
              out += buf.slice(pos, keep);
              carry = buf.slice(keep);
              pos = buf.length;
              break;
            }
            const end = m.index + m[0].length;
            out += buf.slice(pos, end);
            pos = end;
            mode = 'probe';
            probe = '';
          } else if (mode === 'probe') {
            const q = buf.indexOf('"', pos);
            const upto = q === -1 ? buf.length : q;
            if (q !== -1 && probe.length + (q - pos) < MIN_LIFT) {
              out += probe + buf.slice(pos, q + 1);
              pos = q + 1;
              mode = 'text';
            } else if (q === -1 && probe.length + (buf.length - pos) < MIN_LIFT) {
              probe += buf.slice(pos);
              pos = buf.length;
            } else {
              startValue(probe + buf.slice(pos, upto), recent + out);
              probe = '';
              pos = upto;
              mode = 'value';
            }
          } else {
            const q = buf.indexOf('"', pos);
            if (q === -1) {
              feed(buf.slice(pos));
              pos = buf.length;
            } else {
              feed(buf.slice(pos, q));
              out += endValue();
              pos = q + 1;
              mode = 'text';
            }
          }
        }
        buf = '';
        if (out) {
          recent = eventTail(recent + out);
          controller.enqueue(out);
        }
      },
      flush: (controller) => {
        // A stream cut inside a value: hand back what is left as text so the parser reports the cut.
        if (mode === 'value') this.close(new Error('The stream ended inside the image data.'));
        const rest = carry + (mode === 'probe' ? probe : '');
        if (rest) controller.enqueue(rest);
      },
    });
  }
}

/** A base64 payload as it reaches consumers: a plain string, or bytes lifted out of the stream. */
export type Base64Payload = string | LiftedBase64;

export function isBase64Payload(v: unknown): v is Base64Payload {
  return typeof v === 'string' || v instanceof LiftedBase64;
}
